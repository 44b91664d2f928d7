import MPI
import Testing

extension MPITests {
    /// Stop notices: posted without waiting, taken without blocking, each exactly once.
    @Suite struct Notices {
        @Test func everyRankTakesOneNoticeFromEveryOtherRank() throws {
            try withWorld { world in
                #expect(try world.takeNotices(tag: 41) == 0, "nothing posted yet")
                try world.barrier()  // no rank posts before every rank has looked
                try world.postNotice(tag: 41)
                // After the barrier every notice has been sent; a notice may still be in flight,
                // so take until all size − 1 have arrived (bounded, never blocking).
                try world.barrier()
                var taken = 0
                for _ in 0..<100_000 where taken < world.size - 1 { taken += try world.takeNotices(tag: 41) }
                #expect(taken == world.size - 1)
                #expect(try world.takeNotices(tag: 41) == 0, "a notice is taken once")
                try world.barrier()
            }
        }
    }
}
