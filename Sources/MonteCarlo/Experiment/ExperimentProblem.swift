import Foundation

/// One thing wrong with an experiment file: where, what, and how to fix it.
public struct ExperimentProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: JSONPath
    public var message: String

    public init(path: JSONPath, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Every problem found in an experiment file; thrown instead of a bare `DecodingError`.
public struct ExperimentFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ExperimentProblem]

    public init(problems: [ExperimentProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension ExperimentProblem {
    /// Says what a `DecodingError` means in terms of the file, without the raw dump.
    public init(_ error: DecodingError) {
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
        case .dataCorrupted(let context):
            let detail = ExperimentProblem.syntaxDetail(context)
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
