internal import CMPI

/// Collectives over arrays of `MPIScalar`, written once for every element type.
///
/// Every rank of the communicator must call the same collective, in the same order, with the
/// same root. Roots are passed to MPI unchecked (clamped into Int32), so an invalid root comes
/// back from the library as `MPIError` with class `.root` on every rank instead of crashing one.
extension Communicator {
    /// Waits until every rank has arrived.
    package func barrier() throws(MPIError) {
        try CCall.run("MPI_Barrier") { MPI_Barrier(handle) }
    }

    /// Copies `buffer` from `root` into `buffer` on every other rank, in place.
    /// Every rank must pass a buffer of the same count (send the count first when it varies, or
    /// use the `Codable` broadcast).
    package func broadcast<T: MPIScalar>(_ buffer: inout [T], root: Int) throws(MPIError) {
        let count = Communicator.count(buffer.count)
        try CCall.run("MPI_Bcast") {
            buffer.withUnsafeMutableBytes { bytes in
                withNonNull(bytes) { pointer in
                    MPI_Bcast(pointer, count, T.mpiDatatype.handle, Int32(clamping: root), handle)
                }
            }
        }
    }

    /// Elementwise reduction of equal-length arrays; the result at `root`, nil elsewhere.
    package func reduce<T: MPIScalar>(_ values: [T], op: ReductionOperation,
                                     root: Int) throws(MPIError) -> [T]? {
        let count = Communicator.count(values.count)
        let isReceiver = rank == root
        var result: [T] = []
        try CCall.run("MPI_Reduce") {
            withSendPointer(values) { send in
                guard isReceiver else {
                    return MPI_Reduce(send, nil, count, T.mpiDatatype.handle, op.handle,
                                      Int32(clamping: root), handle)
                }
                var code: Int32 = 0
                result = receiveArray(count: values.count) { receive in
                    code = MPI_Reduce(send, receive, count, T.mpiDatatype.handle, op.handle,
                                      Int32(clamping: root), handle)
                }
                return code
            }
        }
        return isReceiver ? result : nil
    }

    /// Reduction of one value per rank; the result at `root`, nil elsewhere.
    package func reduce<T: MPIScalar>(_ value: T, op: ReductionOperation,
                                     root: Int) throws(MPIError) -> T? {
        try reduce([value], op: op, root: root)?.first
    }

    /// Elementwise reduction of equal-length arrays, with the result on every rank.
    package func allreduce<T: MPIScalar>(_ values: [T],
                                        op: ReductionOperation) throws(MPIError) -> [T] {
        let count = Communicator.count(values.count)
        var result: [T] = []
        try CCall.run("MPI_Allreduce") {
            withSendPointer(values) { send in
                var code: Int32 = 0
                result = receiveArray(count: values.count) { receive in
                    code = MPI_Allreduce(send, receive, count, T.mpiDatatype.handle, op.handle,
                                         handle)
                }
                return code
            }
        }
        return result
    }

    /// Reduction of one value per rank, with the result on every rank.
    package func allreduce<T: MPIScalar>(_ value: T, op: ReductionOperation) throws(MPIError) -> T {
        try allreduce([value], op: op)[0]
    }

    /// Concatenates equal-length arrays at `root` in rank order (rank r's values at
    /// r·count..<(r+1)·count); nil elsewhere. Use `gatherv` when the lengths differ.
    package func gather<T: MPIScalar>(_ values: [T], root: Int) throws(MPIError) -> [T]? {
        let count = Communicator.count(values.count)
        let isReceiver = rank == root
        var result: [T] = []
        try CCall.run("MPI_Gather") {
            withSendPointer(values) { send in
                guard isReceiver else {
                    return MPI_Gather(send, count, T.mpiDatatype.handle, nil, count,
                                      T.mpiDatatype.handle, Int32(clamping: root), handle)
                }
                var code: Int32 = 0
                result = receiveArray(count: values.count * size) { receive in
                    code = MPI_Gather(send, count, T.mpiDatatype.handle, receive, count,
                                      T.mpiDatatype.handle, Int32(clamping: root), handle)
                }
                return code
            }
        }
        return isReceiver ? result : nil
    }

