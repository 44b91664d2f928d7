import MPI
import Testing

extension MPITests {
    @Suite struct CodableCollectives {
        struct Settings: Codable, Equatable {
            var name: String
            var grid: [Int]
            var tolerance: Double
            var seed: UInt64
            var note: String?
            var nested: [String: [Double]]
        }

        static func settings(root: Int) -> Settings {
            Settings(name: "risk ✓ \"quoted\"\n", grid: [8, 16, 1 << 20], tolerance: 1e-300,
                     seed: .max - UInt64(root), note: nil, nested: ["a": [0.1, -Double.leastNonzeroMagnitude * 3]])
        }

        @Test func broadcastOfAStructFromEveryRoot() throws {
            try withWorld { world in
                for root in 0..<world.size {
                    let sent = Self.settings(root: root)
                    let received = try world.broadcast(world.rank == root ? sent : nil, root: root)
                    #expect(received == sent)
                }
            }
        }

        @Test func broadcastKeepsNonFiniteDoubles() throws {
            try withWorld { world in
                let values = [Double.infinity, -.infinity, .nan, -0.0, 0.1 + 0.2, .leastNonzeroMagnitude]
                let received: [Double] = try world.broadcast(world.isRoot ? values : nil, root: 0)
                #expect(received.count == values.count)
                for (got, sent) in zip(received, values) where !sent.isNaN {
                    #expect(got.bitPattern == sent.bitPattern)
                }
                #expect(received[2].isNaN)
            }
        }

        /// Encodes, unless told to fail (as a value with no JSON form would).
        struct Fragile: Codable, Equatable {
            var fails: Bool
            func encode(to encoder: any Encoder) throws {
                if fails { throw EncodingError.invalidValue(self, .init(codingPath: [], debugDescription: "refused")) }
                var container = encoder.singleValueContainer()
                try container.encode(fails)
            }
            init(fails: Bool) { self.fails = fails }
            init(from decoder: any Decoder) throws {
                fails = try decoder.singleValueContainer().decode(Bool.self)
            }
        }

        @Test func rootThatCannotEncodeMakesEveryRankThrow() throws {
            try withWorld { world in
                for root in 0..<world.size {
                    let error = mpiError {
                        _ = try world.broadcast(world.rank == root ? Fragile(fails: true) : nil, root: root)
                    }
                    #expect(error?.reason == .serialization)
                    #expect(error?.message.contains("rank \(root)") == true)
                }
                let fine = try world.broadcast(world.isRoot ? Fragile(fails: false) : nil, root: 0)
                #expect(fine == Fragile(fails: false))
            }
        }

        @Test func gatherWithAnUnencodableValueThrowsAtThatRankAndTheRoot() throws {
            try withWorld { world in
                for root in 0..<world.size {
                    do {
                        let gathered = try world.gather(value: Fragile(fails: world.rank == 0), root: root)
                        // Only ranks that are neither rank 0 nor the root get here.
                        #expect(world.rank != 0 && world.rank != root)
                        #expect(gathered == nil)
                    } catch {
                        #expect(world.rank == 0 || world.rank == root)
                        #expect((error as? MPIError)?.reason == .serialization)
                    }
                }
            }
        }

        @Test func gatherOfValuesInRankOrderAtEveryRoot() throws {
            try withWorld { world in
                for root in 0..<world.size {
                    let mine = "rank \(world.rank)" + String(repeating: "x", count: world.rank)
                    let gathered = try world.gather(value: mine, root: root)
                    if world.rank == root {
                        #expect(gathered == (0..<world.size).map {
                            "rank \($0)" + String(repeating: "x", count: $0)
                        })
                    } else {
                        #expect(gathered == nil)
                    }
                }
            }
        }
    }
}
