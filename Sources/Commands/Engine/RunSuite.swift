import Distillation
import Numerics
import Foundation
import MPI
import MonteCarlo
import Report
import SystemIO
import Experiments

/// Exit status of a run stopped by SIGTERM/SIGUSR1 after writing its checkpoint: resubmit
/// with --resume.
let resumableExitStatus: Int32 = 3

/// Runs a validated suite on every rank: MPI starts here, each experiment goes through the
/// engine in turn, and rank 0 writes curves.csv and summary.json and prints the verdicts.
///
/// Every error after MPI has started is one every rank agrees on: a setup error is the same on
/// every rank, the engine ends all ranks together when one fails, and rank 0's file work is
/// broadcast (``SuiteRunner/onRoot(_:)``). So each rank returns the error, rank 0 prints it as
/// one line, and all leave through MPI_Finalize with exit status 1, without an MPI abort.
func runSuite(_ suite: ExperimentSuite, settings: RunSettings) throws -> Int32 {
    try startParallelRun()
    do {
        try InterruptSignals.install()
    } catch {
        throw CommandFailure("cannot install the SIGTERM/SIGUSR1 handlers: \(error)")
    }
    let collective = MPICollective()
    var runner = SuiteRunner(suite: suite, settings: settings, collective: collective)
    do {
        return try runner.run()
    } catch let failure as CommandFailure {
        throw failure
    } catch {
        throw CommandFailure("\(error)")
    }
}

struct SuiteRunner {
    let suite: ExperimentSuite
    let settings: RunSettings
    let collective: MPICollective
    /// The locked output folder (rank 0 only).
    var output: OutputFolder?

    init(suite: ExperimentSuite, settings: RunSettings, collective: MPICollective) {
        self.suite = suite
        self.settings = settings
        self.collective = collective
    }

    /// Rounds of about 10 s: a stop request (Slurm's warning signal) is honoured within that
    /// or one block's time, whichever is longer, and progress comes as often.
    static let roundSeconds = 10.0
    /// Up to 8 blocks per rank in a round of fast trials, so uneven trial costs average out.
    static let maximumBlocksPerRound = 8

    var folder: URL { settings.outputFolder }
    var checkpoints: URL { folder.appendingPathComponent("checkpoints") }

