import ArgumentParser
import Distillation
import Experiments
import Foundation
import MPI
import MonteCarlo
import Report

/// `kdmc merge OUT PART...`: the folders of `kdmc run --part K/M` runs, combined into one run's
/// outputs. Each part's folder holds the run's configuration (checkpoints/run.json) and one
/// checkpoint per experiment with that part's blocks; the merge checks they are the M parts of
/// one configuration, merges the blocks in block order under the stopping rule (as one run
/// would), and writes curves.csv, summary.json and the report, plus the merged checkpoints, so
/// OUT is an ordinary run folder (`kdmc report`, `kdmc run --resume` with more trials).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the folders of kdmc run --part K/M runs into one run's outputs.",
        discussion: """
        Every part 1/M … M/M must be given once, all of the same experiment file, seed and \
        overrides, each finished. The outputs are those of one run over all the trials, byte for \
        byte, except the run metadata (timings; the rank count and hosts are the parts' together).
        """
    )

    @Argument(help: ArgumentHelp("Output folder of the merged run.", valueName: "out"))
    var output: String

    @Argument(help: ArgumentHelp("The --out folders of the parts, in any order.", valueName: "part"))
    var parts: [String]

    func validate() throws {
        if parts.isEmpty { throw ValidationError("give the folders of the parts after OUT, e.g. kdmc merge runs/all runs/p1 runs/p2") }
    }

    func run() throws {
        let start = Date()
        let folders = parts.map { URL(fileURLWithPath: $0) }
        var manifests: [RunManifest] = []
        for folder in folders {
            let url = RunFolder.manifestURL(folder)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CommandFailure("merge: \(folder.path) holds no run (no \(url.path)); run its part first (kdmc run ... --part K/M --out \(folder.path))")
            }
            do {
                manifests.append(try JSONDecoder().decode(RunManifest.self, from: try Data(contentsOf: url)))
            } catch {
                throw CommandFailure("merge: \(folder.path) is not the folder of a kdmc run (cannot read \(url.path): \(error))")
            }
        }
        let first = manifests[0]
        for (folder, manifest) in zip(folders, manifests).dropFirst()
        where manifest.configuration != first.configuration || manifest.checkpoints != first.checkpoints {
            throw CommandFailure("merge: \(folder.path) is a run of another configuration than \(folders[0].path) (experiment, seed or overrides differ); merge only the parts of one run")
        }
        let base = URL(fileURLWithPath: first.baseDirectory, isDirectory: true)
        let suite: ExperimentSuite
        do {
            suite = try ExperimentValidator(memory: nil).validate(data: Data(first.configuration.utf8), baseDirectory: base)
        } catch {
            throw CommandFailure("merge: the configuration recorded in \(folders[0].path) cannot be rebuilt: \(error)")
        }

        let out = URL(fileURLWithPath: output)
        let checkpoints = out.appendingPathComponent("checkpoints")
        var results: [(ExperimentResult, Int)] = []
        var distributions: [DistributionRow] = []
        var running: [RunningRow] = []
        var merged: [(String, Checkpoint)] = []
        for (spec, name) in zip(suite.experiments, first.checkpoints) {
            let trial = try DistillationTrial(spec: spec, baseDirectory: base)
            let setup = try EngineSetup(spec, trial.layout)
            // As in a run: the curve points, then the risk histogram's indicators.
            let distribution = RiskDistribution(layout: trial.layout)
            let fingerprint = RunFingerprint(identity: setup.identity, blockSize: spec.blockSize,
                                             pointCount: trial.layout.count + distribution.count)
            var estimate = RunningEstimate(experiment: spec.name, distribution: distribution, confidence: spec.confidence)
            var pieces: [Checkpoint] = []
            for folder in folders {
                let path = folder.appendingPathComponent("checkpoints").appendingPathComponent(name).path
                do {
                    pieces.append(try CheckpointStore(path: path).read())
                } catch {
                    throw CommandFailure("merge: experiment '\(spec.name)': \(error)")
                }
            }
            let plan = try StoppingPlan(rule: setup.stopping, blockSize: spec.blockSize)
            var critical = StudentCriticalValues(level: spec.confidence)
            let statistics: MergedStatistics
            let reason: MonteCarlo.StopReason
            do {
                (statistics, reason) = try PartMerge.combine(pieces, fingerprint: fingerprint, plan: plan, critical: &critical,
                                                             onMerge: { estimate.record($0) })
            } catch {
                throw CommandFailure("merge: experiment '\(spec.name)': \(error)")
            }
            let intervals = statistics.intervals(&critical)
            distributions += distribution.rows(experiment: spec.name, intervals: intervals)
            running += estimate.thinned()
            let stop = ExperimentResult.stop(reason)
            results.append((ExperimentResult(trial: trial, intervals: Array(intervals.prefix(trial.layout.count)),
                                             groups: statistics.groups, stopReason: stop.reason, targetMet: stop.targetMet,
                                             timing: nil), statistics.trials))
            merged.append((name, Checkpoint(fingerprint: fingerprint, statistics: statistics)))
        }

        // OUT is prepared and written as a run's folder is (lock, file list, manifest), by one
        // process: the merge starts MPI as a singleton so that the run's writer can be reused.
        try startParallelRun()
        let settings = RunSettings(experimentFile: base.appendingPathComponent("merged-parts.json"), outputFolder: out, resume: false)
        var runner = SuiteRunner(suite: suite, settings: settings, collective: MPICollective())
        try runner.prepareFolder()
        for (name, checkpoint) in merged {
            try CheckpointStore(path: checkpoints.appendingPathComponent(name).path).write(checkpoint)
        }
        let records = try folders.map { try PartRecord.read(checkpoints: $0.appendingPathComponent("checkpoints")) }
        let provenance = PartRecord.merged(records, counts: manifests.map(\.ranks),
                                           merge: RunProvenance.make(ranks: 1, hosts: [MPIRuntime.hostName], started: start,
                                                                     ended: Date(), seeds: SuiteRunner.seeds(suite)))
        let status = try runner.writeOutputs(results, distributions: distributions, running: running,
                                             seconds: Date().timeIntervalSince(start), provenance: provenance)
        if status != 0 { throw ExitCode(status) }
    }
}
