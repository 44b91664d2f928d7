import MPI
import Testing

extension MPITests {
    /// Collectives, each looped over every root, asserting values that hold at any rank count.
    @Suite struct Collectives {
        @Test func barrierReturnsOnEveryRank() throws {
            try withWorld { world in
                try world.barrier()
                try world.barrier()
                // Every rank got past both barriers, so the count of arrivals is the size.
                #expect(try world.allreduce(Int64(1), op: .sum) == Int64(world.size))
            }
        }

        @Test func broadcastCopiesSpecialValuesFromEveryRoot() throws {
            try withWorld { world in
                for root in 0..<world.size {
                    let sent: [Double] = [Double(root), .infinity, -.infinity, -0.0, .nan,
                                          .greatestFiniteMagnitude, .leastNonzeroMagnitude, 0.1]
                    var buffer = world.rank == root ? sent : [Double](repeating: 7, count: sent.count)
                    try world.broadcast(&buffer, root: root)
                    #expect(buffer.count == sent.count)
                    for (received, expected) in zip(buffer, sent) {
                        #expect(received.bitPattern == expected.bitPattern)
                    }
                    #expect(buffer[4].isNaN)
                    #expect(buffer[3].sign == .minus && buffer[3].isZero)
                }
            }
        }

        @Test func broadcastMovesEveryElementType() throws {
            try withWorld { world in
                for root in 0..<world.size {
                    var integers: [Int64] = world.rank == root ? [.min, -1, 0, .max, Int64(root)] : [0, 0, 0, 0, 0]
                    var bytes: [UInt8] = world.rank == root ? [0, 255, UInt8(root)] : [9, 9, 9]
                    var empty: [Double] = []
                    try world.broadcast(&integers, root: root)
                    try world.broadcast(&bytes, root: root)
                    try world.broadcast(&empty, root: root)
                    #expect(integers == [.min, -1, 0, .max, Int64(root)])
                    #expect(bytes == [0, 255, UInt8(root)])
                    #expect(empty.isEmpty)
                }
            }
        }

        @Test func reduceSumMinMaxOfRanksAtEveryRoot() throws {
            try withWorld { world in
                let n = world.size
                let r = world.rank
                for root in 0..<n {
                    let sum = try world.reduce([Double(r), Double(r * r)], op: .sum, root: root)
                    let low = try world.reduce([Int64(r), -Int64(r)], op: .min, root: root)
                    let high = try world.reduce([UInt8(r)], op: .max, root: root)
                    let count = try world.reduce(Int64(1), op: .sum, root: root)
                    #expect(count == (r == root ? Int64(n) : nil))
                    if r == root {
                        let sums = try #require(sum)
                        #expect(abs(sums[0] - Double(n * (n - 1) / 2)) < 1e-12)
                        #expect(abs(sums[1] - Double((n - 1) * n * (2 * n - 1) / 6)) < 1e-12)
                        #expect(low == [0, -Int64(n - 1)])
                        #expect(high == [UInt8(n - 1)])
                    } else {
                        #expect(sum == nil)
                        #expect(low == nil)
                        #expect(high == nil)
                    }
                }
            }
        }

        @Test func allreduceGivesEveryRankTheSameResult() throws {
            try withWorld { world in
                let n = world.size
                let r = world.rank
                let sum = try world.allreduce([Double(r), 1.0], op: .sum)
                #expect(abs(sum[0] - Double(n * (n - 1) / 2)) < 1e-12)
                #expect(abs(sum[1] - Double(n)) < 1e-12)
                #expect(try world.allreduce(Int64(r), op: .min) == 0)
                #expect(try world.allreduce(Int64(r), op: .max) == Int64(n - 1))
                #expect(try world.allreduce([UInt8(1)], op: .sum) == [UInt8(n)])
                // An infinity on one rank dominates the max and the sum everywhere.
                let spiked = try world.allreduce(r == n - 1 ? Double.infinity : 1.0, op: .max)
                #expect(spiked == .infinity)
                let nanSum = try world.allreduce(r == 0 ? Double.nan : 1.0, op: .sum)
                #expect(nanSum.isNaN)
                #expect(try world.allreduce([Double](), op: .sum).isEmpty)
            }
        }

        @Test func gatherConcatenatesInRankOrderAtEveryRoot() throws {
            try withWorld { world in
                let n = world.size
                let r = world.rank
                let expected = (0..<n).flatMap { [Int64($0), Int64($0 * 10)] }
                for root in 0..<n {
                    let gathered = try world.gather([Int64(r), Int64(r * 10)], root: root)
                    if r == root {
                        #expect(gathered == expected)
                    } else {
                        #expect(gathered == nil)
                    }
                }
            }
        }

        @Test func gathervCollectsRankDependentLengthsAtEveryRoot() throws {
            try withWorld { world in
                let n = world.size
                let r = world.rank
                // Rank k sends k copies of k, so rank 0 sends nothing.
                let expected = (0..<n).map { [Double](repeating: Double($0), count: $0) }
                for root in 0..<n {
                    let gathered = try world.gatherv([Double](repeating: Double(r), count: r), root: root)
                    if r == root {
                        let rows = try #require(gathered)
                        #expect(rows == expected)
                    } else {
                        #expect(gathered == nil)
                    }
                }
            }
        }

        @Test func allgatherConcatenatesOnEveryRank() throws {
            try withWorld { world in
                let gathered = try world.allgather([UInt8(world.rank), 200])
                #expect(gathered == (0..<world.size).flatMap { [UInt8($0), 200] })
                let ranks = try world.allgather([world.rank])
                #expect(ranks == Array(0..<world.size))
            }
        }
    }
}
