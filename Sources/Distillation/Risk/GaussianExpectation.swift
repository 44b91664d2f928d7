#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Exact expected transfer risk for the isotropic Gaussian geometry, linear student from
/// w(0) = 0 (docs/THEORY.md §3): ŵ = P w*, cos²γ ~ Beta(n/2, (d−n)/2), E[R_n] = E[γ]/π.
///
/// E[γ] is integrated against the density of γ, ∝ cos^{n−1}γ sin^{d−n−1}γ on [0, π/2], which
/// is log-concave with width ~ 1/√(2(d−2)); the integral is restricted to ±20 widths of the
/// mode and normalised by the same quadrature, so no Beta function is needed.
public enum GaussianExpectation {
    /// E[R_n] in dimension d for n ≥ 1 transfer points; 0 when n ≥ d (the teacher is recovered).
    public static func expectedRisk(count n: Int, dimension d: Int) -> Double {
        precondition(d >= 1 && n >= 1, "need d ≥ 1 and n ≥ 1, got d = \(d), n = \(n)")
        if n >= d { return 0 }
        let a = Double(n - 1), b = Double(d - n - 1)
        let mode = atan2(b.squareRoot(), a.squareRoot())
        let logWeight: (Double) -> Double = { g in
            (a == 0 ? 0 : a * PiecewiseQuadrature.logCos(g)) + (b == 0 ? 0 : b * PiecewiseQuadrature.logSin(g))
        }
        let peak = logWeight(mode)
        let density: (Double) -> Double = { g in
            let w = logWeight(g) - peak
            return w.isNaN ? 0 : exp(w)
        }
        let width = d > 2 ? 1 / (2 * Double(d - 2)).squareRoot() : 1
        let lo = max(0, mode - 20 * width), hi = min(Double.pi / 2, mode + 20 * width)
        let points = PiecewiseQuadrature.breakPoints(from: lo, to: hi, pieces: 40)
        let z = PiecewiseQuadrature.integrate(density, over: points, absoluteTolerance: 1e-15)
        let mean = PiecewiseQuadrature.integrate({ $0 * density($0) }, over: points,
                                                absoluteTolerance: 1e-15)
        return mean / z / .pi
    }
}
