/// A parameter given by the user (experiment file, command line, caller) is out of range.
///
/// One error type for the whole maths layer, so a message always names the field, the value
/// that was given and what is expected instead.
public enum ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(field: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .invalid(field, value, expected):
            return "invalid \(field) = \(value): expected \(expected)"
        }
    }

    /// Throws `.invalid` unless `condition` holds.
    static func require(_ condition: Bool, _ field: String, _ value: some CustomStringConvertible,
                        expected: String) throws(ParameterError) {
        if !condition {
            throw .invalid(field: field, value: value.description, expected: expected)
        }
    }
}
