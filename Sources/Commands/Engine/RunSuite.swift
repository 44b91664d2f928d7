import Distillation
import Foundation
import MPI
import MonteCarlo
import Report
import Experiments

/// Exit status of a run stopped by SIGTERM/SIGUSR1 after writing its checkpoint: resubmit
/// with --resume.
let resumableExitStatus: Int32 = 3

/// Runs a validated suite on every rank: MPI starts here, each experiment goes through the
/// engine in turn, and rank 0 writes curves.csv and summary.json and prints the verdicts.
/// Any error after MPI has started ends the whole job through MPI_Abort, so no rank is left
/// waiting in a collective.
func runSuite(_ suite: ExperimentSuite, settings: RunSettings) throws -> Int32 {
    try startParallelRun()
    InterruptSignals.install()
    let collective = MPICollective()
    do {
        return try SuiteRunner(suite: suite, settings: settings, collective: collective).run()
    } catch {
        // A setup error is the same on every rank; let rank 0 say it once.
        if collective.rank != 0 { Thread.sleep(forTimeInterval: 5) }
        MPIRuntime.abort("\(error)")
    }
}

struct SuiteRunner {
    let suite: ExperimentSuite
    let settings: RunSettings
    let collective: MPICollective

    /// Rounds of about 10 s: a stop request (Slurm's warning signal) is honoured within that
    /// or one block's time, whichever is longer, and progress comes as often.
    static let roundSeconds = 10.0
    /// Up to 8 blocks per rank in a round of fast trials, so uneven trial costs average out.
    static let maximumBlocksPerRound = 8

    var folder: URL { settings.outputFolder }
    var checkpoints: URL { folder.appendingPathComponent("checkpoints") }

