internal import CMPI

/// A group of ranks that enter collectives together.
///
/// Every communicator handed out (world, self, split, duplicate) has MPI_ERRORS_RETURN
/// installed, so a failing call throws `MPIError` instead of killing the job.
package struct Communicator: @unchecked Sendable {
    // An MPI communicator handle is a process-wide identifier; which threads may use it at once
    // is governed by the thread level, and `CCall` serializes calls below MPI_THREAD_MULTIPLE.
    let handle: OpaquePointer
    /// This process's rank in the communicator, 0..<size.
    package let rank: Int
    /// The number of ranks in the communicator.
    package let size: Int
    /// World and self belong to MPI and must not be freed.
    let isPredefined: Bool

    /// All processes of the job (MPI_COMM_WORLD). Requires `MPIRuntime.initialize()`.
    package static var world: Communicator { predefined(kdmc_comm_world(), name: "world") }

    /// Only the calling process (MPI_COMM_SELF). Requires `MPIRuntime.initialize()`.
    package static var selfOnly: Communicator { predefined(kdmc_comm_self(), name: "selfOnly") }

    /// True when the calling process is rank 0, which writes output and makes decisions.
    package var isRoot: Bool { rank == 0 }

    /// Splits into sub-communicators, one per `color`; ranks within each are ordered by `key`
    /// (ties by rank here). Collective. A negative color is rejected by MPI with `MPIError`
    /// (class `.argument`); MPI_UNDEFINED, which leaves the rank out, throws the same class.
    package func split(color: Int, key: Int) throws(MPIError) -> Communicator {
        var newHandle: OpaquePointer? = kdmc_comm_null()
        try CCall.run("MPI_Comm_split") {
            MPI_Comm_split(handle, Int32(clamping: color), Int32(clamping: key), &newHandle)
        }
        guard let newHandle, newHandle != kdmc_comm_null() else {
            throw MPIError(reason: .library(.argument), function: "MPI_Comm_split",
                           message: "color \(color) is MPI_UNDEFINED, which leaves rank \(rank) "
                               + "out of every sub-communicator; pass a color >= 0")
        }
        return try Communicator(adopting: newHandle)
    }

    /// A communicator with the same ranks but its own message space, so a library's collectives
    /// cannot match the caller's. Collective.
    package func duplicate() throws(MPIError) -> Communicator {
        var newHandle: OpaquePointer? = kdmc_comm_null()
        try CCall.run("MPI_Comm_dup") { MPI_Comm_dup(handle, &newHandle) }
        return try Communicator(adopting: newHandle)
    }

    /// Releases a communicator made by `split` or `duplicate`. Collective; neither this value nor
    /// its copies may be used afterwards. World and self cannot be freed (programmer error).
    package func free() throws(MPIError) {
        precondition(!isPredefined, "the world and self communicators belong to MPI and cannot be freed")
        var freed: OpaquePointer? = handle
        try CCall.run("MPI_Comm_free") { MPI_Comm_free(&freed) }
    }

    // MARK: - Construction

    private init(handle: OpaquePointer, rank: Int, size: Int, isPredefined: Bool) {
        self.handle = handle
        self.rank = rank
        self.size = size
        self.isPredefined = isPredefined
    }

    /// Takes a communicator MPI just created: installs MPI_ERRORS_RETURN, reads rank and size.
    private init(adopting newHandle: OpaquePointer?) throws(MPIError) {
        guard let newHandle, newHandle != kdmc_comm_null() else {
            preconditionFailure("MPI returned a null communicator without an error")
        }
        try CCall.run("MPI_Comm_set_errhandler") {
            MPI_Comm_set_errhandler(newHandle, kdmc_errors_return())
        }
        let (rank, size) = try Communicator.rankAndSize(newHandle)
        self.init(handle: newHandle, rank: rank, size: size, isPredefined: false)
    }

    private static func predefined(_ handle: OpaquePointer?, name: String) -> Communicator {
        precondition(MPIRuntime.isInitialized,
                     "Communicator.\(name) used before MPIRuntime.initialize() (or after finalize)")
        guard let handle else { preconditionFailure("MPI returned a null \(name) communicator") }
        do {
            let (rank, size) = try rankAndSize(handle)
            return Communicator(handle: handle, rank: rank, size: size, isPredefined: true)
        } catch {
            preconditionFailure("cannot read rank and size of the \(name) communicator: \(error)")
        }
    }

    private static func rankAndSize(_ handle: OpaquePointer) throws(MPIError) -> (Int, Int) {
        var rank: Int32 = 0
        var size: Int32 = 0
        try CCall.run("MPI_Comm_rank") { MPI_Comm_rank(handle, &rank) }
        try CCall.run("MPI_Comm_size") { MPI_Comm_size(handle, &size) }
        return (Int(rank), Int(size))
    }
}
