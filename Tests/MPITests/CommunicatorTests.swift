import MPI
import Testing

extension MPITests {
    @Suite struct Communicators {
        @Test func splitByParityOrdersByKey() throws {
            try withWorld { world in
                let parity = world.rank % 2
                // Negative keys reverse the world order within each half.
                let half = try world.split(color: parity, key: -world.rank)
                let members = (0..<world.size).filter { $0 % 2 == parity }
                #expect(half.size == members.count)
                #expect(half.rank == members.reversed().firstIndex(of: world.rank))
                let sum = try half.allreduce(Int64(world.rank), op: .sum)
                #expect(sum == Int64(members.reduce(0, +)))
                for root in 0..<half.size {
                    var token: [Int64] = [half.rank == root ? Int64(world.rank) : -1]
                    try half.broadcast(&token, root: root)
                    #expect(token[0] % 2 == Int64(parity))
                }
                try half.free()
            }
        }

        @Test func duplicateKeepsRanksAndWorksIndependently() throws {
            try withWorld { world in
                let copy = try world.duplicate()
                #expect(copy.rank == world.rank)
                #expect(copy.size == world.size)
                #expect(try copy.allreduce(Int64(world.rank), op: .max) == Int64(world.size - 1))
                // Errors on the duplicate come back as MPIError too: MPI_ERRORS_RETURN is installed.
                let error = mpiError { _ = try copy.reduce([1.0], op: .sum, root: world.size) }
                #expect(error?.errorClass == .root)
                try copy.free()
            }
        }
    }
}
