internal import SystemIO

/// A numeric CSV file: comma-separated decimal numbers, one row per line. Blank lines and
/// lines starting with '#' are skipped; an optional first line is a header. Lines end in LF,
/// CRLF (Python's csv writer, Windows) or CR, and the last line may or may not end in one.
struct DataTable: Sendable {
    /// Row-major values.
    var rows: [[Double]]

    /// The largest magnitude a cell may have: beyond it a squared norm overflows a double.
    static let maximumMagnitude = 1e150

    /// Reads and checks the file; errors name the file, line and column.
    static func read(path: String, hasHeader: Bool) throws(ParameterError) -> DataTable {
        let text: String
        do {
            // A regular file only: a FIFO would block, a device would never end.
            text = String(decoding: try Files.readRegular(path), as: UTF8.self)
        } catch {
            throw .unreadable(file: path, reason: "\(error)")
        }
        return try parse(text, file: path, hasHeader: hasHeader)
    }

    static func parse(_ text: String, file: String, hasHeader: Bool) throws(ParameterError) -> DataTable {
        var rows: [[Double]] = []
        var width: Int?
        var headerPending = hasHeader
        for (index, rawLine) in lines(of: text).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if headerPending { headerPending = false; continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            if let w = width, cells.count != w {
                throw .ragged(file: file, line: index + 1, expected: w, found: cells.count)
            }
            width = cells.count
            var row: [Double] = []
            row.reserveCapacity(cells.count)
            for (column, cell) in cells.enumerated() {
                let token = cell.trimmingCharacters(in: .whitespaces)
                guard let value = Double(token), value.isFinite else {
                    throw .notANumber(file: file, line: index + 1, column: column + 1, text: String(token.prefix(40)))
                }
                // Squares and inner products of larger values overflow.
                guard abs(value) <= maximumMagnitude else {
                    throw .unreadable(file: file, reason: "line \(index + 1), column \(column + 1): \(token) is beyond ±1e150; rescale the column")
                }
                row.append(value)
            }
            rows.append(row)
        }
        if rows.isEmpty { throw .unreadable(file: file, reason: "no data rows") }
        return DataTable(rows: rows)
    }

    /// The file's lines, numbered as an editor numbers them. Swift reads "\r\n" as one
    /// Character, which `split(separator: "\n")` never matches; `isNewline` matches it, "\n"
    /// and a lone "\r".
    static func lines(of text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }
}

import Foundation
