#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import Numerics

/// The tilted law of the margin geometry's boundary angles that the importance estimator draws
/// from (docs/THEORY.md §9): β − θ₀ exponential with rate λ truncated to [0, π/2 − θ₀], in place
/// of uniform on [θ₀, π/2].
///
/// The margin geometry's risk is positive only when the student's angle exceeds θ₀, which for
/// large n needs every point near the boundary; the tilt puts the points there and each point
/// carries its likelihood ratio p(β)/q(β), so the weight of a prefix is the product over the
/// points that prefix uses (nested prefixes keep their common random numbers).
public struct MarginTilt: Sendable, Equatable {
    /// λ > 0, in 1/radian.
    public let rate: Double
    public let margin: Double

    public init(rate: Double, margin: Double) {
        precondition(rate > 0 && rate.isFinite, "tilt rate must be finite and > 0, got \(rate)")
        precondition(margin > 0 && margin < .pi / 2, "margin must be in (0, π/2), got \(margin)")
        self.rate = rate
        self.margin = margin
    }

    /// The rate fixed per experiment from its largest n and d: the prefix of N points reaches the
    /// rare event when all of them lie within about 1/λ of the boundary angle θ₀, a window that
    /// narrows as N grows and as d grows (the risk at a given angle falls with d), while a
    /// larger λ inflates the weights of the small prefixes. λ = max(1, N √d / 40) is the
    /// balance measured at d = 100, 1000 and 10⁴ (bench/README.md); a formula, so every rank
    /// agrees without a pilot run.
    public static func defaultRate(largestCount n: Int, dimension d: Int) -> Double {
        max(1, Double(n) * Double(d).squareRoot() / 40)
    }

    /// π/2 − θ₀, the length of the support.
    public var width: Double { .pi / 2 - margin }

    /// β from one uniform u ∈ [0, 1) by inversion of the truncated exponential.
    @inline(__always)
    public func angle(uniform u: Double) -> Double {
        // 1 − u(1 − e^{−λL}) written as (1 − u) + u e^{−λL}: no cancellation when λL is large,
        // and it is e^{−λL} (β = π/2) at u = 1.
        min(.pi / 2, margin - log((1 - u) + u * exp(-rate * width)) / rate)
    }

    /// log p(β) − log q(β): p uniform on [θ₀, π/2], q the tilted density.
    @inline(__always)
    public func logLikelihoodRatio(angle beta: Double) -> Double {
        let logQ = log(rate) - rate * (beta - margin) - log(-expm1(-rate * width))
        return -log(width) - logQ
    }
}

extension MarginGeometry {
    /// (s_i, t_i) as `sampleTeacherFrame` draws them, with β from `tilt` in place of the
    /// uniform law (the same stream words in the same order), and each point's log p/q.
    public func sampleTiltedTeacherFrame(count n: Int, tilt: MarginTilt,
                                         using stream: inout RandomStream) -> (frame: TeacherFrameSample, logRatios: [Double]) {
        precondition(tilt.margin == margin, "the tilt is for margin \(tilt.margin), the geometry's is \(margin)")
        var ratios: [Double] = []
        ratios.reserveCapacity(n)
        let frame = AngularConstruction.sample(count: n, dimension: dimension, radial: radial, using: &stream) {
            let beta = tilt.angle(uniform: $0.uniform())
            ratios.append(tilt.logLikelihoodRatio(angle: beta))
            return beta
        }
        return (frame, ratios)
    }

    /// The Gram-space draw of `sampleGramTransferSet` with tilted boundary angles, and the log
    /// weight log Π_{i≤k} p(β_i)/q(β_i) of every prefix k = 1…n (the directions keep their own
    /// law, so their ratio is 1).
    public func sampleTiltedGramTransferSet(count n: Int, tilt: MarginTilt,
                                            using stream: inout RandomStream) -> (set: GramTransferSet, logWeights: [Double]) {
        precondition(n >= 0 && n <= dimension - 1,
                     "the Gram sampler draws at most d − 1 = \(dimension - 1) points, asked for \(n)")
        let (frame, ratios) = sampleTiltedTeacherFrame(count: n, tilt: tilt, using: &stream)
        let directions = BartlettDirections.sample(count: n, sphereDimension: dimension - 1, using: &stream)
        var sum = 0.0
        let weights = ratios.map { sum += $0; return sum }
        return (GramTransferSet(ambientDimension: dimension, frame: frame, directions: directions), weights)
    }
}

/// A weight and a value multiplied where their product may leave the doubles' range: the
/// product of e^{logWeight} and `value` formed in log space.
public enum LogSpace {
    /// e^{logWeight}·value, 0 when value is 0 (whatever the weight), NaN when either is NaN;
    /// negative values keep their sign.
    @inline(__always)
    public static func weighted(_ value: Double, logWeight: Double) -> Double {
        if value.isNaN || logWeight.isNaN { return .nan }
        if value == 0 { return 0 }
        let magnitude = exp(log(abs(value)) + logWeight)
        return value < 0 ? -magnitude : magnitude
    }

    /// log10 of a positive mean; −∞ for 0, NaN for a negative or NaN mean.
    public static func log10OfMean(_ mean: Double) -> Double {
        if mean.isNaN || mean < 0 { return .nan }
        return mean == 0 ? -.infinity : log10(mean)
    }
}
