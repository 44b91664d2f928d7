import Testing
@testable import MonteCarlo

@Suite struct CoMomentsTests {
    /// Two-pass sample covariance of the rows' columns `points`.
    static func twoPass(_ rows: [[Double]], _ points: [Int]) -> [Double] {
        let k = points.count
        let n = Double(rows.count)
        let mean = points.map { p in rows.map { $0[p] }.reduce(0, +) / n }
        var c = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0..<k {
                c[i * k + j] = rows.map { ($0[points[i]] - mean[i]) * ($0[points[j]] - mean[j]) }.reduce(0, +) / (n - 1)
            }
        }
        return c
    }

    @Test func welfordAndChanMatchTwoPass() throws {
        let rows = (0..<500).map { Support.trial($0) }.filter { !$0[4].isNaN }
        let points = [0, 2, 4]
        var one = CoMoments(points: points)
        for r in rows { one.add(trial: r) }
        var merged = CoMoments(points: points)
        for chunk in stride(from: 0, to: rows.count, by: 37) {
            var part = CoMoments(points: points)
            for r in rows[chunk..<min(chunk + 37, rows.count)] { part.add(trial: r) }
            merged.merge(part)
        }
        let reference = Self.twoPass(rows, points)
        for (label, c) in [("one pass", one), ("merged", merged)] {
            let covariance = try #require(c.covariance)
            for i in reference.indices {
                #expect(abs(covariance[i] - reference[i]) <= 1e-12 * max(1, abs(reference[i])), "\(label) [\(i)]")
            }
            #expect(c.count == rows.count)
        }
        // Off-diagonal entries are those of the data (points 0 and 2 are independent draws,
        // so near 0; the diagonal is the variance of each).
        let variance = (try #require(one.covariance))[4]
        #expect(abs(variance - 9.0 / 12) < 0.15)
    }

    @Test func trialsWithAMissingValueAreSkippedWhole() {
        var c = CoMoments(points: [0, 1])
        c.add(trial: [1, 2, 99])
        c.add(trial: [.nan, 5, 99])
        c.add(trial: [3, 6, .nan])
        #expect(c.count == 2 && c.skipped == 1)
        #expect(c.mean == [2, 4])
        // C = Σ (x − x̄)(y − ȳ) = (−1)(−2) + (1)(2) = 4; variance of x: 2, of y: 8.
        #expect(c.covariance == [2, 4, 4, 8])
        #expect(c.covarianceOfMeans == [1, 2, 2, 4])
        #expect(CoMoments(points: [0]).covariance == nil)
    }

    @Test func mergingEmptyPartsChangesNoBit() {
        var a = CoMoments(points: [1, 3])
        for t in 0..<20 { a.add(trial: Support.trial(t)) }
        var b = a
        b.merge(CoMoments(points: [1, 3]))
        #expect(a == b)
        var c = CoMoments(points: [1, 3])
        c.merge(a)
        #expect(c == a)
    }

    @Test func theEngineRefusesABadGroup() {
        var configuration = Support.configuration(.fixed(trials: 16))
        configuration.covarianceGroups = [[0, Support.pointCount]]
        #expect(throws: EngineError.self) { try TrialEngine(configuration: configuration) }
        configuration.covarianceGroups = [[]]
        #expect(throws: EngineError.self) { try TrialEngine(configuration: configuration) }
    }
}
