import Commands
import Foundation
import Testing

/// The commands that do not start MPI, driven through `RootCommand.run` in this process: the
/// statuses are the ones the executable exits with.
@Suite struct InProcessCommandTests {
    @Test func validateAcceptsEveryPresetFile() throws {
        for file in try TestFiles.presetFiles() {
            #expect(RootCommand.run(["validate", file.path]) == 0, "\(file.lastPathComponent)")
        }
    }

    @Test func validateRefusesAnInvalidFileWithStatus2() throws {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("kdmc-inprocess-\(UUID().uuidString).json")
        try Data(#"{"name": "x", "geometry": {"kind": "gaussian"}, "d": -3}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(RootCommand.run(["validate", file.path]) == 2)
    }

    @Test func usageErrorsAreStatus64AndHelpIs0() {
        #expect(RootCommand.run(["no-such-command"]) == 64)
        #expect(RootCommand.run(["run"]) == 64)
        #expect(RootCommand.run(["--help"]) == 0)
    }

    @Test func aPresetThatDoesNotExistFails() {
        #expect(RootCommand.run(["show", "no-such-preset"]) != 0)
    }
}
