import ArgumentParser
import Foundation
import MonteCarlo
import Experiments

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the experiments of a file and write curves.csv, summary.json and report.html.",
        discussion: "The file is validated first; if it has problems, each is printed and nothing is written (exit status 2)."
    )

    @Argument(help: "Experiment or suite file (JSON, see docs/EXPERIMENT-SCHEMA.md), or a preset name from kdmc list.")
    var experiment: String

    @Option(name: .customLong("out"), help: ArgumentHelp("Output folder (default: runs/<suite name>).", valueName: "dir"))
    var outputFolder: String?

    @Option(help: "Seed for every experiment, replacing the file's seeds (a non-negative integer).")
    var seed: UInt64?

    @Option(help: "Fixed number of trials for every experiment, replacing the file's stopping rules.")
    var trials: Int?

    @Option(name: .customLong("target-ci"),
            help: ArgumentHelp("Stop each experiment when every CI half-width is below this: absolute (0.005) or relative to the mean with % (5%).", valueName: "x"))
    var targetCI: String?

    @Flag(help: "Continue the run saved in the output folder from its last checkpoint.")
    var resume = false

    @Option(help: ArgumentHelp("Compute only part K of M of the trial blocks (1 ≤ K ≤ M) and keep them in the folder's checkpoints, for kdmc merge (e.g. one part per array job).", valueName: "K/M"))
    var part: String?

    func validate() throws {
        if let trials, trials < 1 {
            throw ValidationError("--trials \(trials) is not positive; give the number of trials, e.g. --trials 1000")
        }
        if trials != nil && targetCI != nil {
            throw ValidationError("--trials and --target-ci both set the stopping rule; give only one of them")
        }
        if let targetCI { _ = try Self.parseTarget(targetCI) }
        if let part, BlockPartition(parsing: part) == nil {
            throw ValidationError("--part \(part) is not K/M with 1 ≤ K ≤ M; write e.g. --part 2/4 for the second of four parts")
        }
        if let outputFolder, outputFolder.isEmpty {
            throw ValidationError("--out is empty; give a folder such as --out runs/test")
        }
    }

    /// "0.005" is an absolute half-width, "5%" a relative one.
    static func parseTarget(_ text: String) throws -> StoppingSpec.Target {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let relative = trimmed.hasSuffix("%")
        let number = Double(relative ? String(trimmed.dropLast()) : trimmed)
        guard let number, number.isFinite else {
            throw ValidationError("--target-ci \(text) is not a number; write e.g. --target-ci 0.005 (absolute) or --target-ci 5% (relative)")
        }
        let value = relative ? number / 100 : number
        guard value > 0 && value < 1 else {
            throw ValidationError("--target-ci \(text) is outside (0, 1) (or (0%, 100%)); write e.g. --target-ci 0.005 or --target-ci 5%")
        }
        return relative ? .relative(value) : .absolute(value)
    }

    func run() throws {
        let validator = ExperimentValidator()
        let (url, fileSuite) = try ExperimentLoading.load(experiment, validator: validator)
        let suite = fileSuite.overriding(seed: seed, trials: trials, target: try targetCI.map(Self.parseTarget))
        let problems = validator.problems(in: suite, baseDirectory: url.deletingLastPathComponent())
        if !problems.isEmpty {
            ExperimentLoading.report(problems, file: experiment + " (with command-line overrides)")
            throw CommandFailure.invalid(problems.count, file: experiment)
        }
        let folder = URL(fileURLWithPath: outputFolder ?? "runs/\(suite.name)")
        if resume && !FileManager.default.fileExists(atPath: folder.path) {
            throw CommandFailure("--resume: \(folder.path) does not exist; give the run's folder with --out")
        }
        let settings = RunSettings(experimentFile: url, outputFolder: folder, resume: resume,
                                   part: part.flatMap(BlockPartition.init(parsing:)))
        let status = try runSuite(suite, settings: settings)
        if status != 0 { throw ExitCode(status) }
    }
}

/// Where and how a validated suite is run.
struct RunSettings: Sendable {
    var experimentFile: URL
    var outputFolder: URL
    var resume: Bool
    /// One part of a split run (`kdmc merge` combines the parts), or nil for a whole run.
    var part: BlockPartition? = nil
}
