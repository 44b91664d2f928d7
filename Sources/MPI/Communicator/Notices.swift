internal import CMPI

/// Empty messages that one rank posts to others without waiting, and that the others look for
/// without blocking: how a rank that received a stop signal tells ranks that are busy computing
/// (they poll between trials) instead of waiting for the next collective.
extension Communicator {
    /// Sends an empty message with `tag` to every other rank and returns at once (MPI_Isend of
    /// zero bytes, the requests freed: MPI completes them on its own, and nothing is reused).
    package func postNotice(tag: Int) throws(MPIError) {
        for destination in 0..<size where destination != rank {
            var request: MPI_Request?
            try CCall.run("MPI_Isend") {
                MPI_Isend(Communicator.noticeBuffer, 0, kdmc_type_byte(), Int32(destination),
                          Int32(clamping: tag), handle, &request)
            }
            try CCall.run("MPI_Request_free") { MPI_Request_free(&request) }
        }
    }

    /// Receives every pending notice with `tag` from any rank and returns how many there were
    /// (MPI_Iprobe, then MPI_Recv of the probed message; never blocks).
    package func takeNotices(tag: Int) throws(MPIError) -> Int {
        var taken = 0
        while true {
            var flag: Int32 = 0
            var status = MPI_Status()
            try CCall.run("MPI_Iprobe") {
                MPI_Iprobe(kdmc_any_source(), Int32(clamping: tag), handle, &flag, &status)
            }
            if flag == 0 { return taken }
            try CCall.run("MPI_Recv") {
                MPI_Recv(Communicator.noticeBuffer, 0, kdmc_type_byte(), status.MPI_SOURCE,
                         status.MPI_TAG, handle, kdmc_status_ignore())
            }
            taken += 1
        }
    }

    /// A valid address for zero-byte sends and receives (never read or written).
    nonisolated(unsafe) private static let noticeBuffer = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
}
