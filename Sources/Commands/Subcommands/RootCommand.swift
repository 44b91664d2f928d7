import ArgumentParser
import Foundation
import MonteCarlo
import MPI

/// The `kdmc` command tree; `Sources/kdmc/main.swift` only calls `main()`.
package struct RootCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "kdmc",
        abstract: "Check the theory of knowledge distillation by Monte Carlo on MPI.",
        discussion: """
        Experiments are JSON files (docs/EXPERIMENT-SCHEMA.md); presets live in jobs/experiments \
        (set KDMC_PRESETS to use another folder). Exit status: 0 success, 1 failure, \
        2 invalid experiment file, 3 stopped by SIGTERM/SIGUSR1 with a checkpoint (rerun with \
        --resume), 64 bad command-line usage.
        """,
        subcommands: [RunCommand.self, ValidateCommand.self, ListCommand.self, ShowCommand.self,
                      BoundCommand.self, DumpCommand.self, ReportCommand.self, CompareCommand.self, MergeCommand.self, BenchCommand.self]
    )

    package init() {}

    /// The process entry: the status of `run` becomes the exit status.
    package static func main() {
        leaveProcess(status: run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Ends the process with `status`. After a stop, a worker thread may still be inside the
    /// trial it abandoned (a deep trial can last minutes); `exit` would run MPI_Finalize and
    /// the BLAS library's teardown while it computes, which can crash the rank after its
    /// checkpoint is safe. Then MPI is finalized here, the output flushed, and the process
    /// leaves without exit handlers. Everything a run must keep is on disk by now (written
    /// atomically and synced).
    static func leaveProcess(status: Int32) -> Never {
        if WorkerThreads.running > 0 {
            try? MPIRuntime.finalize()
            fflush(nil)
            _exit(status)
        }
        Foundation.exit(status)
    }

    /// Parses and runs one command line in this process and returns its exit status, so tests
    /// can drive a command without spawning kdmc. Every failure ends as one `kdmc: ` line on
    /// stderr and a non-zero status; `--help` and `--version` print and return 0.
    package static func run(_ arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let failure as CommandFailure {
            Diagnostics.error(failure.message)
            return failure.status
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let code = exitCode(for: error)
            guard code != .success else {  // --help, --version
                print(fullMessage(for: error))
                return 0
            }
            let text = message(for: error)
                .split(whereSeparator: \.isNewline).joined(separator: "; ")
            Diagnostics.error(text + " (see kdmc help)")
            return code.rawValue
        }
    }
}
