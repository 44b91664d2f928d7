/// Throws `ParameterError.invalid` naming `field` and `value` unless `condition` holds.
func requireParameter(_ condition: Bool, _ field: String, _ value: some CustomStringConvertible,
                      expected: String) throws(ParameterError) {
    if !condition {
        throw .invalid(field: field, value: value.description, expected: expected)
    }
}
