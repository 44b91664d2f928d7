import Distillation
import Foundation
import MonteCarlo
internal import SystemIO
import Experiments

/// What `kdmc run` leaves in checkpoints/ so that a stopped run can be reported without its
/// experiment file: checkpoints hold only statistics, and turning them into curves needs the
/// configuration that produced them (the curve layout, the exact reference, the bound).
package struct RunManifest: Sendable, Codable, Equatable {
    package static let fileName = "run.json"

    package var tool: String
    package var version: String
    package var ranks: Int
    /// The suite as run (canonical JSON, command-line overrides applied), as in summary.json.
    package var configuration: String
    /// Folder of the experiment file: data files are named relative to it.
    package var baseDirectory: String
    /// Checkpoint file name of each experiment, in suite order.
    package var checkpoints: [String]

    package init(tool: String = "kdmc", version: String, ranks: Int, configuration: String, baseDirectory: String,
                checkpoints: [String]) {
        self.tool = tool
        self.version = version
        self.ranks = ranks
        self.configuration = configuration
        self.baseDirectory = baseDirectory
        self.checkpoints = checkpoints
    }

    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// Why a report could not be built or written; each says what to do.
package enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    case noFolder(folder: String)
    case noRun(folder: String)
    case unreadable(path: String, reason: String)
    case badManifest(path: String, reason: String)
    case badConfiguration(path: String, reason: String)
    case checkpointMismatch(path: String, reason: String)
    case cannotWrite(path: String, reason: String)

    package var description: String {
        switch self {
        case .noFolder(let folder):
            return "\(folder) does not exist; give the --out folder of a kdmc run"
        case .noRun(let folder):
            return "\(folder) holds no run: neither curves.csv with summary.json (a finished run) nor checkpoints/\(RunManifest.fileName) (a stopped one); give the --out folder of a kdmc run"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .badManifest(let path, let reason):
            return "\(path) is not a kdmc run manifest (\(reason)); rerun the experiment"
        case .badConfiguration(let path, let reason):
            return "the configuration recorded in \(path) cannot be rebuilt: \(reason)"
        case .checkpointMismatch(let path, let reason):
            return "checkpoint \(path) does not belong to the recorded configuration: \(reason)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

/// A run's output folder as the report sees it.
package enum RunFolder {
    package enum Kind: Sendable, Equatable {
        case complete
        case partial
    }

    /// Which outputs the folder holds: a finished run's tables win over checkpoints (a finished
    /// run keeps its checkpoints too).
    package static func kind(of folder: URL) throws(ReportError) -> Kind {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw .noFolder(folder: folder.path)
        }
        if manager.fileExists(atPath: folder.appendingPathComponent("curves.csv").path),
           manager.fileExists(atPath: folder.appendingPathComponent("summary.json").path) {
            return .complete
        }
        if manager.fileExists(atPath: manifestURL(folder).path) { return .partial }
        throw .noRun(folder: folder.path)
    }

    package static func manifestURL(_ folder: URL) -> URL {
        folder.appendingPathComponent("checkpoints").appendingPathComponent(RunManifest.fileName)
    }

    /// A finished run: curves.csv and summary.json, read back exactly as written.
    package static func completeContent(_ folder: URL) throws(ReportError) -> ReportContent {
        let csvURL = folder.appendingPathComponent("curves.csv")
        let summaryURL = folder.appendingPathComponent("summary.json")
        let rows: [CurveRow]
        let summary: SummaryDocument
        do {
            rows = try CurvesCSV.parse(String(decoding: try Files.readRegular(csvURL.path), as: UTF8.self))
        } catch {
            throw .unreadable(path: csvURL.path, reason: "\(error)")
        }
        do {
            summary = try SummaryDocument.decode(Data(try Files.readRegular(summaryURL.path)))
        } catch {
            throw .unreadable(path: summaryURL.path, reason: "\(error)")
        }
        // Runs written before distributions.csv existed have none; the page then has no panel.
        var distributions: [DistributionRow] = []
        let distributionsURL = folder.appendingPathComponent(DistributionsCSV.fileName)
        if FileManager.default.fileExists(atPath: distributionsURL.path) {
            do {
                distributions = try DistributionsCSV.parse(String(decoding: try Files.readRegular(distributionsURL.path), as: UTF8.self))
            } catch {
                throw .unreadable(path: distributionsURL.path, reason: "\(error)")
            }
        }
        var running: [RunningRow] = []
        let runningURL = folder.appendingPathComponent(RunningCSV.fileName)
        if FileManager.default.fileExists(atPath: runningURL.path) {
            do {
                running = try RunningCSV.parse(String(decoding: try Files.readRegular(runningURL.path), as: UTF8.self))
            } catch {
                throw .unreadable(path: runningURL.path, reason: "\(error)")
            }
        }
        return ReportContent(rows: rows, summary: summary, distributions: distributions, running: running)
    }

    /// A stopped run: each experiment's last checkpoint becomes curves, fits and (provisional)
    /// verdicts through the same analysis a finished run uses; experiments without a checkpoint
    /// are listed as not started. Each experiment's `EngineSetup` (as `kdmc run` builds it)
    /// gives its stopping rule, to tell a finished experiment from an interrupted one, and its
    /// identity, to refuse a checkpoint of another configuration as `--resume` would.
    package static func partialContent(_ folder: URL) throws(ReportError) -> ReportContent {
        let manifestURL = manifestURL(folder)
        let manifest: RunManifest
        do {
            manifest = try JSONDecoder().decode(RunManifest.self, from: Data(try Files.readRegular(manifestURL.path)))
        } catch {
            throw .badManifest(path: manifestURL.path, reason: "\(error)")
        }
        let base = URL(fileURLWithPath: manifest.baseDirectory, isDirectory: true)
        let suite: ExperimentSuite
        do {
            suite = try ExperimentValidator(memory: nil).validate(data: Data(manifest.configuration.utf8), baseDirectory: base)
        } catch {
            throw .badConfiguration(path: manifestURL.path, reason: error.description.replacingOccurrences(of: "\n", with: "; "))
        }
        guard suite.points.count == manifest.checkpoints.count else {
            throw .badManifest(path: manifestURL.path,
                               reason: "\(suite.points.count) experiments but \(manifest.checkpoints.count) checkpoint names")
        }

        var assembly = RunAssembly()
        var distributions: [DistributionRow] = []
        // The checkpoints' stream version (every experiment of a run has the same one).
        var streamVersion: Int? = nil
        var experiments: [ReportContent.Experiment] = []
        for (spec, name) in zip(suite.points, manifest.checkpoints) {
            let path = folder.appendingPathComponent("checkpoints").appendingPathComponent(name).path
            let store = CheckpointStore(path: path)
            guard store.exists() else {
                experiments.append(.init(name: spec.name, description: spec.description, seed: spec.seed,
                                         confidence: spec.confidence, geometry: spec.geometry.kind, status: "not started", isComplete: false))
                continue
            }
            let trial: DistillationTrial
            do {
                trial = try DistillationTrial(spec: spec, baseDirectory: base)
            } catch {
                throw .badConfiguration(path: manifestURL.path, reason: "experiment '\(spec.name)': \(error)")
            }
            let checkpoint: Checkpoint
            do {
                checkpoint = try store.read()
            } catch {
                throw .unreadable(path: path, reason: "\(error)")
            }
            let statistics = checkpoint.statistics
            let distribution = RiskDistribution(layout: trial.layout)
            guard statistics.points.count == trial.layout.count + distribution.count else {
                throw .checkpointMismatch(path: path, reason: "it has \(statistics.points.count) curve points, the experiment has \(trial.layout.count + distribution.count)")
            }
            guard statistics.blockSize == spec.blockSize else {
                throw .checkpointMismatch(path: path, reason: "its block size is \(statistics.blockSize), the experiment's is \(spec.blockSize)")
            }
            let setup: EngineSetup
            do {
                setup = try EngineSetup(spec, trial.layout)
            } catch {
                throw .badConfiguration(path: manifestURL.path, reason: "experiment '\(spec.name)': \(error)")
            }
            // The run's own stream version: a folder written by another kdmc still reads.
            streamVersion = checkpoint.streamVersion
            let expected = RunFingerprint(identity: setup.identity, blockSize: spec.blockSize,
                                          pointCount: trial.layout.count + distribution.count,
                                          streamVersion: checkpoint.streamVersion)
            guard checkpoint.fingerprint == expected else {
                throw .checkpointMismatch(path: path, reason: "its fingerprint is \(checkpoint.fingerprint), the recorded configuration's is \(expected)")
            }
            var critical = StudentCriticalValues(level: spec.confidence)
            let allIntervals = statistics.intervals(&critical)
            let intervals = Array(allIntervals.prefix(trial.layout.count))
            distributions += distribution.rows(experiment: spec.name, intervals: allIntervals)
            var status = "stopped after \(statistics.trials) trials"
            var complete = false
            // A stopped experiment ended by the signal; under a CI target, that target was not met.
            var stop: (reason: RunStop, targetMet: Bool?) = (.signal, nil)
            if case .sequential = setup.stopping { stop.targetMet = false }
            if let plan = try? StoppingPlan(rule: setup.stopping, blockSize: spec.blockSize) {
                if statistics.blockCount > 0, let reason = plan.decision(after: statistics, critical: &critical) {
                    status = "complete (\(reason.rawValue))"
                    complete = true
                    stop = ExperimentResult.stop(reason)
                } else {
                    status += " of at most \(plan.maximumBlocks * plan.blockSize)"
                }
            }
            experiments.append(.init(name: spec.name, description: spec.description, seed: spec.seed,
                                     confidence: spec.confidence, geometry: spec.geometry.kind, trials: statistics.trials, status: status,
                                     isComplete: complete))
            let result = ExperimentResult(
                trial: trial, intervals: intervals, groups: statistics.groups, stopReason: stop.reason,
                targetMet: stop.targetMet, timing: nil)
            assembly.add(result, trials: statistics.trials)
        }
        let sweeps = assembly.finishSweeps(specs: suite.experiments)
        let summary = SummaryDocument(
            version: manifest.version, ranks: manifest.ranks, partial: true, configuration: suite.json,
            experiments: assembly.experiments, fits: assembly.fits, verdicts: assembly.verdicts, timings: [:],
            randomStreamVersion: streamVersion ?? RunFingerprint.currentStreamVersion,
            sweeps: sweeps.isEmpty ? nil : sweeps)
        let done = experiments.filter(\.isComplete).count
        return ReportContent(
            suite: suite.name, summary: summary, rows: assembly.rows, distributions: distributions, experiments: experiments,
            partial: "\(done) of \(experiments.count) experiments complete.")
    }

    /// Writes figures/*.svg, then report.html, each whole or not at all (temporary file and
    /// rename), so a reader never opens half a page. Nothing else in the folder is touched:
    /// figures of an earlier run are removed by the run that owns them (its file list), never
    /// by name, so a user's own files in figures/ stay.
    ///
    /// - Returns: the paths written, relative to `folder`.
    @discardableResult
    package static func write(_ built: ReportPage.Built, to folder: URL) throws(ReportError) -> [String] {
        let figures = folder.appendingPathComponent(ReportPage.figuresFolder)
        do {
            try Files.makeFolder(figures.path)
        } catch {
            throw .cannotWrite(path: figures.path, reason: "\(error.operation) failed: \(error.reason)")
        }
        var written: [String] = []
        for figure in built.figures {
            try atomicWrite(Data(figure.svg.utf8), to: figures.appendingPathComponent(figure.name))
            written.append(ReportPage.figuresFolder + "/" + figure.name)
        }
        try atomicWrite(Data(built.html.utf8), to: folder.appendingPathComponent(ReportPage.fileName))
        return written + [ReportPage.fileName]
    }

    /// The paths ``write(_:to:)`` writes for `built`, relative to the folder.
    package static func files(of built: ReportPage.Built) -> [String] {
        built.figures.map { ReportPage.figuresFolder + "/" + $0.name } + [ReportPage.fileName]
    }

    package static func atomicWrite(_ data: Data, to url: URL) throws(ReportError) {
        do {
            try Files.writeAtomically(data, to: url.path)
        } catch {
            throw .cannotWrite(path: url.path, reason: "\(error.operation) failed: \(error.reason)")
        }
    }
}
