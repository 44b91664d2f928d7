import Foundation
import MonteCarlo

/// The one place where the command line hands a validated suite to the Monte Carlo engine and
/// the report. Until the engine is wired in, it refuses plainly and writes nothing.
/// Returns the process exit status.
func runSuite(_ suite: ExperimentSuite, settings: RunSettings) throws -> Int32 {
    throw CommandFailure("engine not wired yet: \(settings.experimentFile.lastPathComponent) is valid (\(suite.experiments.count) experiment\(suite.experiments.count == 1 ? "" : "s")), but this build of kdmc cannot run experiments")
}
