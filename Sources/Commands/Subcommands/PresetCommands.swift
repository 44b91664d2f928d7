import ArgumentParser
import Foundation
import MonteCarlo
import Experiments

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the preset experiments (jobs/experiments, or KDMC_PRESETS) with their descriptions."
    )

    func run() throws {
        let library = try PresetLibrary.locate()
        let names = try library.names()
        guard !names.isEmpty else {
            throw CommandFailure("\(library.folder.path) holds no .json presets; add some or point KDMC_PRESETS elsewhere")
        }
        let width = names.map(\.count).max() ?? 0
        for name in names {
            let url = library.folder.appendingPathComponent(name + ".json")
            let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
            print("\(padded)  \(Self.description(of: url))")
        }
    }

    static func description(of url: URL) -> String {
        guard let data = try? Data(contentsOf: url),
              let value = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return "(unreadable JSON; run kdmc validate \(url.path))"
        }
        guard case .object(let members) = value, case .string(let text)? = members["description"] else {
            return "(no description)"
        }
        return text
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a preset's JSON (copy it to start a new experiment)."
    )

    @Argument(help: "Preset name, as printed by kdmc list.")
    var preset: String

    func run() throws {
        let url = try PresetLibrary.locate().preset(named: preset)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw CommandFailure("cannot read \(url.path) as UTF-8 text; check the file")
        }
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
    }
}
