import Foundation
import MonteCarlo
import Experiments

/// Paths of the package's own files, found from this source file (the target has no resources).
enum TestFiles {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let packageRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
    static let malformed = testsFolder.appendingPathComponent("Malformed")
    static let presets = packageRoot.appendingPathComponent("jobs/experiments")
    static let executable = packageRoot.appendingPathComponent(".build/debug/kdmc")

    static func presetFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: presets, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// A laptop-sized budget, so that results do not depend on the machine running the tests.
    static let validator = ExperimentValidator(memory: MemoryBudget(physicalBytes: 16 * 1_073_741_824, ranksOnNode: 2))

    static func problems(in file: String) -> [ExperimentProblem] {
        do {
            _ = try validator.validate(contentsOf: malformed.appendingPathComponent(file))
            return []
        } catch {
            return error.problems
        }
    }
}
