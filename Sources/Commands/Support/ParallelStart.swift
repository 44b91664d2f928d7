import Foundation
import LinearAlgebra
import MPI

/// Starts MPI for a command that runs trials on every rank, and pins OpenBLAS to one thread
/// unless the user chose otherwise: the ranks already fill the cores, and BLAS threads on top
/// of them oversubscribe.
func startParallelRun() throws {
    do {
        try MPIRuntime.initialize(threadLevel: .funneled)
    } catch {
        throw CommandFailure("MPI could not start: \(error)")
    }
    if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
        BLASThreads.set(1)
    }
}
