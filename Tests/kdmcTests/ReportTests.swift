import Foundation
import Testing

/// report.html end to end: written by `kdmc run`, rebuilt by `kdmc report` from a finished run
/// and from a stopped one, and rendered by headless Chromium.
@Suite(.serialized) struct ReportCommandTests {
    /// Two experiments, so "one figure per experiment" can be told from "one figure": a Gaussian
    /// one (exact reference, bound, certificate; risk 0 past d) whose description is markup
    /// that must come out as text, and a polynomial-tail one with a hard-label student (a
    /// fitted decay law, a soft-versus-hard verdict). Closed-form solver: fast in debug.
    static func experiment(polyTrials: Int = 200) -> String {
        """
        {"suite": "report-check", "description": "report test", "experiments": [
         {"name": "gauss", "description": "<i>not italic</i> & <script>console.error(\\"injected\\")</script>",
          "geometry": "gaussian", "d": 6, "n": [1, 2, 3, 6, 8], "students": ["linear"], "solver": "closed",
          "stopping": {"trials": 200}, "block_size": 50, "seed": 5},
         {"name": "poly", "geometry": {"kind": "poly-tail", "kappa": 2}, "d": 30,
          "n": {"from": 1, "to": 25, "count": 6, "spacing": "log"}, "students": ["linear", "hard-label"],
          "solver": "closed", "stopping": {"trials": \(polyTrials)}, "block_size": 50, "seed": 7}
        ]}
        """
    }

    static func scratch(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-report-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs the two-experiment suite to its end; returns the output folder.
    static func finishedRun(_ name: String) throws -> URL {
        let folder = try scratch(name)
        let file = folder.appendingPathComponent("experiment.json")
        try experiment().write(to: file, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        let result = try kdmc(["run", file.path, "--out", out.path])
        try #require(result.status == 0, "kdmc run failed: \(result.stderr)")
        return out
    }

    func figures(_ out: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("figures").path).sorted()
    }

    @Test func aRunWritesTheReportAndKdmcReportRebuildsTheSameBytes() throws {
        let out = try Self.finishedRun("complete")
        let page = out.appendingPathComponent("report.html")
        let written = try Data(contentsOf: page)
        let svg = try Data(contentsOf: out.appendingPathComponent("figures/poly.svg"))
        #expect(try figures(out) == ["gauss.svg", "poly.svg"])

        try FileManager.default.removeItem(at: page)
        try FileManager.default.removeItem(at: out.appendingPathComponent("figures"))
        let result = try kdmc(["report", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "report: \(page.path)\n")
        #expect(try Data(contentsOf: page) == written)
        #expect(try Data(contentsOf: out.appendingPathComponent("figures/poly.svg")) == svg)
        #expect(try figures(out) == ["gauss.svg", "poly.svg"])
        #expect(!String(decoding: written, as: UTF8.self).contains("partial-marker"))
    }

    /// SIGTERM during the second experiment: the first is complete in its checkpoint, the
    /// second is part way. `kdmc report` builds a page from the checkpoints, marked partial,
    /// and writes no tables (the run is still resumable and has no final numbers). The folder
    /// first holds a finished run's outputs: the fresh run must remove them, or they would be
    /// mistaken for this run's.
    @Test func aStoppedRunGivesAPartialReport() throws {
        let out = try Self.finishedRun("partial")
        let folder = out.deletingLastPathComponent()
        let file = folder.appendingPathComponent("experiment.json")
        try Self.experiment(polyTrials: 200_000).write(to: file, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = TestFiles.executable
        process.arguments = ["run", file.path, "--out", out.path]
        var environment = ProcessInfo.processInfo.environment
        removeLauncherVariables(&environment)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // The finished run's checkpoints would look like this run's progress to the wait below.
        try FileManager.default.removeItem(at: out.appendingPathComponent("checkpoints"))
        try process.run()
        // The first experiment's final checkpoint exists once it is done; then let the second start.
        let first = out.appendingPathComponent("checkpoints/0-gauss.checkpoint")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: first.path) && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 1.5)
        process.terminate()
        process.waitUntilExit()
        try #require(process.terminationStatus == 3, "the run should stop resumably on SIGTERM")

        let result = try kdmc(["report", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("report (partial run): "))
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<div id=\"partial-marker\""))
        #expect(html.contains("1 of 2 experiments complete."))
        #expect(html.contains("<title>[partial] kdmc report: report-check</title>"))
        #expect(html.contains("complete (fixedCountReached)"))
        let stopped = try #require(html.firstMatch(of: /stopped after (\d+) trials of at most 200000/))
        let trials = try #require(Int(stopped.output.1))
        #expect(trials > 0 && trials < 200_000 && trials % 50 == 0)
        #expect(html.components(separatedBy: "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"risk-figure\"").count - 1 == 2)
        #expect(try figures(out) == ["gauss.svg", "poly.svg"])
        #expect(html.contains("<tr class=\"verdict holds\" data-experiment=\"gauss\" data-claim=\"exact-gaussian\">"))
        for table in ["curves.csv", "summary.json"] {
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(table).path))
        }
        // Resuming afterwards still works and replaces the partial page with the final one.
        let resumed = try kdmc(["run", file.path, "--out", out.path, "--resume", "--trials", "\(trials + 100)"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let final = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(!final.contains("partial-marker"))
    }

    /// A finished run's checkpoints, read as a stopped run's, give the same verdicts with the
    /// same numbers as its summary.json (the partial path runs the same analysis on the same
    /// statistics); a checkpoint that does not match the recorded configuration is refused.
    @Test func checkpointsGiveTheRunsVerdictsAndForeignOnesAreRefused() throws {
        let out = try Self.finishedRun("checkpoints")
        let complete = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        for table in ["curves.csv", "summary.json"] {
            try FileManager.default.removeItem(at: out.appendingPathComponent(table))
        }
        let result = try kdmc(["report", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let partial = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        func verdictRows(_ html: String) -> [String] {
            html.split(separator: "\n").filter { $0.hasPrefix("<tr class=\"verdict ") }.map(String.init)
        }
        #expect(verdictRows(complete).count >= 6)
        #expect(verdictRows(partial) == verdictRows(complete))
        #expect(partial.contains("2 of 2 experiments complete."))
        #expect(partial.contains("<div id=\"partial-marker\""))

        // Another seed for the first experiment: its checkpoint no longer belongs to the record.
        let manifestURL = out.appendingPathComponent("checkpoints/run.json")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
        let configuration = try #require(manifest["configuration"] as? String)
        #expect(configuration.contains("\"seed\":5,"))
        manifest["configuration"] = configuration.replacingOccurrences(of: "\"seed\":5,", with: "\"seed\":6,")
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        let refused = try kdmc(["report", out.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("kdmc: report: checkpoint \(out.path)/checkpoints/0-gauss.checkpoint does not belong to the recorded configuration"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
    }

    @Test func aFolderWithoutARunIsOneLineAndAFailure() throws {
        let empty = try Self.scratch("empty")
        let result = try kdmc(["report", empty.path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("kdmc: report: \(empty.path) holds no run"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("report.html").path))

        let missing = empty.appendingPathComponent("not-there")
        let absent = try kdmc(["report", missing.path])
        #expect(absent.status == 1)
        #expect(absent.stderr == "kdmc: report: \(missing.path) does not exist; give the --out folder of a kdmc run\n")
    }
}
