import Foundation
import MPI
import Testing

/// Set in the environment of the `mpirun -np 2` job that the abort test launches.
private let abortProbeVariable = "KDMC_MPI_ABORT_PROBE"
private let abortProbeMessage = "abort probe: rank 1 gives up"
private let abortProbeCode: Int32 = 3
private let isAbortProbeRun = ProcessInfo.processInfo.environment[abortProbeVariable] == "1"
private let isEarlyAbortProbeRun = ProcessInfo.processInfo.environment[abortProbeVariable] == "before-init"

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

        /// The body run by `abortBeforeInitialization…`: aborts without ever touching MPI.
        @Test(.enabled(if: isEarlyAbortProbeRun, "runs only inside the process launched by the abort test"))
        func earlyAbortProbe() {
            #expect(!MPIRuntime.isInitialized)
            if !MPIRuntime.isInitialized {
                MPIRuntime.abort("early probe", code: abortProbeCode)
            }
        }

        /// Launches its own `mpirun -np 2`, so it runs only in a singleton run (world size 1),
        /// never from inside an mpirun job.
        @Test(.enabled(if: !isAbortProbeRun, "not inside the probe job itself"),
              .enabled("singleton runs only: the test launches its own mpirun") { testWorld.size == 1 })
        func abortEndsTheJobWithOneLineFromSingletonRunsOnly() async throws {
            let binary = try #require(testBinaryPath(), "cannot locate the test binary")
            let result = try await runToEnd(
                ["mpirun", "--oversubscribe", "-np", "2", binary,
                 "--testing-library", "swift-testing", "--filter", "abortProbe"],
                environment: childEnvironment(adding: [abortProbeVariable: "1"]))
            #expect(!result.hung, "mpirun did not end within 20 s after MPI_Abort; stderr:\n\(result.stderr)")
            #expect(result.status != 0, "stderr:\n\(result.stderr)")
            let expectedLine = "kdmc: rank 1: \(abortProbeMessage) (second line joined)"
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("kdmc: rank") }
            #expect(lines == [Substring(expectedLine)], "stderr:\n\(result.stderr)")
        }

        /// Before MPI is up, abort prints the same line and exits with the code. Runs the test
        /// binary directly (no mpirun), so like the test above it runs in singleton runs only.
        @Test(.enabled(if: !isAbortProbeRun && !isEarlyAbortProbeRun, "not inside a probe process"),
              .enabled("singleton runs only: the test launches its own process") { testWorld.size == 1 })
        func abortBeforeInitializationPrintsAndExitsFromSingletonRunsOnly() async throws {
            let binary = try #require(testBinaryPath(), "cannot locate the test binary")
            let result = try await runToEnd(
                [binary, "--testing-library", "swift-testing", "--filter", "earlyAbortProbe"],
                environment: childEnvironment(adding: [abortProbeVariable: "before-init"]))
            #expect(!result.hung)
            #expect(result.status == abortProbeCode, "stderr:\n\(result.stderr)")
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("kdmc: rank") }
            #expect(lines == ["kdmc: rank 0: early probe"], "stderr:\n\(result.stderr)")
        }
    }
}
