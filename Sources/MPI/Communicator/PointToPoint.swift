internal import CMPI

/// Blocking point-to-point messages. The engine works with collectives; these exist for
/// hand-offs between two ranks. Ranks and tags go to MPI unchecked (clamped into Int32), so an
/// invalid rank comes back as `MPIError` with class `.rank`.
extension Communicator {
    /// Sends `values` to `destination` (MPI_Send: may wait until the receiver posts a receive,
    /// so two ranks must not both send first unless the messages are small).
    package func send<T: MPIScalar>(_ values: [T], to destination: Int, tag: Int = 0) throws(MPIError) {
        let count = Communicator.count(values.count)
        try CCall.run("MPI_Send") {
            values.withUnsafeBytes { bytes in
                withUnsafeTemporaryAllocation(byteCount: 16, alignment: 16) { scratch in
                    MPI_Send(bytes.baseAddress ?? UnsafeRawPointer(scratch.baseAddress!), count,
                             T.mpiDatatype.handle, Int32(clamping: destination),
                             Int32(clamping: tag), handle)
                }
            }
        }
    }

    /// Receives a message of any length sent by `source` with `tag` (probes for the length
    /// first, then receives exactly that message).
    package func receive<T: MPIScalar>(_ type: T.Type = T.self, from source: Int,
                                      tag: Int = 0) throws(MPIError) -> [T] {
        var status = MPI_Status()
        try CCall.run("MPI_Probe") {
            MPI_Probe(Int32(clamping: source), Int32(clamping: tag), handle, &status)
        }
        var count: Int32 = 0
        try CCall.run("MPI_Get_count") { MPI_Get_count(&status, T.mpiDatatype.handle, &count) }
        guard count >= 0, count != kdmc_undefined() else {
            throw MPIError(reason: .library(.truncate), function: "Communicator.receive",
                           message: "the message from rank \(source) is not a whole number of "
                               + "\(T.self) values; send and receive the same element type")
        }
        var result: [T] = []
        try CCall.run("MPI_Recv") {
            var code: Int32 = 0
            result = [T](unsafeUninitializedCapacity: max(Int(count), 1)) { buffer, initialized in
                code = MPI_Recv(buffer.baseAddress, count, T.mpiDatatype.handle, status.MPI_SOURCE,
                                status.MPI_TAG, handle, kdmc_status_ignore())
                initialized = Int(count)
            }
            return code
        }
        return result
    }
}
