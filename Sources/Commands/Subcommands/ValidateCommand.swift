import ArgumentParser
import Foundation
import MonteCarlo

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an experiment file and list every problem (exit status 2 if there is one)."
    )

    @Argument(help: "Experiment or suite file (JSON), or a preset name from kdmc list.")
    var experiment: String

    func run() throws {
        let (_, suite) = try ExperimentLoading.load(experiment)
        let peak = suite.experiments.map(\.memoryEstimate.bytes).max() ?? 0
        let names = suite.experiments.map(\.name).joined(separator: ", ")
        print("\(experiment): valid: suite \(suite.name), \(suite.experiments.count) experiment\(suite.experiments.count == 1 ? "" : "s") (\(names)), estimated peak memory per rank \(Self.mebibytes(peak)) MiB")
    }

    static func mebibytes(_ bytes: Double) -> String { String(format: "%.0f", bytes / 1_048_576) }
}
