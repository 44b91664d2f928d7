import Foundation
import Testing
@testable import Numerics

/// Statistical checks use fixed seeds and a 5-standard-error band, so they are
/// deterministic: a failure means the code changed, not bad luck.
@Suite struct RandomStreamTests {
    private func meanAndVariance(_ xs: [Double]) -> (mean: Double, variance: Double) {
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
        return (mean, variance)
    }

    /// |sample mean − μ| ≤ 5·sqrt(σ²/N).
    private func expectMean(_ xs: [Double], _ mu: Double, _ variance: Double,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        let (mean, _) = meanAndVariance(xs)
        let se = (variance / Double(xs.count)).squareRoot()
        #expect(abs(mean - mu) <= 5 * se, "mean \(mean) vs \(mu) (se \(se))", sourceLocation: sourceLocation)
    }

    /// |sample variance − σ²| ≤ 5·sqrt((μ4 − σ⁴)/N), μ4 the fourth central moment.
    private func expectVariance(_ xs: [Double], _ variance: Double, fourthMoment mu4: Double,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let (_, v) = meanAndVariance(xs)
        let se = ((mu4 - variance * variance) / Double(xs.count)).squareRoot()
        #expect(abs(v - variance) <= 5 * se, "variance \(v) vs \(variance) (se \(se))", sourceLocation: sourceLocation)
    }

    @Test func sameKeySameSequence() {
        var a = RandomStream(seed: 42, trial: 9, stream: StreamID.transferSet.stream())
        var b = RandomStream(seed: 42, trial: 9, stream: .transferSet)
        let xs = (0..<100).map { _ in a.nextUInt64() }
        let ys = (0..<100).map { _ in b.nextUInt64() }
        #expect(xs == ys)
    }

