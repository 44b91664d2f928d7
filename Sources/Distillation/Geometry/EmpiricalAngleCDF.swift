/// p(θ) estimated by the empirical CDF of β over a fixed sample, stored sorted once.
/// Its sup-distance to the true p is ≲ 1.36/√N (Kolmogorov, 95%).
public struct EmpiricalAngleCDF: Sendable {
    /// The sorted boundary angles β of the sample.
    public let angles: [Double]

    public init(angles: [Double]) {
        precondition(!angles.isEmpty, "an empirical CDF needs at least one angle")
        self.angles = angles.sorted()
    }

    /// Fraction of the sample with β ≤ θ; NaN for NaN.
    public func callAsFunction(_ theta: Double) -> Double {
        if theta.isNaN { return .nan }
        var lo = 0, hi = angles.count  // first index with angle > θ
        while lo < hi {
            let mid = (lo + hi) / 2
            if angles[mid] <= theta { lo = mid + 1 } else { hi = mid }
        }
        return Double(lo) / Double(angles.count)
    }
}