    func run() throws -> Int32 {
        let baseDirectory = settings.experimentFile.deletingLastPathComponent()
        // Build every experiment first: a setup problem stops the run before any trial.
        let trials = try suite.experiments.map { try DistillationTrial(spec: $0, baseDirectory: baseDirectory) }
        if collective.isRoot {
            try prepareFolder()
            for spec in suite.experiments {
                if let notice = TrialRounding(spec).notice(experiment: spec.name) { Diagnostics.line("kdmc: note: " + notice) }
            }
        }
        try collective.barrier()
        let hosts = try collective.gatherToRoot(Array(MPIRuntime.hostName.utf8))?.map { String(decoding: $0, as: UTF8.self) } ?? []

        var results: [ExperimentResult] = []
        var distributions: [DistributionRow] = []
        var running: [RunningRow] = []
        let start = Date()
        for (index, trial) in trials.enumerated() {
            let spec = trial.spec
            let checkpoint = checkpoints.appendingPathComponent(Self.checkpointName(index, spec.name))
            let setup = try Self.engineSetup(spec, trial.layout)
            // The engine also counts each trial's risk in fixed bins (distributions.csv).
            let distribution = RiskDistribution(layout: trial.layout)
            var configuration = EngineConfiguration(
                pointCount: trial.layout.count + distribution.count, blockSize: spec.blockSize,
                blocksPerRankPerRound: Self.maximumBlocksPerRound,
                stopping: setup.stopping, confidenceLevel: spec.confidence,
                identity: setup.identity,
                checkpoint: CheckpointPolicy(path: checkpoint.path, everySeconds: 30),
                roundSeconds: Self.roundSeconds)
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
                }
                return resumable ? resumableExitStatus : 1
            case .finished(let reason):
                progress.finish(trials: outcome.statistics?.trials)
                if collective.isRoot, let intervals = outcome.intervals {
                    distributions += distribution.rows(experiment: spec.name, intervals: intervals)
                    running += estimate.thinned()
                    results.append(ExperimentResult(trial: trial, intervals: Array(intervals.prefix(trial.layout.count)),
                                                    stopReason: reason.rawValue, timing: outcome.timing))
                }
            }
        }
        if collective.isRoot, let part = settings.part {
            Diagnostics.line("part \(part) done; its blocks are in \(checkpoints.path). When every part is done: kdmc merge OUT FOLDER-OF-PART-1 ... FOLDER-OF-PART-\(part.count)")
        } else if collective.isRoot {
            try writeOutputs(results, distributions: distributions, running: running, seconds: Date().timeIntervalSince(start),
                             provenance: RunProvenance.make(ranks: collective.size, hosts: hosts, started: start, ended: Date(),
                                                            seeds: Self.seeds(suite)))
        }
        try collective.barrier()
        return 0
    }

    /// A stopped run leaves a report of what it has, marked partial (as `kdmc report` would
    /// build it); failing to write it must not hide the checkpoint, so it is only mentioned.
    func writePartialReport() {
        do {
            let content = try RunFolder.partialContent(folder, engineSetup: Self.engineSetup)
            try RunFolder.write(ReportPage.build(content), to: folder)
            Diagnostics.line("partial report: \(folder.appendingPathComponent(ReportPage.fileName).path)")
        } catch {
            Diagnostics.error("no partial report: \(error)")
        }
    }

    /// A fresh run replaces an earlier run's checkpoints in the same folder; --resume keeps them.
    /// A fresh run also removes the earlier run's tables and report, so that if it is stopped,
    /// `kdmc report` finds this run's checkpoints rather than another run's results. The
    /// manifest beside the checkpoints records what `kdmc report` needs to rebuild curves from
    /// them (the configuration, where its data files live).
    func prepareFolder() throws {
        let manager = FileManager.default
        if !settings.resume {
            if manager.fileExists(atPath: checkpoints.path) { try manager.removeItem(at: checkpoints) }
            for stale in ["curves.csv", "summary.json", DistributionsCSV.fileName, RunningCSV.fileName, ReportPage.fileName, ReportPage.figuresFolder] {
                let url = folder.appendingPathComponent(stale)
                if manager.fileExists(atPath: url.path) { try manager.removeItem(at: url) }
            }
        }
        try manager.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        let manifest = RunManifest(
            version: kdmcVersion, ranks: collective.size, configuration: try Self.configurationText(suite),
            baseDirectory: settings.experimentFile.deletingLastPathComponent().path,
            checkpoints: suite.experiments.enumerated().map { Self.checkpointName($0.offset, $0.element.name) })
        try OutputFiles.write(try manifest.encoded(), to: checkpoints.appendingPathComponent(RunManifest.fileName))
    }

    func writeOutputs(_ results: [ExperimentResult], distributions: [DistributionRow], running: [RunningRow],
                      seconds: Double, provenance: SummaryDocument.Provenance) throws {
        try Self.writeOutputs(results, distributions: distributions, running: running, suite: suite, folder: folder,
                              ranks: collective.size, seconds: seconds, provenance: provenance)
    }

    static func seeds(_ suite: ExperimentSuite) -> [String: UInt64] {
        Dictionary(suite.experiments.map { ($0.name, $0.seed) }, uniquingKeysWith: { first, _ in first })
    }

    /// The tables, summary and report of finished experiments (a run, or merged parts).
    static func writeOutputs(_ results: [ExperimentResult], distributions: [DistributionRow], running: [RunningRow],
                             suite: ExperimentSuite, folder: URL, ranks: Int, seconds: Double,
                             provenance: SummaryDocument.Provenance) throws {
        var rows: [CurveRow] = []
        var fits: [SummaryDocument.Fit] = []
        var verdicts: [Verdict] = []
        var experiments: [String: SummaryDocument.Experiment] = [:]
        var timings: [String: Double] = ["total_seconds": seconds]
        for result in results {
            let experimentRows = ExperimentAnalysis.rows(result)
            let experimentFits = ExperimentAnalysis.fits(result)
            rows += experimentRows
            fits += experimentFits
            verdicts += ExperimentAnalysis.verdicts(result, rows: experimentRows, fits: experimentFits)
            let name = result.trial.spec.name
            experiments[name] = SummaryDocument.Experiment(spec: result.trial.spec, sampler: result.trial.sampler,
                                                           trials: result.trials, stopReason: result.stopReason)
            if let timing = result.timing {
                timings["\(name).seconds"] = timing.wallSeconds
                timings["\(name).efficiency"] = timing.efficiency
                timings["\(name).worst_round_imbalance"] = timing.worstRoundImbalance
            }
        }
        var summary = SummaryDocument(
            version: kdmcVersion, ranks: ranks, partial: false, configuration: suite.json,
            experiments: experiments, fits: fits, verdicts: verdicts, timings: timings)
        summary.provenance = provenance
        try OutputFiles.write(Data(CurvesCSV.render(rows).utf8), to: folder.appendingPathComponent("curves.csv"))
        try OutputFiles.write(try summary.encoded(), to: folder.appendingPathComponent("summary.json"))
        try OutputFiles.write(Data(DistributionsCSV.render(distributions).utf8),
                              to: folder.appendingPathComponent(DistributionsCSV.fileName))
        try OutputFiles.write(Data(RunningCSV.render(running).utf8), to: folder.appendingPathComponent(RunningCSV.fileName))
        // The report is built from the same rows and summary that `kdmc report` reads back, so
        // a rebuild gives the same page.
        try RunFolder.write(ReportPage.build(ReportContent(rows: rows, summary: summary, distributions: distributions, running: running)), to: folder)
        print(VerdictTable.render(verdicts, suite: suite.name, folder: folder.path))
    }

    /// The sequential target watches the curves (risk, certificate, paired differences), not
    /// the solver diagnostics.
    /// The stopping rule and checkpoint identity of an experiment: what a run gives its engine
    /// and what `kdmc report` needs to read that run's checkpoints.
    static func engineSetup(_ spec: ExperimentSpec, _ layout: CurveLayout) throws -> EngineSetup {
        EngineSetup(stopping: rule(spec.stopping, watching: layout.curvePoints), identity: try identity(spec))
    }

    static func rule(_ stopping: StoppingSpec, watching points: [Int]) -> StoppingRule {
        switch stopping {
        case .fixed(let trials):
            return .fixed(trials: trials)
        case .sequential(let s):
            var target = SequentialTarget(minimumTrials: s.minTrials, maximumTrials: s.maxTrials,
                                          wallTimeLimit: s.wallTime, watchedPoints: points)
            switch s.target {
            case .absolute(let x): target.absoluteHalfWidth = x
            case .relative(let x): target.relativeHalfWidth = x
            }
            return .sequential(target)
        }
    }

    /// Everything that changes a trial's numbers: the experiment without its stopping rule
    /// (so a resumed run may be given more trials).
    static func identity(_ spec: ExperimentSpec) throws -> String {
        var stripped = spec
        stripped.stopping = .defaultRule
        return String(decoding: try canonicalEncoder.encode(stripped.json), as: UTF8.self)
    }

    static func configurationText(_ suite: ExperimentSuite) throws -> String {
        String(decoding: try canonicalEncoder.encode(suite.json), as: UTF8.self)
    }

    static let canonicalEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func checkpointName(_ index: Int, _ experiment: String) -> String {
        "\(index)-\(fileName(experiment)).checkpoint"
    }

    static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}

let kdmcVersion = "0.1.0"

/// Outputs appear whole or not at all: written beside, then renamed over the old file.
enum OutputFiles {
    static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        try data.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure("cannot write \(url.path): \(reason)")
        }
    }
}
