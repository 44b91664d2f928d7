import ArgumentParser
import Foundation

@main
struct RootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kdmc",
        abstract: "Check the theory of knowledge distillation by Monte Carlo on MPI.",
        discussion: """
        Experiments are JSON files (docs/EXPERIMENT-SCHEMA.md); presets live in jobs/experiments \
        (set KDMC_PRESETS to use another folder). Exit status: 0 success, 1 failure, \
        2 invalid experiment file, 3 stopped by SIGTERM/SIGUSR1 with a checkpoint (rerun with \
        --resume), 64 bad command-line usage.
        """,
        subcommands: [RunCommand.self, ValidateCommand.self, ListCommand.self, ShowCommand.self,
                      BoundCommand.self, DumpCommand.self, ReportCommand.self, MergeCommand.self, BenchCommand.self]
    )

    /// Every failure ends as one `kdmc: ` line on stderr and a non-zero status.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            Diagnostics.error(failure.message)
            Foundation.exit(failure.status)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }  // --help, --version
            let text = message(for: error)
                .split(whereSeparator: \.isNewline).joined(separator: "; ")
            Diagnostics.error(text + " (see kdmc help)")
            Foundation.exit(code.rawValue)
        }
    }
}
