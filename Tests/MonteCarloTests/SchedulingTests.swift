import Testing
@testable import MonteCarlo

@Suite struct SchedulingTests {
    @Test(arguments: [1, 2, 3, 5], [1, 2, 4])
    func everyBlockIsDealtOnceUpToTheLimit(ranks: Int, blocksPerRank: Int) {
        let schedule = BlockSchedule(blocksPerRank: blocksPerRank, blockLimit: 23)
        var dealt: [Int] = []
        var first = 0
        while first < 23 {
            for rank in 0..<ranks { dealt += schedule.blocks(first: first, rank: rank, size: ranks) }
            first += schedule.roundWidth(size: ranks)
        }
        #expect(dealt.sorted() == Array(0..<23))
    }

    @Test func blocksAreInterleavedAcrossRanks() {
        let schedule = BlockSchedule(blocksPerRank: 3, blockLimit: 100)
        #expect(schedule.blocks(first: 12, rank: 1, size: 4) == [13, 17, 21])
        #expect(BlockSchedule(blocksPerRank: 3, blockLimit: 18).blocks(first: 12, rank: 1, size: 4) == [13, 17])
    }

    @Test func roundReportsTravelBitExactAndBadBytesAreRefused() throws {
        var block = BlockStatistics(index: 7, pointCount: 3)
        block.add([1.5, .nan, -.infinity])
        block.add([0.1, 2, 3])
        let report = RoundReport(busySeconds: 0.25, blocks: [block, BlockStatistics(index: 9, pointCount: 3)])
        let back = try RoundReport.decode(report.encoded(), pointCount: 3)
        #expect(back.blocks == report.blocks)
        #expect(back.busySeconds == 0.25)
        #expect(throws: CollectiveError.self) { try RoundReport.decode(report.encoded(), pointCount: 4) }
        #expect(throws: CollectiveError.self) { try RoundReport.decode(Array(report.encoded().dropLast()), pointCount: 3) }
        #expect(throws: CollectiveError.self) { try RoundReport.decode(report.encoded() + [0], pointCount: 3) }
        for d in [Directive.proceed(nextBlock: 123_456), .finish(.targetMet), .interrupt(resumable: true), .fail("disk full")] {
            #expect(try Directive.decode(d.encoded()) == d)
        }
        #expect(throws: CollectiveError.self) { try Directive.decode([9]) }
        #expect(throws: CollectiveError.self) { try Directive.decode([]) }
    }
}
