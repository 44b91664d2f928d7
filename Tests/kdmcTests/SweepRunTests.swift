import Experiments
import Foundation
import MonteCarlo
import Testing

/// `kdmc run` and `kdmc validate` on sweeps, end to end with the built executable.
@Suite(.serialized) struct SweepRunTests {
    /// Poly-tail κ = 1 over d = 10^3 … 10^5 (closed form, gram sampler: the cost per trial does
    /// not grow with d), where the rate in n does not depend on d.
    static let sweep = """
    {"name": "drift", "description": "a d sweep", "geometry": {"kind": "poly-tail", "kappa": 1},
     "n": {"from": 5, "to": 60, "count": 8}, "students": ["linear"], "solver": "closed", "sampler": "gram",
     "stopping": {"trials": 3000}, "block_size": 100, "seed": 21, "sweep": {"d": [1000, 10000, 100000]}}
    """

    static func scratch(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-sweep-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs the sweep; returns its output folder.
    static func finishedSweep(_ name: String) throws -> URL {
        let folder = try scratch(name)
        let file = folder.appendingPathComponent("sweep.json")
        try sweep.write(to: file, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        let result = try kdmc(["run", file.path, "--out", out.path])
        try #require(result.status == 0, "kdmc run failed: \(result.stderr)")
        return out
    }

    struct Summary: Decodable {
        struct Sweep: Decodable {
            struct Point: Decodable { var experiment: String; var seed: UInt64 }
            struct Trend: Decodable { var claim: String; var experiment: String; var status: String; var slope: Double? }
            var sweep: String
            var points: [Point]
            var trends: [Trend]
        }
        struct Entry: Decodable { var claim: String; var experiment: String; var status: String; var expected: String }
        struct Run: Decodable { var trials: Int; var seed: UInt64 }
        var sweeps: [Sweep]?
        var experiments: [String: Run]
        var verdicts: [Entry]
    }

    @Test func aSweepRunsEveryPointAndItsPointMatchesTheExperimentRunAlone() throws {
        let out = try Self.finishedSweep("alone")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        let sweep = try #require(summary.sweeps?.first)
        #expect(summary.sweeps?.count == 1 && sweep.sweep == "drift")
        #expect(sweep.points.map(\.experiment) == ["drift[d=1000]", "drift[d=10000]", "drift[d=100000]"])
        #expect(sweep.points.map(\.seed) == ["d=1000", "d=10000", "d=100000"].map { SweepSeed.derive(base: 21, label: $0) })
        #expect(sweep.points.allSatisfy { summary.experiments[$0.experiment]?.trials == 3000 })
        #expect(sweep.points.allSatisfy { summary.experiments[$0.experiment]?.seed == $0.seed })

        // The rate in n does not depend on d: the across-d verdict holds.
        let trend = try #require(sweep.trends.first)
        #expect(sweep.trends.count == 1 && trend.claim == "C2-vs-d" && trend.experiment == "drift")
        #expect(trend.status == "holds", "slope \(trend.slope ?? .nan)")
        // It is a verdict of the run too (verdict table, exit status), expected to hold.
        #expect(summary.verdicts.filter { $0.claim == "C2-vs-d" }.map { [$0.experiment, $0.status, $0.expected] }
                == [["drift", "holds", "holds"]])
        #expect(summary.verdicts.filter { $0.claim == "C2" }.count == 3)

        let csv = try String(contentsOf: out.appendingPathComponent("sweeps.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 5)
        #expect(csv[1].hasPrefix("point,drift,drift[d=1000],C2,linear,1000,,,,,,"))
        #expect(csv[4].hasPrefix("across,drift,drift,C2-vs-d,linear,,,,,,,") && csv[4].hasSuffix(",0,0.05,3,holds"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("figures/sweep-drift.svg").path))

        // kdmc report rebuilds the same page and sweep figure from curves.csv and summary.json.
        let page = out.appendingPathComponent("report.html")
        let figure = out.appendingPathComponent("figures/sweep-drift.svg")
        let written = try Data(contentsOf: page), writtenFigure = try Data(contentsOf: figure)
        try FileManager.default.removeItem(at: page)
        try FileManager.default.removeItem(at: out.appendingPathComponent("figures"))
        let rebuilt = try kdmc(["report", out.path])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(try Data(contentsOf: page) == written)
        #expect(try Data(contentsOf: figure) == writtenFigure)

        // The point d = 10^4 run alone, under its own name, with the seed the sweep gave it.
        let folder = out.deletingLastPathComponent()
        let alone = folder.appendingPathComponent("alone.json")
        let seed = sweep.points[1].seed
        try """
        {"name": "alone", "geometry": {"kind": "poly-tail", "kappa": 1}, "d": 10000,
         "n": {"from": 5, "to": 60, "count": 8}, "students": ["linear"], "solver": "closed", "sampler": "gram",
         "stopping": {"trials": 3000}, "block_size": 100, "seed": \(seed)}
        """.write(to: alone, atomically: true, encoding: .utf8)
        let aloneOut = folder.appendingPathComponent("alone-out")
        let result = try kdmc(["run", alone.path, "--out", aloneOut.path])
        #expect(result.status == 0, "\(result.stderr)")
        func rows(_ folder: URL, _ experiment: String) throws -> [String] {
            try String(contentsOf: folder.appendingPathComponent("curves.csv"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
                .filter { $0.hasPrefix(experiment + ",") }
                .map { String($0.dropFirst(experiment.count)) }
        }
        let fromSweep = try rows(out, "drift[d=10000]")
        #expect(fromSweep.count == 8)
        #expect(try rows(aloneOut, "alone") == fromSweep)
        // …and differs from its neighbour, which has another seed and another d.
        #expect(try rows(out, "drift[d=1000]") != fromSweep)
    }

    @Test func aBadSweepIsOneLineNamingTheFieldAndStatus2() throws {
        let folder = try Self.scratch("bad")
        let file = folder.appendingPathComponent("bad.json")
        try Self.sweep.replacingOccurrences(of: "[1000, 10000, 100000]", with: "[1000, 40]")
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try kdmc(["validate", file.path])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("\(file.path): sampler: at sweep point drift[d=40]: the gram sampler draws at most d − 1 = 39 points") == true,
                "\(result.stderr)")

        let good = folder.appendingPathComponent("good.json")
        try Self.sweep.write(to: good, atomically: true, encoding: .utf8)
        let valid = try kdmc(["validate", good.path])
        #expect(valid.status == 0)
        #expect(valid.stdout.contains("3 experiments (drift[d=1000], drift[d=10000], drift[d=100000])"))
    }
}