    mutating func run() throws -> Int32 {
        let baseDirectory = settings.experimentFile.deletingLastPathComponent()
        // Build every experiment first: a setup problem stops the run before any trial.
        let trials = try suite.points.map { try DistillationTrial(spec: $0, baseDirectory: baseDirectory) }
        try onRoot { runner in try runner.prepareFolder() }
        if collective.isRoot {
            for spec in suite.points {
                if let notice = TrialRounding(spec).notice(experiment: spec.name) { Diagnostics.line("kdmc: note: " + notice) }
            }
        }
        let hosts = try collective.gatherToRoot(Array(MPIRuntime.hostName.utf8))?.map { String(decoding: $0, as: UTF8.self) } ?? []

        var results: [(ExperimentResult, Int)] = []
        var distributions: [DistributionRow] = []
        var running: [RunningRow] = []
        let start = Date()
        for (index, trial) in trials.enumerated() {
            let spec = trial.spec
            let checkpoint = checkpoints.appendingPathComponent(Self.checkpointName(index, spec.name))
            let setup = try EngineSetup(spec, trial.layout)
            // The engine also counts each trial's risk in fixed bins (distributions.csv).
            let distribution = RiskDistribution(layout: trial.layout)
            var configuration = EngineConfiguration(
                pointCount: trial.layout.count + distribution.count, blockSize: spec.blockSize,
                blocksPerRankPerRound: Self.maximumBlocksPerRound,
                stopping: setup.stopping, confidenceLevel: spec.confidence,
                identity: setup.identity,
                checkpoint: CheckpointPolicy(path: checkpoint.path, everySeconds: 30),
                roundSeconds: Self.roundSeconds,
                covarianceGroups: trial.layout.riskCurves.map(\.points))
            configuration.part = settings.part
            let engine = try TrialEngine(configuration: configuration)
            let resume = settings.resume && FileManager.default.fileExists(atPath: checkpoint.path)
            var progress = ProgressPrinter(experiment: spec.name, index: index, count: trials.count,
                                           pointNames: trial.layout.keys.map { "\($0.student) n=\($0.n) \($0.quantity.rawValue)" })
            var estimate = RunningEstimate(experiment: spec.name, distribution: distribution, confidence: spec.confidence)
            let outcome = try engine.run(on: collective, resume: resume,
                                         progress: { progress.report($0) },
                                         merged: { estimate.record($0) },
                                         trial: { index in
                                             let values = try trial.evaluate(trial: index)
                                             return values + distribution.indicators(values)
                                         })
            switch outcome.status {
            case .interrupted(let resumable):
                progress.stop()
                if collective.isRoot {
                    Diagnostics.error(resumable
                        ? "stopped on request during '\(spec.name)'; checkpoint saved in \(checkpoints.path); continue with: kdmc run \(settings.experimentFile.path) --out \(folder.path) --resume"
                        : "stopped on request during '\(spec.name)' before a checkpoint could be written")
                    if resumable && settings.part == nil { writePartialReport() }
                    if output?.hasPrevious == true, let previous = output?.previousURL.path {
                        Diagnostics.line("the earlier run's outputs are kept in \(previous) until this run completes")
                    }
                }
                return resumable ? resumableExitStatus : 1
            case .finished(let reason):
                progress.finish(trials: outcome.statistics?.trials)
                if collective.isRoot, let intervals = outcome.intervals {
                    let stop = ExperimentResult.stop(reason)
                    distributions += distribution.rows(experiment: spec.name, intervals: intervals)
                    running += estimate.thinned()
                    let groups = outcome.statistics?.groups ?? []
                    results.append((ExperimentResult(trial: trial, intervals: Array(intervals.prefix(trial.layout.count)),
                                                     groups: groups, stopReason: stop.reason, targetMet: stop.targetMet,
                                                     timing: outcome.timing),
                                    outcome.statistics?.trials ?? 0))
                }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        var status: Int32 = 0
        let provenance = RunProvenance.make(ranks: collective.size, hosts: hosts, started: start, ended: Date(),
                                            seeds: Self.seeds(suite))
        try onRoot { runner in
            if let part = runner.settings.part {
                // What the merge puts into the merged run's provenance for this part.
                let record = SummaryDocument.Provenance.Part(part: part.description, ranks: provenance.ranks, hosts: provenance.hosts,
                                                             commandLine: provenance.commandLine,
                                                             started: provenance.started, ended: provenance.ended)
                try Files.writeAtomically(try PartRecord.encoder.encode(record),
                                          to: runner.checkpoints.appendingPathComponent(PartRecord.fileName).path)
                Diagnostics.line("part \(part) done; its blocks are in \(runner.checkpoints.path). When every part is done: kdmc merge OUT FOLDER-OF-PART-1 ... FOLDER-OF-PART-\(part.count)")
            } else {
                status = try runner.writeOutputs(results, distributions: distributions, running: running, seconds: seconds,
                                                 provenance: provenance)
            }
        }
        // Every rank leaves with rank 0's verdict status (mpirun reports the first non-zero).
        let word = try collective.broadcast(collective.isRoot ? [UInt8(status)] : [], root: 0)
        return Int32(word.first ?? 1)
    }

    /// Says which points lost trials (a solve that did not give a finite risk); a point that
    /// kept none is an error of the run, after its outputs are written for inspection.
    static func reportDropped(_ assembly: RunAssembly) throws {
        for point in assembly.dropped {
            Diagnostics.line("kdmc: \(point.experiment) / \(point.student) n = \(point.n): \(point.dropped) of \(point.trials) trials dropped (their solve gave no finite risk)")
        }
        let empty = assembly.emptyPoints
        if !empty.isEmpty {
            let list = empty.prefix(5).map { "\($0.experiment) / \($0.student) n = \($0.n)" }.joined(separator: ", ")
            throw CommandFailure("\(empty.count) curve point\(empty.count == 1 ? "" : "s") kept no valid trial (\(list)\(empty.count > 5 ? ", …" : "")); no verdict on them holds; check the teacher norm, temperature and solver settings")
        }
    }

    /// Runs `body` on rank 0 and tells every rank how it went, so that a failure there (a full
    /// disk, a locked folder) ends every rank with the same error instead of leaving them
    /// waiting in a collective.
    mutating func onRoot(_ body: (inout SuiteRunner) throws -> Void) throws {
        var message = ""
        if collective.isRoot {
            do {
                try body(&self)
            } catch let failure as CommandFailure {
                message = failure.message
            } catch {
                message = "\(error)"
            }
        }
        let agreed = try collective.broadcast(Array(message.utf8), root: 0)
        if !agreed.isEmpty { throw CommandFailure(String(decoding: agreed, as: UTF8.self)) }
    }

    /// A stopped run leaves a report of what it has, marked partial (as `kdmc report` would
    /// build it); failing to write it must not hide the checkpoint, so it is only mentioned.
    mutating func writePartialReport() {
        do {
            let content = try RunFolder.partialContent(folder)
            let built = ReportPage.build(content)
            try output?.claim(RunFolder.files(of: built))
            try RunFolder.write(built, to: folder)
            Diagnostics.line("partial report: \(folder.appendingPathComponent(ReportPage.fileName).path)")
        } catch let failure as CommandFailure {
            Diagnostics.error("no partial report: \(failure.message)")
        } catch {
            Diagnostics.error("no partial report: \(error)")
        }
    }

    /// Locks the folder; a fresh run sets the earlier run's files aside (previous/) so that,
    /// if this one is stopped, `kdmc report` finds this run's checkpoints rather than another
    /// run's results, while the earlier result is kept until this one completes; --resume keeps
    /// everything. The manifest beside the checkpoints records what `kdmc report` needs to
    /// rebuild curves from them (the configuration, where its data files live).
    mutating func prepareFolder() throws {
        var output = try OutputFolder.open(folder)
        if !settings.resume { try output.startFresh() }
        let names = suite.points.enumerated().map { Self.checkpointName($0.offset, $0.element.name) }
        try output.claim(["checkpoints/" + RunManifest.fileName] + names.map { "checkpoints/" + $0 })
        do {
            try Files.makeFolder(checkpoints.path)
        } catch {
            throw CommandFailure("cannot create \(error.path): \(error.reason)")
        }
        let manifest = RunManifest(
            version: kdmcVersion, ranks: collective.size, configuration: try Self.configurationText(suite),
            baseDirectory: settings.experimentFile.deletingLastPathComponent().path,
            checkpoints: names)
        try output.write(try manifest.encoded(), to: checkpoints.appendingPathComponent(RunManifest.fileName))
        self.output = output
    }

    static func seeds(_ suite: ExperimentSuite) -> [String: UInt64] {
        Dictionary(suite.points.map { ($0.name, $0.seed) }, uniquingKeysWith: { first, _ in first })
    }

    /// Writes the tables, summary and report of finished experiments (a run, or merged parts);
    /// returns the verdicts' exit status (0, or 4/5).
    mutating func writeOutputs(_ results: [(ExperimentResult, Int)], distributions: [DistributionRow],
                               running: [RunningRow], seconds: Double,
                               provenance: SummaryDocument.Provenance) throws -> Int32 {
        var assembly = RunAssembly()
        var timings: [String: Double] = ["total_seconds": seconds]
        for (result, trials) in results {
            assembly.add(result, trials: trials)
            let name = result.trial.spec.name
            if let timing = result.timing {
                timings["\(name).seconds"] = timing.wallSeconds
                timings["\(name).efficiency"] = timing.efficiency
                timings["\(name).worst_round_imbalance"] = timing.worstRoundImbalance
            }
        }
        let sweeps = assembly.finishSweeps(specs: suite.experiments)
        var summary = SummaryDocument(
            version: kdmcVersion, ranks: provenance.ranks, partial: false, configuration: suite.json,
            experiments: assembly.experiments, fits: assembly.fits, verdicts: assembly.verdicts, timings: timings,
            randomStreamVersion: RandomStream.version, sweeps: sweeps.isEmpty ? nil : sweeps)
        summary.provenance = provenance
        // The report is built from the same rows and summary that `kdmc report` reads back, so
        // a rebuild gives the same page.
        let built = ReportPage.build(ReportContent(rows: assembly.rows, summary: summary,
                                                   distributions: distributions, running: running))
        var outputs: [(path: String, data: Data)] = [
            ("curves.csv", Data(CurvesCSV.render(assembly.rows).utf8)),
            ("summary.json", try summary.encoded()),
            (DistributionsCSV.fileName, Data(DistributionsCSV.render(distributions).utf8)),
            (RunningCSV.fileName, Data(RunningCSV.render(running).utf8)),
        ]
        if !sweeps.isEmpty { outputs.append((SweepsCSV.fileName, Data(SweepsCSV.render(sweeps).utf8))) }
        outputs += built.figures.map { (ReportPage.figuresFolder + "/" + $0.name, Data($0.svg.utf8)) }
        outputs.append((ReportPage.fileName, Data(built.html.utf8)))
        guard var output else { preconditionFailure("outputs are written by rank 0 after prepareFolder") }
        try output.commit(outputs)
        self.output = output
        print(VerdictTable.render(assembly.verdicts, suite: suite.name, folder: folder.path))
        if !sweeps.isEmpty { print(SweepTable.render(sweeps)) }
        try Self.reportDropped(assembly)
        return assembly.verdicts.exitStatus
    }

    static func configurationText(_ suite: ExperimentSuite) throws -> String {
        String(decoding: try EngineSetup.canonicalEncoder.encode(suite.json), as: UTF8.self)
    }

    static func checkpointName(_ index: Int, _ experiment: String) -> String {
        "\(index)-\(fileName(experiment)).checkpoint"
    }

    static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}

let kdmcVersion = "0.1.0"
