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
        let groups = [[0, 2], [1]]
        var block = BlockStatistics(index: 7, pointCount: 3, groups: groups)
        block.add([1.5, .nan, -.infinity])
        block.add([0.1, 2, 3])
        block.add([0.3, 2.5, 1])
        let report = RoundReport(busySeconds: 0.25, stopRequested: true,
                                 blocks: [block, BlockStatistics(index: 9, pointCount: 3, groups: groups)])
        let back = try RoundReport.decode(report.encoded(), pointCount: 3, groups: groups)
        #expect(back.blocks == report.blocks)
        #expect(back.stopRequested)
        #expect(back.blocks[0].groups[1].count == 2 && back.blocks[0].groups[1].skipped == 1)
        #expect(throws: CollectiveError.self) { try RoundReport.decode(report.encoded(), pointCount: 3) }
        #expect(back.busySeconds == 0.25)
        #expect(throws: CollectiveError.self) { try RoundReport.decode(report.encoded(), pointCount: 4, groups: groups) }
        #expect(throws: CollectiveError.self) { try RoundReport.decode(Array(report.encoded().dropLast()), pointCount: 3, groups: groups) }
        #expect(throws: CollectiveError.self) { try RoundReport.decode(report.encoded() + [0], pointCount: 3, groups: groups) }
        for d in [Directive.proceed(blocks: [123_456, 123_458, 9], blocksPerRank: 3), .finish(.targetMet), .interrupt(resumable: true), .fail("disk full")] {
            #expect(try Directive.decode(d.encoded()) == d)
        }
        #expect(throws: CollectiveError.self) { try Directive.decode([9]) }
        #expect(throws: CollectiveError.self) { try Directive.decode([]) }
    }

    @Test func roundWidthStartsAtOneBlockAndFitsTheTarget() {
        #expect(RoundWidth.initial(targetSeconds: 10, maximum: 8) == 1)
        #expect(RoundWidth.initial(targetSeconds: nil, maximum: 8) == 8)
        // 2 blocks took the slowest rank 4 s: 2 s a block, 5 fit in 10 s.
        #expect(RoundWidth.next(targetSeconds: 10, maximum: 8, busySeconds: [1, 4], blocksPerRank: 2) == 5)
        // Fast blocks: capped at the maximum.
        #expect(RoundWidth.next(targetSeconds: 10, maximum: 8, busySeconds: [0.01, 0.02], blocksPerRank: 1) == 8)
        // A block slower than the target still makes progress: one block.
        #expect(RoundWidth.next(targetSeconds: 10, maximum: 8, busySeconds: [60, 30], blocksPerRank: 1) == 1)
        // Nothing measured (zero, NaN, no ranks): the maximum, as without a target.
        for busy in [[0.0], [Double.nan], []] {
            #expect(RoundWidth.next(targetSeconds: 10, maximum: 8, busySeconds: busy, blocksPerRank: 1) == 8)
        }
        #expect(RoundWidth.next(targetSeconds: nil, maximum: 3, busySeconds: [100], blocksPerRank: 1) == 3)
    }

    @Test func directiveWithAZeroWidthRoundIsRefused() throws {
        var bytes = Directive.proceed(blocks: [5], blocksPerRank: 1).encoded()
        // The width is the 8 bytes after the tag (see WireWriter.int): make it 0.
        for i in 1..<9 { bytes[i] = 0 }
        #expect(throws: CollectiveError.self) { try Directive.decode(bytes) }
    }
}

