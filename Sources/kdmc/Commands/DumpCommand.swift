import ArgumentParser
import Foundation
import MonteCarlo

struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Write everything one trial computes at one n (points, teacher, student paths) for inspection.",
        discussion: "Not available yet in this build: the file and options are checked, then kdmc exits with status 1."
    )

    @Argument(help: "Experiment or suite file (JSON), or a preset name from kdmc list.")
    var experiment: String

    @Option(help: "Global trial index (an integer ≥ 0); the same index gives the same draw on any rank.")
    var trial: Int

    @Option(help: "Transfer-set size; must be a point of the experiment's n grid.")
    var n: Int

    @Option(name: .customLong("out"), help: ArgumentHelp("Folder to write the dump into.", valueName: "dir"))
    var outputFolder: String

    @Option(name: .customLong("experiment"), help: ArgumentHelp("Which experiment of a suite (required when the suite has more than one).", valueName: "name"))
    var experimentName: String?

    func validate() throws {
        guard trial >= 0 else { throw ValidationError("--trial \(trial) is negative; trial indices start at 0") }
        guard n >= 1 else { throw ValidationError("--n \(n) is not positive; give a point of the experiment's n grid") }
        guard !outputFolder.isEmpty else { throw ValidationError("--out is empty; give a folder such as --out dumps/t0") }
    }

    func run() throws {
        let (_, suite) = try ExperimentLoading.load(experiment)
        let chosen: ExperimentSpec
        if let experimentName {
            guard let match = suite.experiments.first(where: { $0.name == experimentName }) else {
                throw CommandFailure("--experiment \(experimentName) is not in \(experiment); its experiments: \(suite.experiments.map(\.name).joined(separator: ", "))", status: 64)
            }
            chosen = match
        } else {
            guard suite.experiments.count == 1 else {
                throw CommandFailure("\(experiment) holds \(suite.experiments.count) experiments; choose one with --experiment (\(suite.experiments.map(\.name).joined(separator: ", ")))", status: 64)
            }
            chosen = suite.experiments[0]
        }
        let grid = chosen.n.values
        guard grid.contains(n) else {
            let shown = grid.count > 12 ? grid.prefix(12).map(String.init).joined(separator: ", ") + ", …" : grid.map(String.init).joined(separator: ", ")
            throw CommandFailure("--n \(n) is not in the n grid of \(chosen.name) (\(shown)); choose one of those sizes", status: 64)
        }
        throw CommandFailure("dump is not available yet: the geometries and students of the Distillation layer are not wired into this build of kdmc")
    }
}
