import Foundation

/// The members of one JSON object together with where the object sits in the file.
struct Fields {
    let path: JSONPath
    let values: [String: JSONValue]

    static func empty(at path: JSONPath) -> Fields { Fields(path: path, values: [:]) }

    /// JSON null counts as absent, so optional fields can be written out as null.
    func value(_ key: String) -> JSONValue? {
        guard let v = values[key], v != .null else { return nil }
        return v
    }

    func has(_ key: String) -> Bool { value(key) != nil }
}

/// Reads JSON trees into experiment values, collecting every problem with its path. Each read
/// returns nil when the value is unusable, and the caller carries on with the next field.
final class SpecReader {
    private(set) var problems: [ExperimentProblem] = []
    /// Folder that relative file paths start from; nil skips the checks that open files.
    let baseDirectory: URL?
    /// Memory available per rank; nil skips the memory check.
    let memory: MemoryBudget?

    init(baseDirectory: URL?, memory: MemoryBudget?) {
        self.baseDirectory = baseDirectory
        self.memory = memory
    }

    func report(_ path: JSONPath, _ message: String) {
        problems.append(ExperimentProblem(path: path, message: message))
    }

    // MARK: Shapes

    func object(_ v: JSONValue, _ p: JSONPath, what: String) -> Fields? {
        guard case .object(let members) = v else {
            report(p, "expected \(what) (a JSON object in braces), found \(v.kindDescription) \(v.shortText)")
            return nil
        }
        return Fields(path: p, values: members)
    }

    func array(_ v: JSONValue, _ p: JSONPath, name: String, nonEmpty: Bool = true) -> [JSONValue]? {
        guard case .array(let items) = v else {
            report(p, "expected a list in brackets for \(name), found \(v.kindDescription) \(v.shortText)")
            return nil
        }
        if nonEmpty && items.isEmpty {
            report(p, "\(name) is an empty list; give at least one element")
            return nil
        }
        return items
    }

    /// Reports members that are not part of the schema (usually typos), naming the known ones.
    func expectOnly(_ f: Fields, _ allowed: [String], in what: String,
                    hints: [String: String] = [:]) {
        for key in f.values.keys.sorted() where !allowed.contains(key) {
            if let hint = hints[key] {
                report(f.path.appending(key), hint)
            } else {
                report(f.path.appending(key),
                       "unknown field \"\(key)\" in \(what); known fields: \(allowed.joined(separator: ", "))")
            }
        }
    }

    func required<T>(_ f: Fields, _ key: String, hint: String,
                     _ read: (JSONValue, JSONPath) -> T?) -> T? {
        guard let v = f.value(key) else {
            report(f.path, "missing required field \"\(key)\"; \(hint)")
            return nil
        }
        return read(v, f.path.appending(key))
    }

    /// The field's value, or `fallback` when absent; nil only when present and invalid.
    func optional<T>(_ f: Fields, _ key: String, default fallback: T,
                     _ read: (JSONValue, JSONPath) -> T?) -> T? {
        guard let v = f.value(key) else { return fallback }
        return read(v, f.path.appending(key))
    }

    /// A tagged union: `"kind"` as a bare string, or an object with a `"kind"` member.
    func tagged(_ v: JSONValue, _ p: JSONPath, what: String, plural: String,
                kinds: [String]) -> (kind: String, fields: Fields)? {
        let kindText: String
        let fields: Fields
        let kindPath: JSONPath
        switch v {
        case .string(let s):
            kindText = s
            fields = .empty(at: p)
            kindPath = p
        case .object(let members):
            fields = Fields(path: p, values: members)
            kindPath = p.appending("kind")
            guard let k = fields.value("kind") else {
                report(p, "missing required field \"kind\" for the \(what); known \(plural): \(kinds.joined(separator: ", "))")
                return nil
            }
            guard case .string(let s) = k else {
                report(kindPath, "expected the \(what) kind as a string, found \(k.kindDescription) \(k.shortText); known \(plural): \(kinds.joined(separator: ", "))")
                return nil
            }
            kindText = s
        default:
            report(p, "expected a \(what): a kind name such as \"\(kinds[0])\" or an object with a \"kind\" field, found \(v.kindDescription) \(v.shortText)")
            return nil
        }
        guard kinds.contains(kindText) else {
            report(kindPath, "unknown \(what) \"\(kindText)\"; known \(plural): \(kinds.joined(separator: ", "))")
            return nil
        }
        return (kindText, fields)
    }

