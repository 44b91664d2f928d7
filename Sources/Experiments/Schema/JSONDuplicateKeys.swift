import Foundation

/// Finds members whose key repeats within one object. JSON parsers keep one of the values
/// silently ("d": 100, …, "d": 50 runs with one of them), so a repeated key is a problem of
/// the file, reported at its path. The bytes must already be known to be valid JSON.
enum JSONDuplicateKeys {
    static func find(in data: Data) -> [ExperimentProblem] {
        var scanner = Scanner(bytes: Array(data))
        scanner.value(at: .root)
        return scanner.problems
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var problems: [ExperimentProblem] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
        }

        mutating func value(at path: JSONPath) {
            skipSpace()
            switch current {
            case UInt8(ascii: "{"): object(at: path)
            case UInt8(ascii: "["): array(at: path)
            case UInt8(ascii: "\""): _ = string()
            default:
                // A number, true, false or null: up to the next delimiter.
                while let b = current, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"),
                                         0x20, 0x0A, 0x0D, 0x09].contains(b) { index += 1 }
            }
        }

        mutating func object(at path: JSONPath) {
            index += 1
            var seen = Set<String>()
            while true {
                skipSpace()
                guard let b = current else { return }
                if b == UInt8(ascii: "}") { index += 1; return }
                if b == UInt8(ascii: ",") { index += 1; continue }
                let key = string()
                skipSpace()
                if current == UInt8(ascii: ":") { index += 1 }
                let member = path.appending(key)
                if !seen.insert(key).inserted {
                    problems.append(ExperimentProblem(path: member, message: "duplicate key \"\(key)\": this object already has a \"\(key)\" member, and only one of the values would be used; keep one"))
                }
                value(at: member)
            }
        }

        mutating func array(at path: JSONPath) {
            index += 1
            var element = 0
            while true {
                skipSpace()
                guard let b = current else { return }
                if b == UInt8(ascii: "]") { index += 1; return }
                if b == UInt8(ascii: ",") { index += 1; element += 1; continue }
                value(at: path.appending(element))
            }
        }

        /// A string's text (escapes decoded), with the index past its closing quote.
        mutating func string() -> String {
            let start = index
            index += 1
            var escaped = false
            while let b = current {
                index += 1
                if b == UInt8(ascii: "\\") { escaped = true; index += 1; continue }
                if b == UInt8(ascii: "\"") { break }
            }
            let raw = Array(bytes[start..<min(index, bytes.count)])
            if escaped, let text = try? JSONDecoder().decode(String.self, from: Data(raw)) { return text }
            return String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
        }
    }
}
