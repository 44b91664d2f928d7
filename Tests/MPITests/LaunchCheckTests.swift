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
