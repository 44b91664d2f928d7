import Foundation
import MonteCarlo
import Experiments

/// Reads an experiment argument (a file path, or a preset name) and validates it; on problems,
/// prints one line per problem prefixed by the file name and fails with status 2.
enum ExperimentLoading {
    /// A file at the path wins; a bare name is then a preset, even where a folder of that name
    /// is in the working directory (the output folder of `kdmc run NAME --out NAME`, say).
    static func locate(_ argument: String) throws -> URL {
        let url = URL(fileURLWithPath: argument)
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
        if exists && !isFolder.boolValue { return url }
        if !argument.contains("/"), let preset = try? PresetLibrary.locate().preset(named: argument) {
            return preset
        }
        // A folder and no preset of its name: the reader says what is wrong with it.
        if exists { return url }
        throw CommandFailure("no experiment file at \(argument); give a path to a JSON file or a preset name from kdmc list")
    }

    static func load(_ argument: String, validator: ExperimentValidator = ExperimentValidator()) throws -> (URL, ExperimentSuite) {
        let url = try locate(argument)
        do {
            return (url, try validator.validate(contentsOf: url))
        } catch {
            report(error.problems, file: argument)
            throw CommandFailure.invalid(error.problems.count, file: argument)
        }
    }

    static func report(_ problems: [ExperimentProblem], file: String) {
        for problem in problems {
            Diagnostics.line("\(file): \(problem)")
        }
    }
}

extension CommandFailure {
    static func invalid(_ count: Int, file: String) -> CommandFailure {
        CommandFailure("\(file) has \(count) problem\(count == 1 ? "" : "s") (listed above); fix \(count == 1 ? "it" : "them") and check again with kdmc validate \(file)",
                       status: invalidExperimentStatus)
    }
}