    func choice<E: RawRepresentable & CaseIterable>(_ v: JSONValue, _ p: JSONPath, name: String,
                                                    as: E.Type) -> E? where E.RawValue == String {
        let known = E.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let s) = v else {
            report(p, "expected one of \(known) as a string for \(name), found \(v.kindDescription) \(v.shortText)")
            return nil
        }
        guard let e = E(rawValue: s) else {
            report(p, "unknown \(name) \"\(s)\"; known values: \(known)")
            return nil
        }
        return e
    }

    // MARK: Scalars

    func string(_ v: JSONValue, _ p: JSONPath, name: String) -> String? {
        guard case .string(let s) = v else {
            report(p, "expected a string for \(name), found \(v.kindDescription) \(v.shortText); put the text in double quotes")
            return nil
        }
        guard !s.trimmingCharacters(in: .whitespaces).isEmpty else {
            report(p, "\(name) is empty; write a non-empty text")
            return nil
        }
        return s
    }

    /// An integer in `min...limit.value`; a number with a fractional part or a quoted number is
    /// refused.
    func integer(_ v: JSONValue, _ p: JSONPath, name: String, min: Int,
                 limit: ExperimentLimits.Limit? = nil) -> Int? {
        let value: Int
        switch v {
        case .integer(let i):
            guard let exact = Int(exactly: i) else {
                report(p, "\(i) is too large for \(name)")
                return nil
            }
            value = exact
        case .number(let x):
            guard !x.isFinite || abs(x) < 9.0e15 else {
                report(p, "\(JSONValue.format(x)) is too large for \(name); write an integer below 9e15")
                return nil
            }
            guard x.isFinite, x == x.rounded() else {
                report(p, "\(JSONValue.format(x)) is not a whole number; \(name) must be an integer ≥ \(min)")
                return nil
            }
            value = Int(x)
        case .string(let s) where Double(s) != nil:
            report(p, "expected an integer for \(name), found the string \"\(s)\"; write the number without quotes")
            return nil
        default:
            report(p, "expected an integer for \(name), found \(v.kindDescription) \(v.shortText)")
            return nil
        }
        if value < min {
            if min == 1 && value <= 0 {
                report(p, "\(value) is not positive; \(name) must be an integer ≥ 1")
            } else {
                report(p, "\(value) is less than \(min); \(name) must be an integer ≥ \(min)")
            }
            return nil
        }
        if let limit, value > limit.value {
            report(p, "\(value) is more than \(limit.value); \(name) must be at most \(limit.value) (\(limit.reason))")
            return nil
        }
        return value
    }

    /// A list that is not longer than `limit`; its length is checked before any element is read.
    func bounded(_ items: [JSONValue], _ p: JSONPath, name: String, limit: ExperimentLimits.Limit) -> Bool {
        guard items.count <= limit.value else {
            report(p, "\(name) lists \(items.count) elements; at most \(limit.value) are allowed (\(limit.reason))")
            return false
        }
        return true
    }

    /// A number; `check` returns what is wrong with it (ending in how to fix it), or nil.
    func real(_ v: JSONValue, _ p: JSONPath, name: String,
              check: (Double) -> String? = { _ in nil }) -> Double? {
        let x: Double
        switch v {
        case .integer(let i): x = Double(i)
        case .number(let n): x = n
        case .string(let s) where Double(s) != nil:
            report(p, "expected a number for \(name), found the string \"\(s)\"; write the number without quotes")
            return nil
        default:
            report(p, "expected a number for \(name), found \(v.kindDescription) \(v.shortText)")
            return nil
        }
        if let problem = check(x) {
            report(p, problem)
            return nil
        }
        return x
    }

    func positiveReal(_ v: JSONValue, _ p: JSONPath, name: String) -> Double? {
        real(v, p, name: name) { x in
            x > 0 ? nil : "\(JSONValue.format(x)) is not positive; \(name) must be a number > 0"
        }
    }

    /// Reads every element, reporting each bad one; nil if any element was bad.
    func list<T>(_ v: JSONValue, _ p: JSONPath, name: String, limit: ExperimentLimits.Limit? = nil,
                 _ read: (JSONValue, JSONPath) -> T?) -> [T]? {
        guard let items = array(v, p, name: name) else { return nil }
        if let limit, !bounded(items, p, name: name, limit: limit) { return nil }
        var out: [T] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let x = read(item, p.appending(i)) { out.append(x) } else { ok = false }
        }
        return ok ? out : nil
    }
}
