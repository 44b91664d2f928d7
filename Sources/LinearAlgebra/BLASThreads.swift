internal import CBLAS

/// OpenBLAS's thread count for this process.
///
/// kdmc runs one BLAS thread per MPI rank by default, since the ranks already fill the cores;
/// the callers (the command-line tool, benchmarks) call `BLASThreads.set(1)` at start-up.
/// This module never changes the setting on its own.
public enum BLASThreads {
    public static func set(_ n: Int) {
        precondition(n >= 1, "BLASThreads.set: thread count must be at least 1, got \(n)")
        openblas_set_num_threads(cInt(n))
    }

    public static var current: Int { Int(openblas_get_num_threads()) }

    /// How the OpenBLAS in use was built (openblas_get_config: version, kernel, threading).
    public static var buildConfiguration: String { String(cString: openblas_get_config()) }
}
