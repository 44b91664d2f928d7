import MPI
import Testing

extension MPITests {
    @Suite struct PointToPoint {
        @Test func messageToSelfRoundTrips() throws {
            try withWorld { world in
                // Small enough to be sent eagerly, so the send returns before the receive.
                try world.send([Int64(world.rank), -1, .max], to: world.rank, tag: 5)
                let received = try world.receive(Int64.self, from: world.rank, tag: 5)
                #expect(received == [Int64(world.rank), -1, .max])
            }
        }

        @Test func evenRanksSendToTheirOddNeighbour() throws {
            try withWorld { world in
                let r = world.rank
                var received = 0
                if r % 2 == 0, r + 1 < world.size {
                    try world.send([Double](repeating: Double(r), count: r + 3), to: r + 1, tag: 2)
                } else if r % 2 == 1 {
                    let message = try world.receive(Double.self, from: r - 1, tag: 2)
                    #expect(message == [Double](repeating: Double(r - 1), count: r + 2))
                    received = 1
                }
                // Every odd rank received exactly one message (none in a singleton run).
                #expect(try world.allreduce(Int64(received), op: .sum) == Int64(world.size / 2))
            }
        }
    }
}
