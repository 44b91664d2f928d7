import Foundation
import Testing

/// `kdmc run --part K/M` and `kdmc merge`: four parts merge into the bytes of one run; parts of
/// different runs, a part given twice or a missing part are refused. (A part stopped and resumed
/// is in MonteCarloTests' StopAndPartTests.) Also the provenance block of every finished run.
@Suite(.serialized) struct SplitMergeTests {
    static let experiment = """
    {"suite": "split", "experiments": [
      {"name": "gaussian", "geometry": "gaussian", "d": 8, "n": [1, 2, 4, 8, 12],
       "students": ["linear"], "solver": "closed", "stopping": {"trials": 1000}, "block_size": 16, "seed": 21},
      {"name": "margin", "geometry": {"kind": "margin", "theta0": 0.3}, "d": 40, "n": [1, 5, 10, 20],
       "students": ["linear"], "solver": "closed", "stopping": {"trials": 600}, "block_size": 16, "seed": 22}
    ]}
    """

    /// Lines of report.html and keys of summary.json that are run metadata (timings, ranks,
    /// provenance), left out when comparing a merged run with a single one.
    static func withoutMetadata(summary data: Data) throws -> NSDictionary {
        var object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["timings", "ranks", "provenance"] { object.removeValue(forKey: key) }
        return object as NSDictionary
    }

    static func withoutMetadata(report text: String) -> [Substring] {
        text.split(separator: "\n").filter { line in
            !["meta-ranks", "meta-wall-time", "class=\"experiment-row\""].contains { line.contains($0) }
        }
    }

    @Test func fourPartsMergeIntoTheBytesOfOneRun() throws {
        let folder = try RunTests().scratch("split")
        let file = try RunTests().writeExperiment(in: folder, Self.experiment)
        let single = folder.appendingPathComponent("single")
        let singleStatus = try kdmc(["run", file, "--out", single.path]).status
        #expect(finishedRunStatuses.contains(singleStatus))

        var parts: [String] = []
        for k in 1...4 {
            let out = folder.appendingPathComponent("part-\(k)").path
            parts.append(out)
            let result = try kdmc(["run", file, "--part", "\(k)/4", "--out", out])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("part \(k)/4 done"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out + "/curves.csv"), "a part writes no tables of its own")
        }
        // Incomplete, duplicated or foreign parts are refused with a message.
        let three = try kdmc(["merge", folder.appendingPathComponent("bad").path] + parts.dropLast())
        #expect(three.status == 1)
        #expect(three.stderr.contains("parts 4/4 are missing"), "\(three.stderr)")
        let twice = try kdmc(["merge", folder.appendingPathComponent("bad").path] + parts + [parts[0]])
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("part 1/4 given twice"), "\(twice.stderr)")
        let other = folder.appendingPathComponent("other-seed").path
        #expect(try kdmc(["run", file, "--part", "4/4", "--seed", "99", "--out", other]).status == 0)
        let foreign = try kdmc(["merge", folder.appendingPathComponent("bad").path] + parts.dropLast() + [other])
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("another configuration"), "\(foreign.stderr)")

        let merged = folder.appendingPathComponent("merged")
        let result = try kdmc(["merge", merged.path] + parts.reversed())
        #expect(result.status == singleStatus, "\(result.stderr)")  // the same verdicts as one run
        for table in ["curves.csv", "distributions.csv", "running.csv"] {
            let a = try Data(contentsOf: single.appendingPathComponent(table))
            let b = try Data(contentsOf: merged.appendingPathComponent(table))
            #expect(a == b, "\(table)")
        }
        #expect(try Self.withoutMetadata(summary: Data(contentsOf: single.appendingPathComponent("summary.json")))
                == Self.withoutMetadata(summary: Data(contentsOf: merged.appendingPathComponent("summary.json"))))
        #expect(Self.withoutMetadata(report: try String(contentsOf: single.appendingPathComponent("report.html"), encoding: .utf8))
                == Self.withoutMetadata(report: try String(contentsOf: merged.appendingPathComponent("report.html"), encoding: .utf8)))
        // Its provenance names the four one-rank parts, in part order, and adds up their ranks.
        let summary = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: merged.appendingPathComponent("summary.json"))) as? [String: Any])
        #expect(summary["ranks"] as? Int == 4)
        let provenance = try #require(summary["provenance"] as? [String: Any])
        #expect(provenance["ranks"] as? Int == 4)
        #expect((provenance["hosts"] as? [String])?.count == 4)
        let recorded = try #require(provenance["parts"] as? [[String: Any]])
        #expect(recorded.compactMap { $0["part"] as? String } == ["1/4", "2/4", "3/4", "4/4"])
        #expect(recorded.allSatisfy { ($0["command_line"] as? [String])?.contains("--part") == true })
        let firstStart = try #require(recorded.compactMap { $0["started"] as? String }.min())
        #expect(provenance["started"] as? String == firstStart)
        #expect((try Data(contentsOf: single.appendingPathComponent("summary.json"))).range(of: Data("\"parts\"".utf8)) == nil,
                "a run made in one piece lists no parts")
        // The merged folder is an ordinary run: its report rebuilds to the same page.
        #expect(try kdmc(["report", merged.path]).status == 0)
    }

    @Test func aFinishedRunRecordsItsProvenance() throws {
        let folder = try RunTests().scratch("provenance")
        let file = try RunTests().writeExperiment(in: folder, Self.experiment)
        let out = folder.appendingPathComponent("out")
        #expect(finishedRunStatuses.contains(try kdmc(["run", file, "--out", out.path, "--trials", "64"]).status))
        let object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any])
        let provenance = try #require(object["provenance"] as? [String: Any])
        #expect((provenance["git_commit"] as? String).map { $0.range(of: "^([0-9a-f]{40}(-dirty)?|unknown)$", options: .regularExpression) != nil } == true,
                "\(provenance["git_commit"] ?? "none")")
        #expect((provenance["mpi_library"] as? String)?.contains("MPI") == true)
        #expect((provenance["blas"] as? String)?.contains("OpenBLAS") == true)
        #expect((provenance["swift_version"] as? String)?.hasPrefix("6.") == true)
        #expect(provenance["ranks"] as? Int == 1)
        #expect((provenance["hosts"] as? [String])?.count == 1)
        #expect((provenance["command_line"] as? [String])?.contains("--trials") == true)
        #expect(provenance["seeds"] as? [String: Int] == ["gaussian": 21, "margin": 22])
        let started = try #require(provenance["started"] as? String), ended = try #require(provenance["ended"] as? String)
        #expect(started.hasSuffix("Z") && started <= ended)
    }
}
