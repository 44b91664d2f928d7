import Foundation
import MPI
import Testing

/// Set in the environment of the `mpirun -np 2` job that the abort test launches.
private let abortProbeVariable = "KDMC_MPI_ABORT_PROBE"
private let abortProbeMessage = "abort probe: rank 1 gives up"
private let abortProbeCode: Int32 = 3
private let isAbortProbeRun = ProcessInfo.processInfo.environment[abortProbeVariable] == "1"

extension MPITests {
    @Suite struct Abort {
        /// Not a test of its own: the job body run by `abortEndsTheJob…` below. Rank 1 aborts
        /// while rank 0 waits in a barrier that can only end by the job being killed.
        @Test(.enabled(if: isAbortProbeRun, "runs only inside the job launched by the abort test"))
        func abortProbe() throws {
            let world = testWorld
            if world.rank == 1 {
                MPIRuntime.abort("\(abortProbeMessage)\n(second line joined)", code: abortProbeCode)
            }
            try world.barrier()
            Issue.record("rank \(world.rank) left the barrier although rank 1 aborted")
        }

        /// Launches its own `mpirun -np 2`, so it runs only in a singleton run (world size 1),
        /// never from inside an mpirun job.
        @Test(.enabled(if: !isAbortProbeRun, "not inside the probe job itself"),
              .enabled("singleton runs only: the test launches its own mpirun") { testWorld.size == 1 })
        func abortEndsTheJobWithOneLineFromSingletonRunsOnly() async throws {
            let binary = try #require(testBinaryPath(), "cannot locate the test binary")
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("kdmc-abort-\(ProcessInfo.processInfo.processIdentifier)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let stdoutURL = directory.appendingPathComponent("stdout")
            let stderrURL = directory.appendingPathComponent("stderr")
            #expect(FileManager.default.createFile(atPath: stdoutURL.path, contents: nil))
            #expect(FileManager.default.createFile(atPath: stderrURL.path, contents: nil))

            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["mpirun", "--oversubscribe", "-np", "2", binary,
                                 "--testing-library", "swift-testing", "--filter", "abortProbe"]
            process.environment = probeEnvironment()
            process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
            process.standardError = try FileHandle(forWritingTo: stderrURL)
            try process.run()

            // A guard against a hang, not a speed requirement: the job should end at once.
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning, Date() < deadline {
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            let hung = process.isRunning
            if hung {
                process.terminate()
                process.waitUntilExit()
            }
            let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
            #expect(!hung, "mpirun did not end within 20 s after MPI_Abort; stderr:\n\(stderr)")
            #expect(process.terminationStatus != 0, "stdout:\n\(stdout)\nstderr:\n\(stderr)")
            let expectedLine = "kdmc: rank 1: \(abortProbeMessage) (second line joined)"
            let lines = stderr.split(separator: "\n").filter { $0.hasPrefix("kdmc: rank") }
            #expect(lines == [Substring(expectedLine)], "stderr:\n\(stderr)")
        }
    }
}

/// The running test binary, which the abort test runs again under mpirun.
private func testBinaryPath() -> String? {
    let candidates = [Bundle.main.executablePath, CommandLine.arguments.first].compactMap { $0 }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// The parent's environment without the variables of its own MPI job (a singleton still gets
/// some), so the child mpirun starts a fresh job; plus the probe switch and root permission.
private func probeEnvironment() -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
        !["OMPI_", "PMIX_", "PMI_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
    }
    environment[abortProbeVariable] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    return environment
}
