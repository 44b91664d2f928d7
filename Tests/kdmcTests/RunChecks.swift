import Foundation
import Testing

/// What the run tests of every estimator check the same way: the tables of a run under 1, 2
/// and 3 ranks, and a run stopped by SIGTERM part-way.
enum RunChecks {
    static let tables = ["curves.csv", "distributions.csv", "running.csv"]

    /// A new folder under the temporary directory, named after the suite and the test.
    static func scratch(_ suite: String, _ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-\(suite)-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// `text` as folder/experiment.json; gives its path.
    static func writeExperiment(_ text: String, in folder: URL) throws -> String {
        let file = folder.appendingPathComponent("experiment.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// `kdmc run file` under 1, 2 and 3 ranks into `folder`/out-R; each run must finish with
    /// one of `statuses`. Gives the three runs' tables (concatenated) and hands each output
    /// folder to `inspect`.
    static func tablesForOneTwoAndThreeRanks(_ file: String, in folder: URL, statuses: Set<Int32> = [0],
                                             inspect: (URL) throws -> Void = { _ in }) throws -> [Data] {
        var result: [Data] = []
        for ranks in 1...3 {
            let out = folder.appendingPathComponent("out-\(ranks)")
            let run = try mpirun(ranks: ranks, ["run", file, "--out", out.path])
            #expect(statuses.contains(run.status), "\(ranks) ranks: \(run.stderr)")
            result.append(try tables.reduce(into: Data()) { $0 += try Data(contentsOf: out.appendingPathComponent($1)) })
            try inspect(out)
        }
        return result
    }

    /// Starts `kdmc run file --out out` as one process, sends it SIGTERM after `seconds` and
    /// gives its exit status (3 when it stopped with a checkpoint).
    static func runStoppedByTerm(_ file: String, out: URL, after seconds: Double = 1.5) throws -> Int32 {
        let process = Process()
        process.executableURL = TestFiles.executable
        process.arguments = ["run", file, "--out", out.path]
        var environment = ProcessInfo.processInfo.environment
        removeLauncherVariables(&environment)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: seconds)
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// `kdmc run file` into `folder`/out is refused: exit status 2, a message on stderr that
    /// names `estimator` and `reason`, and no curves.csv written.
    static func estimatorIsRefused(_ file: String, in folder: URL, reason: String) throws {
        let out = folder.appendingPathComponent("out")
        let result = try kdmc(["run", file, "--out", out.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("estimator") && result.stderr.contains(reason), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("curves.csv").path))
    }

    /// A whole run of `file`, and the same run stopped by SIGTERM and continued with --resume,
    /// into `folder`: both must finish with one of `statuses` and write the same curves.csv.
    static func stopAndResumeMatchesAWholeRun(_ file: String, in folder: URL, statuses: Set<Int32> = [0]) throws {
        let whole = folder.appendingPathComponent("whole")
        let first = try kdmc(["run", file, "--out", whole.path])
        #expect(statuses.contains(first.status), "\(first.stderr)")
        let stopped = folder.appendingPathComponent("stopped")
        #expect(try runStoppedByTerm(file, out: stopped) == 3)
        let resumed = try kdmc(["run", file, "--out", stopped.path, "--resume"])
        #expect(statuses.contains(resumed.status), "\(resumed.stderr)")
        #expect(try Data(contentsOf: whole.appendingPathComponent("curves.csv"))
            == Data(contentsOf: stopped.appendingPathComponent("curves.csv")))
    }
}
