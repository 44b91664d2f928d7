import Foundation
import Testing

/// `kdmc run` end to end: the built executable on small experiments, alone and under mpirun.
@Suite(.serialized) struct RunTests {
    /// A Gaussian experiment small enough for a debug build: the closed-form student, n past d.
    static let experiment = """
    {"name": "small", "geometry": "gaussian", "d": 6, "n": [1, 2, 3, 6, 8],
     "students": ["linear"], "solver": "closed", "stopping": {"trials": 600}, "block_size": 50, "seed": 5}
    """

    func scratch(_ name: String) throws -> URL { try RunChecks.scratch("run", name) }

    func writeExperiment(in folder: URL, _ text: String = RunTests.experiment) throws -> String {
        try RunChecks.writeExperiment(text, in: folder)
    }

    struct Verdicts: Decodable {
        struct Entry: Decodable, Equatable {
            var claim: String
            var status: String
            var holds: Bool { status == "holds" }
            var numbers: [String: Double]
        }
        var verdicts: [Entry]
    }

    func verdicts(_ folder: URL) throws -> [Verdicts.Entry] {
        try JSONDecoder().decode(Verdicts.self, from: Data(contentsOf: folder.appendingPathComponent("summary.json"))).verdicts
    }

    @Test func aRunWritesCurvesAndVerdicts() throws {
        let folder = try scratch("single")
        let file = try writeExperiment(in: folder)
        let out = folder.appendingPathComponent("out")
        let result = try kdmc(["run", file, "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        let csv = try String(contentsOf: out.appendingPathComponent("curves.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "experiment,student,n,trials,mean,sd,ci_low,ci_high,exact,bound,certificate")
        #expect(lines.count == 6)
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("small,linear,") && $0.contains(",600,") })
        let found = try verdicts(out)
        let claims = Set(found.map(\.claim))
        #expect(claims.isSuperset(of: ["identification", "exact-gaussian", "B", "M3"]))
        #expect(found.allSatisfy { $0.holds })
        #expect(result.stdout.contains("verdicts: \(found.count) holds, 0 fails, 0 inconclusive; all as expected"))
    }

    /// docs/ARCHITECTURE.md: the same seed gives the same bits for any number of ranks.
    @Test func sameSeedSameBytesForOneTwoAndThreeRanks() throws {
        let folder = try scratch("ranks")
        let file = try writeExperiment(in: folder)
        var numbers: [[Verdicts.Entry]] = []
        // distributions.csv and running.csv are merged in block order like the curves.
        let tables = try RunChecks.tablesForOneTwoAndThreeRanks(file, in: folder) { numbers.append(try verdicts($0)) }
        #expect(tables[1] == tables[0])
        #expect(tables[2] == tables[0])
        #expect(numbers[1] == numbers[0])
        #expect(numbers[2] == numbers[0])
    }

    /// SIGTERM (Slurm's and PBS's wall-time warning) checkpoints and exits 3; --resume then
    /// ends with the same bytes as a run that was never stopped.
    @Test func stopAndResumeGiveTheBytesOfAnUninterruptedRun() throws {
        let folder = try scratch("resume")
        let file = try writeExperiment(in: folder, RunTests.experiment.replacingOccurrences(of: "\"trials\": 600", with: "\"trials\": 12000"))
        let whole = folder.appendingPathComponent("whole")
        // The bytes are the point here, not the verdicts: any finished status will do.
        #expect(finishedRunStatuses.contains(try kdmc(["run", file, "--out", whole.path]).status))

        let stopped = folder.appendingPathComponent("stopped")
        #expect(try RunChecks.runStoppedByTerm(file, out: stopped) == 3)
        #expect(!FileManager.default.fileExists(atPath: stopped.appendingPathComponent("curves.csv").path))
        // The stopped run leaves a report of what it has, marked partial.
        let page = try String(contentsOf: stopped.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(page.contains("id=\"partial-marker\""))

        let resumed = try kdmc(["run", file, "--out", stopped.path, "--resume"])
        #expect(finishedRunStatuses.contains(resumed.status), "\(resumed.stderr)")
        let a = try Data(contentsOf: whole.appendingPathComponent("curves.csv"))
        let b = try Data(contentsOf: stopped.appendingPathComponent("curves.csv"))
        #expect(a == b)
        // The bin counts are kept in the checkpoint like every point.
        #expect(try Data(contentsOf: whole.appendingPathComponent("distributions.csv"))
            == Data(contentsOf: stopped.appendingPathComponent("distributions.csv")))
        #expect(try verdicts(whole) == verdicts(stopped))
    }

    /// A rank that dies mid-run (killed, as by the out-of-memory killer or a failed node)
    /// ends the whole job with a non-zero status; no rank is left waiting in a collective.
    /// `timeout` bounds the wait: a hang would end with its status 124 and fail the test.
    @Test func aRankKilledMidRunEndsTheJobNonZero() throws {
        let folder = try scratch("killed")
        let file = try writeExperiment(in: folder, RunTests.experiment.replacingOccurrences(of: "\"trials\": 600", with: "\"trials\": 10000000"))
        let out = folder.appendingPathComponent("out")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "120", "mpirun", "--oversubscribe", "-np", "3", TestFiles.executable.path,
                             "run", file, "--out", out.path]
        var environment = ProcessInfo.processInfo.environment
        removeLauncherVariables(&environment)
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        process.environment = environment
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        // Every rank is past setup once rank 0 has made the checkpoint folder and a progress
        // line shows trials done; then kill rank 1.
        var victim: pid_t?
        for _ in 0..<600 where victim == nil {
            Thread.sleep(forTimeInterval: 0.1)
            guard FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoints").path) else { continue }
            victim = Self.rank(1, runningWith: out.path)
        }
        let pid = try #require(victim, "rank 1 of the job was not found")
        Thread.sleep(forTimeInterval: 1)
        #expect(kill(pid, SIGKILL) == 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(process.terminationStatus != 124, "the job hung after rank 1 died: \(stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("curves.csv").path))
    }

    /// The process of MPI rank `rank` whose command line names `marker`, from /proc.
    static func rank(_ rank: Int, runningWith marker: String) -> pid_t? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = pid_t(entry),
                  let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: command, as: UTF8.self).contains(marker),
                  let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }

    /// The memory check runs on every rank before anything is allocated: an experiment whose
    /// points alone would take terabytes is refused at once, with the estimate and the cap
    /// (half the node's memory over the ranks mpirun put on it).
    @Test func anExperimentOverTheMemoryCapIsRefusedOnEveryRankCount() throws {
        let folder = try scratch("memory")
        let file = try writeExperiment(in: folder, """
        {"name": "huge", "geometry": "gaussian", "d": 100000000, "n": [1, 200000],
         "students": ["linear"], "solver": "closed", "stopping": {"trials": 2}, "sampler": "ambient"}
        """)
        let out = folder.appendingPathComponent("out")
        for ranks in 1...3 {
            let started = Date()
            let result = try mpirun(ranks: ranks, ["run", file, "--out", out.path])
            #expect(result.status == 2, "\(ranks) ranks: \(result.stderr)")
            #expect(result.stderr.contains("estimated peak memory per rank 145.") && result.stderr.contains("TiB"),
                    "\(ranks) ranks: \(result.stderr)")
            #expect(result.stderr.contains("over \(ranks) rank\(ranks == 1 ? "" : "s") on this node"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
            #expect(Date().timeIntervalSince(started) < 60)
        }
    }

    @Test func anInvalidFileExitsTwoOnEveryRankCountAndWritesNothing() throws {
        let folder = try scratch("invalid")
        let file = try writeExperiment(in: folder, RunTests.experiment.replacingOccurrences(of: "\"d\": 6", with: "\"d\": -6"))
        let out = folder.appendingPathComponent("existing")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try "keep".write(to: out.appendingPathComponent("note.txt"), atomically: true, encoding: .utf8)
        for ranks in 1...3 {
            let result = try mpirun(ranks: ranks, ["run", file, "--out", out.path])
            #expect(result.status == 2, "\(ranks) ranks")
            #expect(result.stderr.contains("d"))
            let left = try FileManager.default.contentsOfDirectory(atPath: out.path)
            #expect(left == ["note.txt"])
        }
    }
}

/// A singleton MPI started by another suite of this process leaves its launcher's variables
/// behind; a child kdmc or mpirun must not inherit them.
func removeLauncherVariables(_ environment: inout [String: String]) {
    for key in environment.keys where ["OMPI_", "PMIX_", "PMI_", "OPAL_", "ORTE_", "SLURM_"].contains(where: { key.hasPrefix($0) }) {
        environment[key] = nil
    }
}

/// Runs the built kdmc under `mpirun --oversubscribe -np N`.
func mpirun(ranks: Int, _ arguments: [String]) throws -> Outcome {
    try launch(URL(fileURLWithPath: "/usr/bin/env"),
               ["mpirun", "--oversubscribe", "-np", String(ranks), TestFiles.executable.path] + arguments,
               environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"])
}
