import Foundation
import Testing
@testable import Numerics

/// The ziggurat normal against the normal law at 10^7 draws: Kolmogorov–Smirnov, the first
/// four moments, tail probabilities (past 3, 4 and R; the tail sampler past 5 and 6), each at
/// a stated level, and biased samplers that the same checks must reject.
///
/// Levels: every check is two-sided at about 1e-6 (KS: the asymptotic Kolmogorov quantile;
/// moments and counts: |z| < 5, i.e. 5.7e-7; the count past 6: the Poisson quantiles at 1e-6).
/// Seeds are fixed, so the outcome is deterministic; a failure means the code changed.
@Suite struct RandomNormalLawTests {
    static let draws = 10_000_000
    static let level = 1e-6
    static let zLimit = 5.0

    /// One sample shared by the tests of the sampler (80 MB, drawn once).
    static let sample: [Double] = {
        var stream = RandomStream(seed: 2026, trial: 19, stream: 3)
        return stream.normals(count: draws)
    }()

    /// Draws from the tail sampler (the law of X given X > R).
    static let tailSample: [Double] = {
        var stream = RandomStream(seed: 2026, trial: 19, stream: 4)
        return [Double](unsafeUninitializedCapacity: draws) { buffer, count in
            for i in 0..<draws { buffer[i] = stream.normalTail() }
            count = draws
        }
    }()

    // MARK: The statistics

    static func upperTail(_ x: Double) -> Double { 0.5 * erfc(x / 2.squareRoot()) }

    /// Bounds on the Kolmogorov–Smirnov distance sup |F_n − F| from one pass: the values'
    /// F(x) counted into `bins` equal bins. At a bin edge F is known exactly, so the largest
    /// edge deviation is a lower bound; inside a bin F_n and F each move by at most the bin's
    /// count and width, which gives the upper bound (they differ by ≈ 2/bins).
    struct KolmogorovSmirnov {
        var lower = 0.0, upper = 0.0

        init(count n: Int, bins: Int = 1 << 20, cdf: (Int) -> Double) {
            var counts = [Int32](repeating: 0, count: bins)
            counts.withUnsafeMutableBufferPointer { counts in
                for i in 0..<n {
                    let b = Int(cdf(i) * Double(bins))
                    counts[min(max(b, 0), bins - 1)] += 1
                }
                var below = 0
                for b in 0..<bins {
                    let edge = Double(b) / Double(bins), next = Double(b + 1) / Double(bins)
                    let before = Double(below) / Double(n)
                    below += Int(counts[b])
                    let after = Double(below) / Double(n)
                    lower = max(lower, abs(before - edge))
                    upper = max(upper, after - edge, next - before)
                }
            }
        }
    }

    /// The asymptotic Kolmogorov critical value at `level`: √(−ln(level/2)/2) / √n.
    static func kolmogorovCritical(count n: Int, level: Double) -> Double {
        (-log(level / 2) / 2).squareRoot() / Double(n).squareRoot()
    }

    static func normalKS(_ xs: [Double]) -> KolmogorovSmirnov {
        xs.withUnsafeBufferPointer { x in
            KolmogorovSmirnov(count: x.count) { 1 - upperTail(x[$0]) }
        }
    }

    /// z-scores of the raw moments E X, E X², E X³, E X⁴ against 0, 1, 0, 3, with their exact
    /// sampling variances under the normal law: 1, 2, 15, 96 (over n).
    static func momentScores(_ xs: [Double]) -> [Double] {
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0
        xs.withUnsafeBufferPointer { xs in
            for x in xs {
                let x2 = x * x
                s1 += x; s2 += x2; s3 += x2 * x; s4 += x2 * x2
            }
        }
        let n = Double(xs.count)
        let sums = [s1, s2, s3, s4], target = [0.0, 1, 0, 3], variance = [1.0, 2, 15, 96]
        return (0..<4).map { k in (sums[k] / n - target[k]) / (variance[k] / n).squareRoot() }
    }

