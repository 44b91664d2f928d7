import Foundation
import Testing

/// `kdmc compare RUN_A RUN_B`: the difference of two runs' curves with its interval, as a table
/// on stdout, compare.csv and compare.html.
@Suite(.serialized) struct CompareCommandTests {
    /// A small closed-form Gaussian experiment in dimension `d`.
    static func run(_ name: String, d: Int, seed: Int, in folder: URL) throws -> URL {
        let file = folder.appendingPathComponent("\(name).json")
        try """
        {"name": "gauss", "geometry": "gaussian", "d": \(d), "n": [1, 2, 4, 5], "students": ["linear"],
         "solver": "closed", "stopping": {"trials": 400}, "block_size": 50, "seed": \(seed)}
        """.write(to: file, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent(name)
        let result = try kdmc(["run", file.path, "--out", out.path])
        try #require(result.status == 0, "\(result.stderr)")
        return out
    }

    static func rows(_ csv: URL) throws -> [[String]] {
        try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    }

    @Test func twoSeedsOfOneExperimentAgreeAndAnotherDimensionDoesNot() throws {
        let folder = try ReportCommandTests.scratch("compare")
        let a = try Self.run("a", d: 6, seed: 1, in: folder)
        let b = try Self.run("b", d: 6, seed: 2, in: folder)
        let far = try Self.run("far", d: 40, seed: 3, in: folder)

        // Same experiment, other draws: E[R_n] is the same, so the 95% intervals of A − B
        // cover 0 (four points; a chance exclusion would show as a failure here at ~5% per point,
        // so the seeds are fixed and the outcome is deterministic).
        let out = folder.appendingPathComponent("ab")
        let same = try kdmc(["compare", a.path, b.path, "--out", out.path])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("4 common points; 0 with an interval that excludes 0"), "\(same.stdout)")
        let rows = try Self.rows(out.appendingPathComponent("compare.csv"))
        #expect(rows.count == 4)
        for row in rows {
            let difference = try #require(Double(row[7])), low = try #require(Double(row[8])), high = try #require(Double(row[9]))
            #expect(low < difference && difference < high)
            #expect(abs(difference - (Double(row[4])! - Double(row[6])!)) < 1e-15)
            #expect(row[10] == "no")
        }
        let page = try String(contentsOf: out.appendingPathComponent("compare.html"), encoding: .utf8)
        #expect(page.components(separatedBy: "class=\"risk-figure\"").count - 1 == 2)
        #expect(page.contains("class=\"difference-figure\""))
        #expect(page.components(separatedBy: "<tr class=\"difference").count - 1 == 4)
        #expect(!page.contains("<script"))

        // Control: d = 6 against d = 40 differs at every n ≥ 2 (the risk falls much faster at
        // d = 6); at n = 1 both are near 1/2 − O(1/√d), and the difference must still show up
        // at most points.
        let control = try kdmc(["compare", a.path, far.path, "--out", folder.appendingPathComponent("af").path])
        #expect(control.status == 0, "\(control.stderr)")
        let significant = try Self.rows(folder.appendingPathComponent("af/compare.csv")).filter { $0[10] == "yes" }.count
        #expect(significant >= 3, "\(control.stdout)")
    }

    @Test func runsWithNothingInCommonOrNoRunAreOneLineAndAFailure() throws {
        let folder = try ReportCommandTests.scratch("compare-none")
        let a = try Self.run("a", d: 6, seed: 1, in: folder)
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let missing = try kdmc(["compare", a.path, empty.path])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("kdmc: compare: \(empty.path) holds no run"), "\(missing.stderr)")
        #expect(missing.stderr.split(separator: "\n").count == 1)

        // Another experiment name: no (experiment, student, n) in common.
        let renamed = folder.appendingPathComponent("renamed")
        try FileManager.default.copyItem(at: a, to: renamed)
        let csv = renamed.appendingPathComponent("curves.csv")
        try String(contentsOf: csv, encoding: .utf8).replacingOccurrences(of: "\ngauss,", with: "\nother,")
            .write(to: csv, atomically: true, encoding: .utf8)
        let disjoint = try kdmc(["compare", a.path, renamed.path])
        #expect(disjoint.status == 1)
        #expect(disjoint.stderr.contains("no (experiment, student, n) in common"), "\(disjoint.stderr)")
        let usage = try kdmc(["compare", a.path, a.path, "--confidence", "1.5"])
        #expect(usage.status == 64)
    }
}