    @Test func differentTrialStreamOrSeedDiffers() {
        func first(_ s: RandomStream) -> [UInt32] { var s = s; return (0..<16).map { _ in s.nextUInt32() } }
        let base = first(RandomStream(seed: 1, trial: 0, stream: 0))
        #expect(base != first(RandomStream(seed: 1, trial: 1, stream: 0)))
        #expect(base != first(RandomStream(seed: 1, trial: 0, stream: 1)))
        #expect(base != first(RandomStream(seed: 2, trial: 0, stream: 0)))
        #expect(base != first(RandomStream(seed: 1, trial: 1 << 32, stream: 0)))
        #expect(first(RandomStream(seed: 1, trial: 0, stream: .teacher))
                != first(RandomStream(seed: 1, trial: 0, stream: .teacher, index: 1)))
    }

    @Test func streamIDsAreDistinct() {
        let words = Set(StreamID.allCases.map { $0.stream() })
        #expect(words.count == StreamID.allCases.count)
        #expect(StreamID.allCases.allSatisfy { $0.stream(index: StreamID.subIndexLimit - 1) <= UInt64(UInt32.max) })
    }

    @Test func uniformIsInOpenInterval() {
        var s = RandomStream(seed: 7, trial: 0, stream: 0)
        var lowest = 1.0, highest = 0.0
        for _ in 0..<200_000 {
            let u = s.uniform()
            lowest = min(lowest, u); highest = max(highest, u)
        }
        #expect(lowest > 0 && highest < 1)
        #expect(lowest < 1e-4 && highest > 1 - 1e-4)
    }

    @Test func uniformMomentsAndRange() {
        var s = RandomStream(seed: 8, trial: 0, stream: 0)
        let xs = (0..<50_000).map { _ in s.uniform() }
        expectMean(xs, 0.5, 1.0 / 12)
        expectVariance(xs, 1.0 / 12, fourthMoment: 1.0 / 80)
        let ys = (0..<1000).map { _ in s.uniform(in: -3...5) }
        #expect(ys.allSatisfy { $0 >= -3 && $0 <= 5 })
    }

    @Test func normalMoments() {
        var s = RandomStream(seed: 9, trial: 3, stream: 1)
        let xs = s.normals(count: 50_000)
        #expect(xs.allSatisfy { $0.isFinite })
        expectMean(xs, 0, 1)
        expectVariance(xs, 1, fourthMoment: 3)
    }

    @Test func fillNormalsMatchesNormals() {
        var a = RandomStream(seed: 10, trial: 0, stream: 0)
        var b = a
        var buffer = [Double](repeating: 0, count: 17)
        a.fillNormals(&buffer)
        #expect(buffer == b.normals(count: 17))
    }

    @Test(arguments: [0.3, 1.0, 2.5, 40.0])
    func gammaMoments(shape k: Double) {
        var s = RandomStream(seed: 11, trial: 0, stream: 0)
        let xs = (0..<40_000).map { _ in s.gamma(shape: k) }
        #expect(xs.allSatisfy { $0 >= 0 && $0.isFinite })
        expectMean(xs, k, k)
        // Fourth central moment of Gamma(k, 1): 3k² + 6k.
        expectVariance(xs, k, fourthMoment: 3 * k * k + 6 * k)
    }

    @Test func gammaTinyShapeIsFinite() {
        var s = RandomStream(seed: 12, trial: 0, stream: 0)
        let xs = (0..<1000).map { _ in s.gamma(shape: 1e-3) }
        #expect(xs.allSatisfy { $0 >= 0 && $0.isFinite })
    }

    @Test func chiSquareMoments() {
        var s = RandomStream(seed: 13, trial: 0, stream: 0)
        let nu = 5.0
        let xs = (0..<40_000).map { _ in s.chiSquare(degreesOfFreedom: nu) }
        expectMean(xs, nu, 2 * nu)
        // Chi-square = 2·Gamma(ν/2): μ4 = 16(3k² + 6k), k = ν/2.
        let k = nu / 2
        expectVariance(xs, 2 * nu, fourthMoment: 16 * (3 * k * k + 6 * k))
    }

    @Test(arguments: [(2.0, 3.0), (0.5, 0.5), (5.0, 45.0), (0.01, 0.02)])
    func betaMoments(a: Double, b: Double) {
        var s = RandomStream(seed: 14, trial: 0, stream: 0)
        let xs = (0..<40_000).map { _ in s.beta(a, b) }
        #expect(xs.allSatisfy { $0 >= 0 && $0 <= 1 })
        let mean = a / (a + b)
        let variance = a * b / ((a + b) * (a + b) * (a + b + 1))
        expectMean(xs, mean, variance)
    }

    @Test(arguments: [1, 3, 100])
    func unitVectorOnSphere(dimension: Int) {
        var s = RandomStream(seed: 15, trial: 0, stream: 0)
        var sum = [Double](repeating: 0, count: dimension)
        let draws = 4000
        for _ in 0..<draws {
            let v = s.unitVector(dimension: dimension)
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) <= 1e-12)
            for i in 0..<dimension { sum[i] += v[i] }
        }
        // Each coordinate has mean 0 and variance 1/d.
        let se = (1.0 / Double(dimension) / Double(draws)).squareRoot()
        #expect(sum.allSatisfy { abs($0 / Double(draws)) <= 5 * se })
    }

    @Test func randomSignIsBalanced() {
        var s = RandomStream(seed: 16, trial: 0, stream: 0)
        let xs = (0..<20_000).map { _ in s.randomSign() }
        #expect(xs.allSatisfy { $0 == 1 || $0 == -1 })
        expectMean(xs, 0, 1)
    }

    @Test func integerBelowIsInRangeAndUniform() {
        var s = RandomStream(seed: 17, trial: 0, stream: 0)
        var counts = [Int](repeating: 0, count: 7)
        let draws = 70_000
        for _ in 0..<draws { counts[s.integer(below: 7)] += 1 }
        // Each count is Binomial(N, 1/7).
        let se = (Double(draws) * (1.0 / 7) * (6.0 / 7)).squareRoot()
        #expect(counts.allSatisfy { abs(Double($0) - Double(draws) / 7) <= 5 * se })
        #expect(s.integer(below: 1) == 0)
        let big = (0..<100).map { _ in s.integer(below: Int.max) }
        #expect(big.allSatisfy { $0 >= 0 && $0 < Int.max })
    }

    @Test func sampleWithoutReplacementIsDistinctAndInRange() {
        var s = RandomStream(seed: 18, trial: 0, stream: .datasetSplit)
        let sample = s.sampleWithoutReplacement(count: 500, from: 1_000_000_000)
        #expect(Set(sample).count == 500)
        #expect(sample.allSatisfy { $0 >= 0 && $0 < 1_000_000_000 })
        let all = s.sampleWithoutReplacement(count: 50, from: 50)
        #expect(all.sorted() == Array(0..<50))
        #expect(s.sampleWithoutReplacement(count: 0, from: 3).isEmpty)
    }

    @Test func sampleWithoutReplacementFirstElementIsUniform() {
        var s = RandomStream(seed: 19, trial: 0, stream: 0)
        var counts = [Int](repeating: 0, count: 5)
        let draws = 10_000
        for _ in 0..<draws { counts[s.sampleWithoutReplacement(count: 3, from: 5)[0]] += 1 }
        let se = (Double(draws) * 0.2 * 0.8).squareRoot()
        #expect(counts.allSatisfy { abs(Double($0) - Double(draws) / 5) <= 5 * se })
    }

    @Test func drivesStandardLibrary() {
        var a = RandomStream(seed: 20, trial: 0, stream: 0)
        var b = a
        let x = Int.random(in: 0..<1000, using: &a)
        let y = Int.random(in: 0..<1000, using: &b)
        #expect(x == y && x >= 0 && x < 1000)
    }
}
