/// Bad input to the distillation maths: a parameter out of range or a data file that cannot be
/// read. Programmer errors (shapes, indices) are preconditions instead.
///
/// Every message names the field (or file, line and column), the offending value, and what is
/// expected, so that a user can fix an experiment file without reading the source.
public enum ParameterError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A parameter `field` had `value`; `expected` says what is allowed (e.g. "must be > 0").
    case invalid(field: String, value: String, expected: String)
    /// A data file row has `found` columns where `expected` were expected (1-based line).
    case ragged(file: String, line: Int, expected: Int, found: Int)
    /// A data file cell is not a finite number (1-based line and column).
    case notANumber(file: String, line: Int, column: Int, text: String)
    /// A data file could not be read or holds no usable data.
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(field, value, expected):
            return "\(field) = \(value): \(expected)"
        case let .ragged(file, line, expected, found):
            return "\(file):\(line): row has \(found) columns, expected \(expected) "
                + "(every row must have the same number of comma-separated values)"
        case let .notANumber(file, line, column, text):
            return "\(file):\(line): column \(column) is \"\(text)\", "
                + "expected a finite decimal number"
        case let .unreadable(file, reason):
            return "\(file): cannot be used: \(reason)"
        }
    }
}

extension ParameterError {
    /// Formats a Double so that the message shows the value the user wrote (or NaN, inf).
    static func invalid(_ field: String, _ value: Double, _ expected: String) -> ParameterError {
        .invalid(field: field, value: "\(value)", expected: expected)
    }

    static func invalid(_ field: String, _ value: Int, _ expected: String) -> ParameterError {
        .invalid(field: field, value: "\(value)", expected: expected)
    }
}
