import Foundation
import MPI
import Testing

extension MPITests {
    @Suite struct Runtime {
        @Test func initializeIsIdempotentAndReportsTheProvidedLevel() throws {
            try withWorld { _ in
                let first = try MPIRuntime.initialize(threadLevel: .serialized)
                let second = try MPIRuntime.initialize(threadLevel: .multiple)
                #expect(first == second)
                #expect(MPIRuntime.threadLevel == first)
                #expect(MPIRuntime.isInitialized)
            }
        }

        @Test func worldMatchesTheLauncher() throws {
            try withWorld { world in
                let environment = ProcessInfo.processInfo.environment
                let expectedSize = environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) } ?? 1
                #expect(world.size == expectedSize)
                if let launcherRank = environment["OMPI_COMM_WORLD_RANK"].flatMap({ Int($0) }) {
                    #expect(world.rank == launcherRank)
                }
                #expect((0..<world.size).contains(world.rank))
                #expect(world.isRoot == (world.rank == 0))
            }
        }

        @Test func selfOnlyHoldsOneRank() throws {
            try withWorld { _ in
                let solo = Communicator.selfOnly
                #expect(solo.rank == 0)
                #expect(solo.size == 1)
                let echoed = try solo.allreduce(41.5, op: .sum)
                #expect(echoed == 41.5)
            }
        }

        @Test func threadLevelsAreOrdered() {
            #expect(ThreadLevel.single < .funneled)
            #expect(ThreadLevel.funneled < .serialized)
            #expect(ThreadLevel.serialized < .multiple)
            #expect(ThreadLevel.multiple.description == "MPI_THREAD_MULTIPLE")
        }

        /// Tasks calling MPI at once must be serialized by the wrapper below MPI_THREAD_MULTIPLE;
        /// on the self communicator the collectives are local, so this is safe at any rank count.
        @Test func concurrentCallsOnSelfOnlyGiveCorrectResults() async throws {
            _ = testWorld
            let solo = Communicator.selfOnly
            let sums = try await withThrowingTaskGroup(of: Double.self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var total = 0.0
                        for step in 0..<50 {
                            total += try solo.allreduce([Double(task), Double(step)], op: .sum)
                                .reduce(0, +)
                        }
                        return total
                    }
                }
                return try await group.reduce(into: [Double]()) { $0.append($1) }
            }
            #expect(sums.count == 8)
            // Σ_step (task + step) = 50·task + 1225, summed over tasks 0..<8.
            let total: Double = sums.reduce(0, +)
            let expected: Double = 50 * 28 + 8 * 1225
            #expect(abs(total - expected) < 1e-9)
        }
    }
}
