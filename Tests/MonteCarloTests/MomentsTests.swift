import Testing
@testable import MonteCarlo

@Suite struct MomentsTests {
    /// Two-pass mean and M2 as the reference.
    static func twoPass(_ xs: [Double]) -> (mean: Double, m2: Double) {
        let mean = xs.reduce(0, +) / Double(xs.count)
        return (mean, xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) })
    }

    @Test func welfordMatchesTwoPass() {
        let xs = (0..<1000).map { 3 + 2 * Support.uniform($0, 0) }
        var m = Moments()
        for x in xs { m.add(x) }
        let ref = Self.twoPass(xs)
        #expect(m.count == 1000)
        #expect(Support.relativelyClose(m.mean, ref.mean))
        #expect(Support.relativelyClose(m.m2, ref.m2))
    }

    @Test(arguments: [1, 3, 64, 1000])
    func chanMergeOfBlocksMatchesOnePass(blockSize: Int) {
        let xs = (0..<3000).map { 1e3 * (Support.uniform($0, 1) - 0.25) }
        var merged = Moments()
        for start in stride(from: 0, to: xs.count, by: blockSize) {
            var block = Moments()
            for x in xs[start..<min(start + blockSize, xs.count)] { block.add(x) }
            merged.merge(block)
        }
        var onePass = Moments()
        for x in xs { onePass.add(x) }
        #expect(merged.count == onePass.count)
        #expect(Support.relativelyClose(merged.mean, onePass.mean))
        #expect(Support.relativelyClose(merged.m2, onePass.m2))
        let ref = Self.twoPass(xs)
        #expect(Support.relativelyClose(merged.mean, ref.mean))
        #expect(Support.relativelyClose(merged.m2, ref.m2))
    }

    @Test func blockOrderMergeIgnoresWhoComputedWhichBlock() {
        // Blocks computed in any order (as on different ranks) and merged by index give the same bits.
        let blockSize = 10, blocks = 12
        func block(_ b: Int) -> BlockStatistics {
            var s = BlockStatistics(index: b, pointCount: Support.pointCount)
            for t in (b * blockSize)..<((b + 1) * blockSize) { s.add(Support.trial(t)) }
            return s
        }
        var inOrder = MergedStatistics(blockSize: blockSize, pointCount: Support.pointCount)
        for b in 0..<blocks { inOrder.merge(block(b)) }
        // "Rank" 1 computes odd blocks first, "rank" 0 even ones, arriving in reverse.
        let computed = (0..<blocks).reversed().map(block).sorted { ($0.index % 2, $0.index) < ($1.index % 2, $1.index) }
        var regrouped = MergedStatistics(blockSize: blockSize, pointCount: Support.pointCount)
        for b in computed.sorted(by: { $0.index < $1.index }) { regrouped.merge(b) }
        #expect(Support.bits(inOrder) == Support.bits(regrouped))
        #expect(inOrder.trials == blocks * blockSize)
    }

    @Test func singleValueBlocks() {
        var m = Moments()
        for x in [4.0, -2.0, 7.0] {
            var one = Moments()
            one.add(x)
            #expect(one.count == 1 && one.m2 == 0 && one.variance.isNaN)
            m.merge(one)
        }
        #expect(Support.relativelyClose(m.mean, 3))
        #expect(Support.relativelyClose(m.variance, 21))
    }

    @Test func constantValuesGiveZeroSpread() {
        var a = Moments(), b = Moments()
        for _ in 0..<7 { a.add(0.1) }
        for _ in 0..<5 { b.add(0.1) }
        let m = Moments.merged(a, b)
        #expect(m.count == 12)
        #expect(abs(m.mean - 0.1) <= 1e-17)
        #expect(m.standardDeviation == 0)
    }

    @Test func nanIsMissingNotAValue() {
        var m = Moments()
        for x in [1.0, .nan, 3.0, .nan] { m.add(x) }
        #expect(m.count == 2)
        #expect(m.missing == 2)
        #expect(Support.relativelyClose(m.mean, 2))
        let merged = Moments.merged(m, Moments(count: 0, missing: 5, mean: 0, m2: 0))
        #expect(merged.missing == 7 && merged.count == 2 && merged.mean == m.mean)
        var allMissing = Moments()
        allMissing.add(.nan)
        #expect(allMissing.count == 0 && allMissing.mean == 0 && allMissing.standardDeviation.isNaN)
    }

    @Test func infinityPoisonsVisibly() {
        var m = Moments()
        for x in [1.0, .infinity, 2.0] { m.add(x) }
        #expect(m.count == 3)
        #expect(!m.mean.isFinite)
        #expect(m.standardDeviation.isNaN)
        var negative = Moments()
        negative.add(-.infinity)
        #expect(negative.mean == -.infinity)
    }

    @Test func hugeAndTinyMagnitudes() {
        for scale in [1e150, 1e-150, 1e-300] {
            var m = Moments()
            let xs = (0..<100).map { scale * (1 + Support.uniform($0, 2)) }
            for x in xs { m.add(x) }
            let ref = Self.twoPass(xs.map { $0 / scale })
            #expect(Support.relativelyClose(m.mean / scale, ref.mean, 1e-13))
            if scale >= 1e-150 {
                #expect(Support.relativelyClose(m.m2 / (scale * scale), ref.m2, 1e-12))
            }
        }
        // A large offset with a small spread: Welford keeps the spread (a naive Σx² would not).
        var m = Moments()
        for i in 0..<1000 { m.add(1e9 + Double(i % 2)) }
        #expect(Support.relativelyClose(m.variance, 0.25 * 1000 / 999, 1e-9))
    }

    @Test func equalityIsOnBits() {
        let nan = Moments(count: 2, missing: 0, mean: .nan, m2: .nan)
        #expect(nan == nan)
        #expect(Moments(count: 1, missing: 0, mean: 0.0, m2: 0) != Moments(count: 1, missing: 0, mean: -0.0, m2: 0))
        #expect(Set([nan, nan]).count == 1)
    }
}