    /// z-score of the count of values with |x| > threshold (`twoSided`) or x > threshold.
    static func tailScore(_ xs: [Double], beyond threshold: Double, twoSided: Bool = true) -> Double {
        var count = 0
        xs.withUnsafeBufferPointer { xs in
            for x in xs where (twoSided ? abs(x) : x) > threshold { count += 1 }
        }
        let p = (twoSided ? 2 : 1) * upperTail(threshold)
        let n = Double(xs.count)
        return (Double(count) - n * p) / (n * p * (1 - p)).squareRoot()
    }

    /// The central region of Poisson(λ) with at most `level`/2 in each tail.
    static func poissonAcceptance(mean lambda: Double, level: Double) -> ClosedRange<Int> {
        var cdf = 0.0, k = 0
        var pmf = exp(-lambda)
        var low: Int? = nil
        while true {
            if low == nil && cdf + pmf > level / 2 { low = k }
            cdf += pmf
            if 1 - cdf < level / 2 { return low!...k }
            k += 1
            pmf *= lambda / Double(k)
        }
    }

    // MARK: The sampler

    @Test func kolmogorovSmirnovAtTenMillion() {
        let ks = Self.normalKS(Self.sample)
        #expect(ks.upper < Self.kolmogorovCritical(count: Self.draws, level: Self.level))
    }

