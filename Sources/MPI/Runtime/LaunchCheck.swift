/// Detects a broken launch: a launcher that started N tasks whose MPI libraries did not find
/// each other, so each task runs alone as rank 0 of a world of one and the job silently does the
/// same work N times.
package enum LaunchCheck {
    /// Variables in which launchers announce the task count, most specific first.
    package static let taskCountVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"]

    /// Throws `MPIError` with reason `.launchMismatch` when a variable announces more than one
    /// task but MPI reports a world of one. Pure, so it can be tested with fake environments.
    /// Values that are not positive integers say nothing about the launch and are ignored.
    package static func verify(environment: [String: String], worldSize: Int) throws(MPIError) {
        guard worldSize == 1 else { return }
        for variable in taskCountVariables {
            guard let text = environment[variable],
                  let tasks = Int(text), tasks > 1
            else { continue }
            throw MPIError(
                reason: .launchMismatch(variable: variable, tasks: tasks, worldSize: worldSize),
                function: "MPIRuntime.initialize",
                message: "the launcher set \(variable)=\(text) but MPI sees a world of "
                    + "\(worldSize) process, so every task would run alone as rank 0. "
                    + "Launch with mpirun, or with srun using the PMI that Open MPI was built "
                    + "for (e.g. srun --mpi=pmix), or unset \(variable) to run a single process.")
        }
    }
}
