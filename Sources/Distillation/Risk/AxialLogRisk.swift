#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// ln R(γ) of ``AxialRisk`` without its cut-off, for risks far below what the cut quadrature
/// resolves (docs/THEORY.md §3).
///
/// ``AxialRisk`` integrates φ only up to √(160/(d − 3)), where the weight cos^{d−3} φ has fallen
/// below about e^{−80}: that loses at most ½·p(γ)·τ_d of R, τ_d the weight's relative mass beyond
/// the cut (``cutoffTailFraction(dimension:)``), and all of R when the error region starts beyond
/// the cut (a margin geometry at large d and small γ). Here the integrand's logarithm
/// f(φ) = ln p(θ(φ)) + (d − 3) ln cos φ is integrated with its maximum M subtracted,
///
///     ln R = ln ½ + M + ln ∫ e^{f − M} dφ − ln ∫₀^{π/2} cos^{d−3} φ dφ,
///
/// over the whole of [0, π/2], so ln R keeps its accuracy (≈ 1e-13 absolute, a relative error
/// in R) however small R is. f is concave when ln p is concave and increasing in θ (poly-tail,
/// margin): θ(φ) = atan(tan γ sin φ) is concave in φ. Its maximum is found by golden section,
/// the interval where f > M − 50 by bisection (beyond it the concave f leaves less than e^{−50}
/// of the integral), and that interval is integrated in pieces at the scale of the peak.
public enum AxialLogRisk {
    /// Below this many units of ln under the maximum the integrand is dropped.
    static let depth = 50.0

    /// ln R(γ) for γ ∈ [0, π]: −∞ where R = 0 (γ = 0, or p(γ) = 0), NaN for NaN.
    public static func logRisk(angle gamma: Double, dimension d: Int, kinks: [Double] = [],
                               boundaryMass p: (Double) -> Double) -> Double {
        logRisk(angle: gamma, dimension: d, kinks: kinks,
                logNormalisation: logNormalisation(dimension: d), boundaryMass: p)
    }

    /// The same with ln ∫₀^{π/2} cos^{d−3} φ dφ given (``logNormalisation(dimension:)``).
    static func logRisk(angle gamma: Double, dimension d: Int, kinks: [Double], logNormalisation: Double,
                        boundaryMass p: (Double) -> Double) -> Double {
        precondition(d >= 1, "dimension must be at least 1, got \(d)")
        if gamma.isNaN { return .nan }
        let g = min(max(gamma, 0), .pi)
        // R ≥ ½ above π/2 and d ≤ 2 has no integral: the quadrature is exact there.
        if g > .pi / 2 || d <= 2 {
            return log(AxialRisk.risk(angle: g, dimension: d, kinks: kinks, massTolerance: 0, boundaryMass: p))
        }
        if g == 0 || !(p(g) > 0) { return -.infinity }
        let m = Double(d - 3)
        let (sg, cg) = (sin(g), cos(g))
        let f: (Double) -> Double = { phi in
            let mass = p(atan2(sg * sin(phi), cg))
            guard mass > 0 else { return -.infinity }
            return log(mass) + (m == 0 ? 0 : m * PiecewiseQuadrature.logCos(phi))
        }
        let phiKinks = kinks.compactMap { theta -> Double? in
            let s = cg * tan(theta) / sg
            return s > 0 && s < 1 ? asin(s) : nil
        }
        let logMass = logIntegral(f, from: 0, to: .pi / 2, kinks: phiKinks)
        return log(0.5) + logMass - logNormalisation
    }

    /// ln ∫₀^{π/2} cos^{d−3} φ dφ, by the same log-space quadrature (a difference of lgamma
    /// values would lose digits at large d).
    public static func logNormalisation(dimension d: Int) -> Double {
        precondition(d >= 3, "the weight cos^(d−3) needs d ≥ 3, got \(d)")
        let m = Double(d - 3)
        if m == 0 { return log(Double.pi / 2) }
        return logIntegral({ m * PiecewiseQuadrature.logCos($0) }, from: 0, to: .pi / 2, kinks: [])
    }

    /// τ_d: the weight's mass beyond the cut-off of ``AxialRisk`` relative to its whole mass
    /// (0 when the cut-off is π/2 or d ≤ 3). The cut quadrature's R is short by at most ½·p(γ)·τ_d.
    public static func cutoffTailFraction(dimension d: Int) -> Double {
        if d <= 3 { return 0 }
        let m = Double(d - 3)
        let phiMax = min(Double.pi / 2, (160 / m).squareRoot())
        if phiMax >= .pi / 2 { return 0 }
        let tail = logIntegral({ m * PiecewiseQuadrature.logCos($0) }, from: phiMax, to: .pi / 2, kinks: [])
        return exp(tail - logNormalisation(dimension: d))
    }

    /// ln ∫_a^b e^f for f concave on [a, b] (−∞ allowed, on a sub-interval at either end);
    /// −∞ when f is −∞ everywhere it is probed.
    static func logIntegral(_ f: (Double) -> Double, from a: Double, to b: Double, kinks: [Double]) -> Double {
        // Golden section for the maximum; a tie (both −∞: left of where f is finite) moves right.
        let ratio = (5.0.squareRoot() - 1) / 2
        var (lo, hi) = (a, b)
        var x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo)
        var f1 = f(x1), f2 = f(x2)
        for _ in 0..<100 where hi - lo > 1e-15 * max(1, abs(hi)) {
            if f1 <= f2 {
                lo = x1; x1 = x2; f1 = f2
                x2 = lo + ratio * (hi - lo); f2 = f(x2)
            } else {
                hi = x2; x2 = x1; f2 = f1
                x1 = hi - ratio * (hi - lo); f1 = f(x1)
            }
        }
        var (peak, top) = f1 >= f2 ? (x1, f1) : (x2, f2)
        for x in [a, b] { let v = f(x); if v > top { (peak, top) = (x, v) } }
        guard top.isFinite else { return top }
        let level = top - depth
        // The ends of {f > M − depth}: bisection on each side of the peak (f is monotone there).
        func crossing(inside: Double, outside: Double) -> Double {
            if f(outside) >= level { return outside }
            var (i, o) = (inside, outside)
            for _ in 0..<200 {
                let mid = 0.5 * (i + o)
                if mid == i || mid == o { break }
                if f(mid) >= level { i = mid } else { o = mid }
            }
            return o
        }
        let lower = crossing(inside: peak, outside: a)
        let upper = crossing(inside: peak, outside: b)
        var points = PiecewiseQuadrature.breakPoints(from: lower, to: peak, pieces: 8)
        points += PiecewiseQuadrature.breakPoints(from: peak, to: upper, pieces: 8).dropFirst()
        points += kinks.filter { $0 > lower && $0 < upper }
        points.sort()
        let integral = PiecewiseQuadrature.integrate({ phi in
            let v = f(phi)
            return v > -.infinity ? exp(v - top) : 0
        }, over: points, absoluteTolerance: 1e-16 * (upper - lower))
        return top + log(integral)
    }
}
