import Foundation
import Testing

/// jobs/: the Slurm script under a real one-node Slurm, the PBS script under a PBS-like
/// environment, and the progress lines they leave in batch logs.
@Suite(.serialized) struct JobScriptTests {
    static let jobs = TestFiles.packageRoot.appendingPathComponent("jobs")

    func scratch(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-jobs-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A cheap closed-solver experiment with `trials` trials in blocks of 50.
    static func experiment(trials: Int) -> String {
        RunTests.experiment.replacingOccurrences(of: "\"trials\": 600", with: "\"trials\": \(trials)")
    }

    struct Summary: Decodable {
        struct Experiment: Decodable { var trials: Int }
        var ranks: Int
        var experiments: [String: Experiment]
        var trials: [String: Int] { experiments.mapValues(\.trials) }
    }

    func summary(_ folder: URL) throws -> Summary {
        try JSONDecoder().decode(Summary.self, from: Data(contentsOf: folder.appendingPathComponent("summary.json")))
    }

    /// Progress lines of experiment 1 of 1 ("[1/1] small: 300/600 trials, …") and their trial counts.
    static func progressLines(_ text: String) -> [(line: String, done: Int, planned: Int)] {
        text.split(separator: "\n").compactMap { line -> (String, Int, Int)? in
            guard line.hasPrefix("[1/1] small: ") else { return nil }
            let counts = line.dropFirst("[1/1] small: ".count).prefix { $0 != " " }.split(separator: "/")
            guard counts.count == 2, let done = Int(counts[0]), let planned = Int(counts[1]) else { return nil }
            return (String(line), done, planned)
        }
    }

    // MARK: progress

    /// stderr not a terminal: plain lines with trials, rate and ETA, one per round with
    /// KDMC_PROGRESS_SECONDS=0, counts increasing to the total, then a final "done" line.
    @Test func progressInABatchLogIsPlainLinesEndingWithDone() throws {
        let folder = try scratch("progress")
        let file = try RunTests().writeExperiment(in: folder)
        let result = try kdmc(["run", file, "--out", folder.appendingPathComponent("out").path],
                              environment: ["KDMC_PROGRESS_SECONDS": "0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("\r") && !result.stderr.contains("\u{1B}["), "terminal control characters in a batch log")
        let lines = Self.progressLines(result.stderr)
        try #require(lines.count >= 4, "expected a line per round, got:\n\(result.stderr)")
        let running = lines.dropLast()
        for entry in running {
            #expect(entry.planned == 600)
            #expect(entry.line.range(of: #"\d+/600 trials, \d+\.\d trials/s, ETA (\d+ s|\d+ min \d+ s|\?)$"#,
                                     options: .regularExpression) != nil, "\(entry.line)")
        }
        let counts = running.map(\.done)
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 < $1 }, "counts not increasing: \(counts)")
        #expect(counts.last == 600)
        let final = try #require(lines.last)
        #expect(final.done == 600)
        #expect(final.line.range(of: #"600/600 trials, \d+\.\d trials/s, done in \d+\.\d s$"#, options: .regularExpression) != nil,
                "\(final.line)")
        #expect(result.stderr.split(separator: "\n").last.map(String.init) == final.line)
    }

    /// Sequential stopping: the lines name the widest intervals against their target, until
    /// the run stops at the target.
    @Test func sequentialProgressShowsTheWidestHalfWidthsAgainstTheTarget() throws {
        let folder = try scratch("sequential")
        let file = try RunTests().writeExperiment(in: folder)
        let result = try kdmc(["run", file, "--out", folder.appendingPathComponent("out").path, "--target-ci", "0.01"],
                              environment: ["KDMC_PROGRESS_SECONDS": "0"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Self.progressLines(result.stderr)
        try #require(lines.count >= 2, "\(result.stderr)")
        let first = lines[0].line
        #expect(first.range(of: #"; half-width above target at \d+/\d+ points: linear n=\d+ [a-z-]+ [0-9.e-]+ > 0\.01"#,
                            options: .regularExpression) != nil, "\(first)")
        let final = try #require(lines.last)
        #expect(final.line.range(of: #"done in \d+\.\d s; all \d+ half-widths at target$"#, options: .regularExpression) != nil,
                "\(final.line)")
    }

    // MARK: PBS

    /// PBS_NODEFILE with three lines → three ranks, run from PBS_O_WORKDIR.
    @Test func pbsScriptTakesItsRankCountFromTheNodeFile() throws {
        let folder = try scratch("pbs")
        try Self.experiment(trials: 600).write(to: folder.appendingPathComponent("tiny.json"), atomically: true, encoding: .utf8)
        let nodes = folder.appendingPathComponent("nodefile")
        let host = LocalSlurm.shortHostName()
        try String(repeating: host + "\n", count: 3).write(to: nodes, atomically: true, encoding: .utf8)
        let result = try launch(URL(fileURLWithPath: "/bin/bash"),
                                [Self.jobs.appendingPathComponent("pbs.sh").path, "tiny.json", "out"],
                                environment: ["PBS_NODEFILE": nodes.path, "PBS_O_WORKDIR": folder.path,
                                              "PBS_JOBID": "4242.pbs-test", "KDMC": TestFiles.executable.path,
                                              "KDMC_PRESETS": nil],
                                in: FileManager.default.temporaryDirectory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("kdmc job: PBS job 4242.pbs-test"))
        #expect(result.stderr.contains("kdmc job: 3 ranks: mpirun -np 3 --hostfile \(nodes.path)"), "\(result.stderr)")
        let out = folder.appendingPathComponent("out")
        let found = try summary(out)
        #expect(found.ranks == 3)
        #expect(found.trials == ["small": 600])
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("curves.csv").path))
    }

    @Test func jobScriptsSayWhatIsMissing() throws {
        let folder = try scratch("missing")
        let noBinary = try launch(URL(fileURLWithPath: "/bin/bash"),
                                  [Self.jobs.appendingPathComponent("local.sh").path, "-n", "1", "default", "out"],
                                  environment: ["KDMC": folder.appendingPathComponent("nowhere/kdmc").path], in: folder)
        #expect(noBinary.status == 1)
        #expect(noBinary.stderr.contains("kdmc job: no kdmc executable at \(folder.path)/nowhere/kdmc; build it first"))
        let usage = try launch(URL(fileURLWithPath: "/bin/bash"), [Self.jobs.appendingPathComponent("pbs.sh").path],
                               environment: ["KDMC": TestFiles.executable.path, "PBS_O_WORKDIR": folder.path], in: folder)
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("kdmc job: usage: qsub"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    // MARK: Slurm

    /// The Slurm script under a real Slurm: a run of a small preset under 2 tasks; the same run
    /// stopped by SIGUSR1 to the batch shell (Slurm's wall-time warning) exits 3 with a
    /// checkpoint; resubmitted, it resumes and ends with the bytes of the uninterrupted run.
    @Test func slurmScriptRunsStopsAndResumesUnderARealSlurm() throws {
        let folder = try scratch("slurm")
        let presets = folder.appendingPathComponent("presets")
        try FileManager.default.createDirectory(at: presets, withIntermediateDirectories: true)
        try Self.experiment(trials: 12000).write(to: presets.appendingPathComponent("tiny.json"), atomically: true, encoding: .utf8)

        let slurm = try LocalSlurm()
        defer { slurm.stop() }
        // The job inherits sbatch's environment; KDMC_HOME is left unset, so the script finds
        // the package from the path it was submitted with.
        func submit(_ name: String, _ out: String) throws -> (process: SpawnedProcess, log: URL) {
            try slurm.submitJobScript(name, preset: "tiny", out: out, presets: presets, in: folder)
        }
        func text(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        func waitForEnd(_ process: SpawnedProcess) throws {
            try slurm.waitFor("sbatch --wait to return", seconds: 240) { !process.isRunning }
        }

        // 1. Uninterrupted.
        let whole = try submit("kdmc-whole", "whole")
        try waitForEnd(whole.process)
        let wholeLog = text(whole.log)
        // kdmc's status: a finished run, whatever its verdicts (the scripts are under test here).
        #expect(whole.process.exitStatus.map(finishedRunStatuses.contains) == true, "\(wholeLog)\n\(slurm.logs())")
        #expect(wholeLog.contains("kdmc job: 2 ranks: mpirun -np 2 "), "\(wholeLog)")
        #expect(wholeLog.contains("kdmc job: done: outputs in whole"))
        let wholeOut = folder.appendingPathComponent("whole")
        let wholeSummary = try summary(wholeOut)
        #expect(wholeSummary.ranks == 2)
        #expect(wholeSummary.trials == ["small": 12000])

        // 2. Stopped once progress shows it running: SIGUSR1 to the batch shell only.
        let stopped = try submit("kdmc-stopped", "stopped")
        try slurm.waitFor("the job's first progress line", seconds: 120) {
            !stopped.process.isRunning || Self.progressLines(text(stopped.log)).contains { $0.done < $0.planned }
        }
        let signal = try slurm.run("scancel", ["--batch", "--signal=USR1", "--name=kdmc-stopped"])
        #expect(signal.status == 0, "\(signal.stderr)")
        try waitForEnd(stopped.process)
        let stoppedLog = text(stopped.log)
        let stoppedOut = folder.appendingPathComponent("stopped")
        #expect(stopped.process.exitStatus == 3, "\(stoppedLog)")
        #expect(stoppedLog.contains("kdmc job: SIGUSR1 received"), "\(stoppedLog)")
        #expect(stoppedLog.contains("kdmc: stopped on request during 'small'"), "\(stoppedLog)")
        #expect(stoppedLog.contains("kdmc job: stopped with a checkpoint in stopped/checkpoints; submit the same job again"))
        #expect(FileManager.default.fileExists(atPath: stoppedOut.appendingPathComponent("checkpoints/0-small.checkpoint").path))
        #expect(!FileManager.default.fileExists(atPath: stoppedOut.appendingPathComponent("curves.csv").path))
        let reached = Self.progressLines(stoppedLog).map(\.done).max() ?? 0
        #expect(reached > 0 && reached < 12000, "\(stoppedLog)")

        // 3. Resubmitted: resumes from the checkpoint and ends with the uninterrupted bytes.
        let resumed = try submit("kdmc-resumed", "stopped")
        try waitForEnd(resumed.process)
        let resumedLog = text(resumed.log)
        #expect(resumed.process.exitStatus == whole.process.exitStatus, "\(resumedLog)")
        #expect(resumedLog.contains("kdmc job: resuming from the checkpoints in stopped/checkpoints"), "\(resumedLog)")
        #expect(resumedLog.contains(" --resume"))
        let firstResumed = Self.progressLines(resumedLog).first?.done ?? 0
        #expect(firstResumed > reached, "the resumed run started at \(firstResumed) trials, the stopped one reached \(reached)")
        let a = try Data(contentsOf: wholeOut.appendingPathComponent("curves.csv"))
        let b = try Data(contentsOf: stoppedOut.appendingPathComponent("curves.csv"))
        #expect(a == b)
        #expect(try RunTests().verdicts(wholeOut) == RunTests().verdicts(stoppedOut))
        #expect(try summary(stoppedOut).trials == ["small": 12000])
    }
}
