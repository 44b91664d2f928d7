import Foundation
import MPI
import Testing

extension MPITests {
    /// The launch check is a pure function, tested with fake environments (no MPI needed).
    @Suite struct Launch {
        @Test(arguments: LaunchCheck.taskCountVariables)
        func manyTasksButWorldOfOneIsRefusedNamingTheVariable(variable: String) {
            let error = mpiError {
                try LaunchCheck.verify(environment: [variable: "4"], worldSize: 1)
            }
            #expect(error?.reason == .launchMismatch(variable: variable, tasks: 4, worldSize: 1))
            #expect(error?.message.contains("\(variable)=4") == true)
            #expect(error?.errorClass == nil)
        }

        @Test func consistentLaunchesPass() throws {
            try LaunchCheck.verify(environment: [:], worldSize: 1)
            try LaunchCheck.verify(environment: ["SLURM_NTASKS": "1"], worldSize: 1)
            try LaunchCheck.verify(environment: ["OMPI_COMM_WORLD_SIZE": "3", "PMI_SIZE": "3",
                                                 "SLURM_NTASKS": "3"], worldSize: 3)
            try LaunchCheck.verify(environment: ["PATH": "/usr/bin"], worldSize: 2)
            #expect(LaunchCheck.taskCountVariables.contains("SLURM_NTASKS"))
        }

        @Test func unreadableCountsAreIgnored() throws {
            for value in ["", "many", "-3", "0", "2x"] {
                try LaunchCheck.verify(environment: ["SLURM_NTASKS": value], worldSize: 1)
            }
        }

        @Test func theMostSpecificVariableIsNamed() {
            let error = mpiError {
                try LaunchCheck.verify(environment: ["SLURM_NTASKS": "8", "OMPI_COMM_WORLD_SIZE": "2"],
                                       worldSize: 1)
            }
            #expect(error?.reason == .launchMismatch(variable: "OMPI_COMM_WORLD_SIZE", tasks: 2,
                                                     worldSize: 1))
        }
    }
}

private let launchProbeVariable = "KDMC_MPI_LAUNCH_PROBE"
private let isLaunchProbeRun = ProcessInfo.processInfo.environment[launchProbeVariable] == "1"

extension MPITests.Launch {
    /// The body run by the test below, in a process whose environment claims 4 Slurm tasks.
    /// It never touches `testWorld`, whose initialization would abort on the mismatch.
    @Test(.enabled(if: isLaunchProbeRun, "runs only inside the process launched by the launch test"))
    func launchProbe() {
        for _ in 0..<2 {
            let error = mpiError { try MPIRuntime.initialize(threadLevel: .serialized) }
            #expect(error?.reason == .launchMismatch(variable: "SLURM_NTASKS", tasks: 4, worldSize: 1))
        }
    }

    /// `initialize` runs the check (and repeats its error on a second call). Runs the test
    /// binary as a fresh singleton, so only in singleton runs.
    @Test(.enabled(if: !isLaunchProbeRun, "not inside the probe process"),
          .enabled("singleton runs only: the test launches its own process") { testWorld.size == 1 })
    func initializeRefusesABrokenLaunchFromSingletonRunsOnly() async throws {
        let binary = try #require(testBinaryPath(), "cannot locate the test binary")
        let result = try await runToEnd(
            [binary, "--testing-library", "swift-testing", "--filter", "launchProbe"],
            environment: childEnvironment(adding: [launchProbeVariable: "1", "SLURM_NTASKS": "4"]))
        #expect(!result.hung)
        #expect(result.status == 0, "stderr:\n\(result.stderr)")
        let output = result.stdout + result.stderr
        #expect(output.contains("Test launchProbe() passed"), "output:\n\(output)")
    }
}
