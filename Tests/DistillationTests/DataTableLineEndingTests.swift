import Foundation
import Testing
@testable import Distillation

/// A data file reads the same whatever its line endings (LF, CRLF as Python's csv module
/// writes, a lone CR) and whether or not its last line ends in one.
@Suite struct DataTableLineEndingTests {
    static let lines = ["a,b,label", "1.5,-2,1", "0.25,3e-1,0", "# a comment", "", "-4,5,1"]
    static let expected: [[Double]] = [[1.5, -2, 1], [0.25, 0.3, 0], [-4, 5, 1]]

    @Test(arguments: ["\n", "\r\n", "\r"], [true, false])
    func everyLineEndingWithOrWithoutAFinalOneGivesTheSameRows(ending: String, finalNewline: Bool) throws {
        let text = Self.lines.joined(separator: ending) + (finalNewline ? ending : "")
        let table = try DataTable.parse(text, file: "t.csv", hasHeader: true)
        #expect(table.rows == Self.expected)
    }

    /// Mixed endings in one file are read too, and a bad cell is still named by its line as an
    /// editor counts lines (a CRLF is one line break, not two).
    @Test func lineNumbersCountACRLFOnce() throws {
        let text = "a,b\r\n1,2\n3,x\r\n"
        #expect(throws: ParameterError.notANumber(file: "t.csv", line: 3, column: 2, text: "x")) {
            try DataTable.parse(text, file: "t.csv", hasHeader: true)
        }
    }

    /// Control: before the fix, a CRLF file was one line to Swift ("\r\n" is one Character),
    /// so splitting on "\n" alone sees a single line; the reader must not.
    @Test func splittingOnLineFeedAloneWouldSeeOneLine() {
        let text = "a,b\r\n1,2\r\n3,4\r\n"
        #expect(text.split(separator: "\n").count == 1)
        #expect(DataTable.lines(of: text).filter { !$0.isEmpty }.count == 3)
    }

    /// The dataset geometry reads a CRLF file written to disk (header, label column by index).
    @Test func aCRLFDatasetFileLoads() throws {
        var text = "x1,x2,label\r\n"
        for i in 0..<40 {
            let x1 = Double(i % 7) - 3, x2 = Double(i % 5) - 2.5
            text += "\(x1),\(x2),\(x1 + x2 >= 0 ? 1 : 0)\r\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-crlf-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let g = try DatasetGeometry(path: path, hasHeader: true, labelColumn: 2, teacher: .weights([1, 1]), heldOutFraction: 0.25)
        #expect(g.dimension == 2)
        #expect(g.heldOut.count + g.pool.count == 40)
    }
}
