import Foundation

/// `curves.csv`: the one table every run writes. Numbers are printed in Swift's shortest
/// round-trip form, so the file is byte-identical whenever the statistics are bit-identical,
/// and parsing it back gives the same doubles.
package enum CurvesCSV {
    package static let header = "experiment,student,n,trials,mean,sd,ci_low,ci_high,exact,bound,certificate"

    package static func render(_ rows: [CurveRow]) -> String {
        var out = header + "\n"
        for row in rows {
            let cells: [String] = [
                quote(row.experiment), quote(row.student), String(row.n), String(row.trials),
                number(row.mean), number(row.sd), number(row.ciLow), number(row.ciHigh),
                row.exact.map(number) ?? "", row.bound.map(number) ?? "",
                row.certificate.map(number) ?? "",
            ]
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    /// Reads a table written by `render` (used to rebuild reports from a run folder).
    package static func parse(_ text: String) throws(CurvesCSVError) -> [CurveRow] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let first = lines.first, first == header else {
            throw .badHeader(found: lines.first ?? "")
        }
        lines.removeFirst()
        var rows: [CurveRow] = []
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 2
            let cells = splitCells(line)
            guard cells.count == 11 else {
                throw .badLine(line: lineNumber, reason: "expected 11 cells, found \(cells.count)")
            }
            func int(_ i: Int) throws(CurvesCSVError) -> Int {
                guard let v = Int(cells[i]) else {
                    throw .badLine(line: lineNumber, reason: "cell \(i + 1) '\(cells[i])' is not an integer")
                }
                return v
            }
            func double(_ i: Int) throws(CurvesCSVError) -> Double {
                guard let v = Double(cells[i]) else {
                    throw .badLine(line: lineNumber, reason: "cell \(i + 1) '\(cells[i])' is not a number")
                }
                return v
            }
            func optional(_ i: Int) throws(CurvesCSVError) -> Double? {
                cells[i].isEmpty ? nil : try double(i)
            }
            rows.append(CurveRow(
                experiment: cells[0], student: cells[1], n: try int(2), trials: try int(3),
                mean: try double(4), sd: try double(5), ciLow: try double(6), ciHigh: try double(7),
                exact: try optional(8), bound: try optional(9), certificate: try optional(10)))
        }
        return rows
    }

    static func number(_ x: Double) -> String {
        x.description
    }

    package static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func splitCells(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var inQuotes = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                cells.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        cells.append(current)
        return cells
    }
}

package enum CurvesCSVError: Error, CustomStringConvertible, Equatable {
    case badHeader(found: String)
    case badLine(line: Int, reason: String)

    package var description: String {
        switch self {
        case .badHeader(let found):
            return "curves.csv: the first line is '\(found)', expected '\(CurvesCSV.header)'"
        case .badLine(let line, let reason):
            return "curves.csv line \(line): \(reason)"
        }
    }
}
