import MPI
import Testing

extension MPITests {
    /// Invalid roots and ranks reach MPI and come back as MPIError on every rank (no abort).
    @Suite struct Errors {
        static let invalidRoots = [-1, 1 << 20, Int.max]

        @Test func invalidRootInBroadcastAndReduce() throws {
            try withWorld { world in
                for root in [world.size] + Self.invalidRoots {
                    var buffer = [1.0, 2.0]
                    let broadcastError = mpiError { try world.broadcast(&buffer, root: root) }
                    #expect(broadcastError?.errorClass == .root)
                    #expect(broadcastError?.function == "MPI_Bcast")
                    #expect(broadcastError?.message.isEmpty == false)
                    let reduceError = mpiError { _ = try world.reduce([1.0], op: .sum, root: root) }
                    #expect(reduceError?.errorClass == .root)
                }
            }
        }

        @Test func invalidRootInGathersAndCodableBroadcast() throws {
            try withWorld { world in
                let root = world.size
                #expect(mpiError { _ = try world.gather([Int64(1)], root: root) }?.errorClass == .root)
                #expect(mpiError { _ = try world.gatherv([UInt8(1)], root: root) }?.errorClass == .root)
                #expect(mpiError { _ = try world.gather(value: "x", root: root) }?.errorClass == .root)
                #expect(mpiError { _ = try world.broadcast(Optional<String>.none, root: root) }?
                    .errorClass == .root)
                // The world is still usable after the errors.
                let arrivals = try world.allreduce(Int64(1), op: .sum)
                #expect(arrivals == Int64(world.size))
            }
        }

        @Test func invalidRankInPointToPoint() throws {
            try withWorld { world in
                for rank in [world.size, -5] {
                    let sendError = mpiError { try world.send([1.0], to: rank) }
                    #expect(sendError?.errorClass == .rank)
                    let receiveError = mpiError { _ = try world.receive(Double.self, from: rank) }
                    #expect(receiveError?.errorClass == .rank)
                }
            }
        }

        @Test func negativeColorIsRejectedByMPI() throws {
            try withWorld { world in
                let error = mpiError { _ = try world.split(color: -7, key: 0) }
                #expect(error?.errorClass == .argument, "\(String(describing: error))")
                #expect(error?.function == "MPI_Comm_split")
                // Open MPI's MPI_UNDEFINED: MPI returns no communicator, the wrapper throws.
                let undefined = mpiError { _ = try world.split(color: -32766, key: 0) }
                #expect(undefined?.errorClass == .argument)
                #expect(undefined?.message.contains("MPI_UNDEFINED") == true)
            }
        }

        @Test func descriptionNamesTheCallAndTheClass() {
            let error = MPIError(reason: .library(.root), function: "MPI_Bcast",
                                 message: "MPI_ERR_ROOT: invalid root")
            #expect(error.description.contains("MPI_Bcast"))
            #expect(error.description.contains("invalid root"))
            #expect(MPIError.ErrorClass.root.description == "MPI_ERR_ROOT")
            #expect(MPIError.ErrorClass.root != .rank)
        }
    }
}
