import Foundation

/// Text and numbers as they go into HTML and SVG. Everything that reaches the page from a run
/// (experiment names, descriptions, verdict details) is user input and passes through `escape`.
package enum Markup {
    /// Escapes the five characters that can end a text node or an attribute value, so the
    /// same function is safe in element content and in quoted attributes.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A number for people: six significant digits (the precision the verdict table documents),
    /// and words for the values that are not numbers at all.
    package static func number(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "∞" : "−∞" }
        return String(format: "%.6g", x)
    }

    /// An SVG coordinate. Callers only pass finite values (plots drop the others before they get
    /// here); the precondition keeps a NaN from ever being written into a figure.
    static func coordinate(_ x: Double) -> String {
        precondition(x.isFinite, "a non-finite coordinate reached the SVG writer")
        return String(format: "%.2f", x)
    }

    /// A file name made from an experiment name: the schema already limits names to letters,
    /// digits, '.', '_' and '-', but the report may read folders written by hand.
    static func fileName(_ name: String) -> String {
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
        let trimmed = cleaned.drop { $0 == "." }
        return trimmed.isEmpty ? "experiment" : String(trimmed)
    }
}