    @Test func momentsAtTenMillion() {
        #expect(Self.sample.allSatisfy { $0.isFinite })
        for z in Self.momentScores(Self.sample) { #expect(abs(z) < Self.zLimit) }
    }

    @Test(arguments: [3.0, 4.0, NormalZiggurat.tailStart])
    func tailProbability(beyond threshold: Double) {
        #expect(abs(Self.tailScore(Self.sample, beyond: threshold)) < Self.zLimit)
    }

    /// The tail sampler's law given X > R: KS, and the probability past 5 and past 6 (the
    /// latter by Poisson quantiles: about 76 of 10^7 tail draws, i.e. P(X > 6) = 9.9e-10 of
    /// the full law once multiplied by P(X > R), which `tailProbability` checks).
    @Test func tailSamplerPastSixSigma() {
        let tail = Self.tailSample
        let r = NormalZiggurat.tailStart
        #expect(tail.allSatisfy { $0 > r && $0.isFinite })
        let ks = tail.withUnsafeBufferPointer { x in
            KolmogorovSmirnov(count: x.count) { 1 - Self.upperTail(x[$0]) / Self.upperTail(r) }
        }
        #expect(ks.upper < Self.kolmogorovCritical(count: tail.count, level: Self.level))
        let n = Double(tail.count)
        let p5 = Self.upperTail(5) / Self.upperTail(r)
        var past5 = 0, past6 = 0
        for x in tail { if x > 5 { past5 += 1 }; if x > 6 { past6 += 1 } }
        #expect(abs(Double(past5) - n * p5) / (n * p5 * (1 - p5)).squareRoot() < Self.zLimit)
        let region = Self.poissonAcceptance(mean: n * Self.upperTail(6) / Self.upperTail(r), level: Self.level)
        #expect(region.contains(past6), "\(past6) draws past 6, acceptance region \(region)")
    }

    @Test func signsAreBalancedAndBatchesMatchSingleDraws() {
        // Batches use four Philox blocks at a time from a block boundary and hand the rest back
        // on a rejection (≈ 1.2 % of draws): the same numbers, and the same words left over, as
        // one draw at a time, from every offset within a block and for short and long batches.
        for offset in 0..<4 {
            for count in [1, 7, 8, 9, 100, 5001] {
                var a = RandomStream(seed: 5, trial: UInt64(offset), stream: UInt64(count))
                for _ in 0..<offset { _ = a.nextUInt32() }
                var b = a
                let batch = a.normals(count: count)
                let single = (0..<count).map { _ in b.normal() }
                #expect(batch == single, "offset \(offset), count \(count)")
                #expect(a.nextUInt32() == b.nextUInt32() && a.nextUInt64() == b.nextUInt64())
            }
        }
        let positive = Self.sample.prefix(1_000_000).reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        #expect(abs(Double(positive) - 500_000) / 500 < Self.zLimit)
    }

    /// The table: 256 layers of equal area V, the last one closing at the mode (f = 1).
    @Test func layersHaveEqualAreasAndCloseAtTheMode() {
        let layers = NormalZiggurat.shared.layers
        let r = NormalZiggurat.tailStart
        let v = layers[0].scale * 0x1p52 * layers[0].fTop
        #expect(abs(v - (r * exp(-r * r / 2) + (Double.pi / 2).squareRoot() * erfc(r / 2.squareRoot()))) < 1e-15)
        for i in 1..<256 {
            let area = layers[i].scale * 0x1p52 * (layers[i].fTop - layers[i].fBottom)
            #expect(abs(area / v - 1) < 1e-9, "layer \(i)")
        }
        // The cap (the last layer, up to f = 1) has the same area only if R is right.
        #expect(layers[255].inner == 0)
        #expect(layers[255].fTop == 1)
    }

    // MARK: Controls: biased samplers the same checks reject

    /// The ziggurat without the wedge test (every point of a layer's rectangle accepted): a
    /// 0.5 % excess of mass near the layers' right ends, which the moments see (it is below
    /// what KS resolves at 10^7 draws, sup |G − Φ| ≈ 4.6e-4 against the critical 8.5e-4).
    @Test func controlWithoutTheWedgeTestIsRejected() {
        var stream = RandomStream(seed: 2026, trial: 19, stream: 5)
        let layers = NormalZiggurat.shared.layers
        let xs = [Double](unsafeUninitializedCapacity: Self.draws) { buffer, count in
            for i in 0..<Self.draws {
                let word = stream.nextUInt64()
                let x = Double(word >> 12) * layers[Int(word & 0xFF)].scale
                buffer[i] = word & 0x100 == 0 ? x : -x
            }
            count = Self.draws
        }
        let scores = Self.momentScores(xs)
        #expect(abs(scores[1]) > Self.zLimit)
        #expect(abs(scores[3]) > Self.zLimit)
    }

    /// KS rejects the sample scaled by 1.005 (sup distance ≈ 1.2e-3) and shifted by 0.003
    /// (≈ 1.2e-3); the moments reject a scale of 1.002.
    @Test func controlsWithAWrongScaleOrShiftAreRejected() {
        let critical = Self.kolmogorovCritical(count: Self.draws, level: Self.level)
        #expect(Self.normalKS(Self.sample.map { 1.005 * $0 }).lower > critical)
        #expect(Self.normalKS(Self.sample.map { $0 + 0.003 }).lower > critical)
        let scores = Self.momentScores(Self.sample.map { 1.002 * $0 })
        #expect(abs(scores[1]) > Self.zLimit)
        #expect(abs(scores[3]) > Self.zLimit)
    }

    /// The tail as R + E/R without the acceptance step (an exponential tail): too heavy.
    @Test func controlWithAnExponentialTailIsRejected() {
        var stream = RandomStream(seed: 2026, trial: 19, stream: 6)
        let r = NormalZiggurat.tailStart
        let tail = (0..<1_000_000).map { _ in r - log(stream.uniform()) / r }
        var past6 = 0
        for x in tail where x > 6 { past6 += 1 }
        let region = Self.poissonAcceptance(mean: Double(tail.count) * Self.upperTail(6) / Self.upperTail(r),
                                            level: Self.level)
        #expect(!region.contains(past6))
        let ks = tail.withUnsafeBufferPointer { x in
            KolmogorovSmirnov(count: x.count) { 1 - Self.upperTail(x[$0]) / Self.upperTail(r) }
        }
        #expect(ks.lower > Self.kolmogorovCritical(count: tail.count, level: Self.level))
    }
}
