import Foundation

/// One thing wrong with an experiment file: where, what, and how to fix it.
package struct ExperimentProblem: Sendable, Equatable, CustomStringConvertible {
    package var path: JSONPath
    package var message: String

    package init(path: JSONPath, message: String) {
        self.path = path
        self.message = message
    }

    package var description: String { "\(path): \(message)" }
}

/// Every problem found in an experiment file; thrown instead of a bare `DecodingError`.
package struct ExperimentFileError: Error, Sendable, Equatable, CustomStringConvertible {
    package var problems: [ExperimentProblem]

    package init(problems: [ExperimentProblem]) { self.problems = problems }

    package var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension ExperimentProblem {
    /// Says what a `DecodingError` means in terms of the file, without the raw dump.
    package init(_ error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(path: JSONPath(codingPath: context.codingPath),
                      message: "expected \(ExperimentProblem.typeName(type)); fix the value's type")
        case .valueNotFound(let type, let context):
            self.init(path: JSONPath(codingPath: context.codingPath),
                      message: "expected \(ExperimentProblem.typeName(type)), found null; write a value or remove the field")
        case .keyNotFound(let key, let context):
            self.init(path: JSONPath(codingPath: context.codingPath),
                      message: "missing required field \"\(key.stringValue)\"; add it")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            self.init(path: JSONPath(codingPath: context.codingPath), message: context.debugDescription)
        case .dataCorrupted(let context):
            let detail = ExperimentProblem.syntaxDetail(context)
            if detail.contains("not representable") {
                self.init(path: .root, message: "a number is out of range (\(detail)); numbers must lie within ±1.7e308")
                return
            }
            self.init(path: JSONPath(codingPath: context.codingPath),
                      message: "the file is not valid JSON (\(detail)); check for a missing comma, quote or bracket there")
        @unknown default:
            self.init(path: .root, message: "the file could not be read as JSON; check its syntax")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        default: "a value of type \(type)"
        }
    }

    /// The parser's own words (they carry the line and column), not the generic summary.
    private static func syntaxDetail(_ context: DecodingError.Context) -> String {
        var text = context.debugDescription
        if let underlying = context.underlyingError {
            let nsError = underlying as NSError
            if let debug = nsError.userInfo[NSDebugDescriptionErrorKey] as? String {
                text = debug
            } else {
                text = String(describing: underlying)
            }
        }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: ". \n"))
    }
}

extension ExperimentProblem {
    /// Some JSONDecoder builds say only "not valid JSON"; the parser of JSONSerialization gives
    /// a character offset, turned here into a line and column.
    static func locateSyntaxError(in data: Data) -> ExperimentProblem? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            let detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
            let fix = "check for a missing comma, quote, bracket or brace there"
            if detail.contains("not representable") {
                return ExperimentProblem(path: .root, message: "a number is out of range (\(detail)); numbers must lie within ±1.7e308")
            }
            if detail.localizedCaseInsensitiveContains("end of file") {
                return ExperimentProblem(path: .root, message: "the file is not valid JSON: it ends before every bracket and brace is closed; check for a missing ] or } or a trailing comma at the end")
            }
            guard let range = detail.range(of: "character "),
                  let offset = Int(detail[range.upperBound...].prefix(while: \.isNumber)) else {
                return ExperimentProblem(path: .root, message: "the file is not valid JSON (\(detail)); \(fix)")
            }
            let (line, column) = position(of: offset, in: data)
            let what = detail.split(separator: " around").first.map(String.init) ?? detail
            return ExperimentProblem(path: .root, message: "the file is not valid JSON: \(what.lowercased()) at line \(line), column \(column); \(fix)")
        }
    }

    private static func position(of offset: Int, in data: Data) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