    /// Collects arrays of any lengths at `root`, one per rank in rank order; nil elsewhere.
    package func gatherv<T: MPIScalar>(_ values: [T], root: Int) throws(MPIError) -> [[T]]? {
        guard let counts = try gather([Communicator.count(values.count)], root: root) else {
            try gathervData(values, counts: [], root: root)
            return nil
        }
        let flat = try gathervData(values, counts: counts, root: root)
        var result: [[T]] = []
        result.reserveCapacity(size)
        var start = 0
        for count in counts {
            result.append(Array(flat[start..<start + Int(count)]))
            start += Int(count)
        }
        return result
    }

    /// Concatenates equal-length arrays on every rank, in rank order.
    package func allgather<T: MPIScalar>(_ values: [T]) throws(MPIError) -> [T] {
        let count = Communicator.count(values.count)
        var result: [T] = []
        try CCall.run("MPI_Allgather") {
            withSendPointer(values) { send in
                var code: Int32 = 0
                result = receiveArray(count: values.count * size) { receive in
                    code = MPI_Allgather(send, count, T.mpiDatatype.handle, receive, count,
                                         T.mpiDatatype.handle, handle)
                }
                return code
            }
        }
        return result
    }

    // MARK: - Buffers

    /// MPI_Gatherv with the counts known at the root (empty elsewhere).
    @discardableResult
    private func gathervData<T: MPIScalar>(_ values: [T], counts: [Int32],
                                           root: Int) throws(MPIError) -> [T] {
        let count = Communicator.count(values.count)
        var displacements: [Int32] = []
        var total = 0
        for count in counts {
            displacements.append(Communicator.count(total))
            total += Int(count)
        }
        _ = Communicator.count(total)
        var result: [T] = []
        try CCall.run("MPI_Gatherv") {
            withSendPointer(values) { send in
                guard !counts.isEmpty else {
                    return MPI_Gatherv(send, count, T.mpiDatatype.handle, nil, nil, nil,
                                       T.mpiDatatype.handle, Int32(clamping: root), handle)
                }
                var code: Int32 = 0
                result = receiveArray(count: total) { receive in
                    code = MPI_Gatherv(send, count, T.mpiDatatype.handle, receive, counts,
                                       displacements, T.mpiDatatype.handle,
                                       Int32(clamping: root), handle)
                }
                return code
            }
        }
        return result
    }

    /// MPI counts are C ints; larger arrays are a programmer error here, not an input error.
    static func count(_ count: Int) -> Int32 {
        guard let value = Int32(exactly: count) else {
            preconditionFailure("\(count) elements exceed the MPI count limit of \(Int32.max)")
        }
        return value
    }
}

/// Runs `body` with a non-null pointer to the array's bytes: MPI rejects null buffers and
/// aliased send/receive buffers, which is what empty Swift arrays would give.
private func withSendPointer<T: MPIScalar>(_ values: [T],
                                           _ body: (UnsafeRawPointer) -> Int32) -> Int32 {
    values.withUnsafeBytes { bytes in
        if let base = bytes.baseAddress { return body(base) }
        return withUnsafeTemporaryAllocation(byteCount: 16, alignment: 16) { scratch in
            body(UnsafeRawPointer(scratch.baseAddress!))
        }
    }
}

private func withNonNull(_ bytes: UnsafeMutableRawBufferPointer,
                         _ body: (UnsafeMutableRawPointer) -> Int32) -> Int32 {
    if let base = bytes.baseAddress { return body(base) }
    return withUnsafeTemporaryAllocation(byteCount: 16, alignment: 16) { scratch in
        body(scratch.baseAddress!)
    }
}

/// An array of `count` elements filled by `fill` (MPI writes every element on success; on
/// failure the caller throws and the contents are discarded). Always a distinct, non-null buffer.
private func receiveArray<T: MPIScalar>(count: Int,
                                        _ fill: (UnsafeMutableRawPointer) -> Void) -> [T] {
    [T](unsafeUninitializedCapacity: Swift.max(count, 1)) { buffer, initialized in
        fill(UnsafeMutableRawPointer(buffer.baseAddress!))
        initialized = count
    }
}
