#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Special functions for the risk formulas and confidence intervals.
///
/// These are numerics, not user input: invalid arguments return NaN instead of throwing.
/// Conventions shared by every function here:
/// - a NaN argument gives NaN;
/// - shape parameters (a, b, ν) must be positive; a ≤ 0 (or a non-finite shape unless stated)
///   gives NaN;
/// - probabilities outside [0, 1] give NaN; quantiles at p = 0 and p = 1 are −∞ and +∞.
public enum SpecialFunctions {
    static let halfLogTwoPi = 0.918_938_533_204_672_741_780_329_736_406 // ½ ln 2π

    // MARK: Gamma and Beta

    /// ln |Γ(x)| (glibc's reentrant `lgamma_r`, accurate to a few ulp for x > 0).
    /// Poles (x = 0, −1, −2, …) give +∞, as in SciPy's `gammaln`.
    public static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// Stirling remainder δ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π], for x ≥ 10,
    /// from its asymptotic series (truncation error below 1e-17 there).
    static func stirlingRemainder(_ x: Double) -> Double {
        let coefficients: [Double] = [
            1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188,
            -691.0 / 360_360, 1.0 / 156, -3617.0 / 122_400,
        ]
        let inverse = 1 / x
        let inverseSquared = inverse * inverse
        var sum = 0.0
        for c in coefficients.reversed() { sum = sum * inverseSquared + c }
        return sum * inverse
    }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), without the cancellation of that
    /// formula when a or b is large (Stirling differences, as in TOMS 708 `betaln`).
    /// Finite positive a, b; otherwise NaN.
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        guard a > 0, b > 0, a.isFinite, b.isFinite else { return .nan }
        let small = min(a, b), large = max(a, b)
        if large < 10 {
            return logGamma(small) + logGamma(large) - logGamma(small + large)
        }
        let sum = small + large
        if small < 10 {
            // ln Γ(s + l) − ln Γ(l) = (l − ½) log1p(s/l) + s ln(s + l) − s + δ(s + l) − δ(l).
            let ratio = (large - 0.5) * log1p(small / large) + small * log(sum) - small
                + (stirlingRemainder(sum) - stirlingRemainder(large))
            return logGamma(small) - ratio
        }
        let corrections = stirlingRemainder(small) + stirlingRemainder(large) - stirlingRemainder(sum)
        return -small * log1p(large / small) - large * log1p(small / large)
            - 0.5 * log(small * (large / sum)) + halfLogTwoPi + corrections
    }

    // MARK: Normal distribution

    /// Φ(x) = ½ erfc(−x/√2). Relative accuracy ~1e-15 for x > −5, degrading to ~1e-13
    /// near x = −37 (the rounding of x/√2), which is what SciPy's `ndtr` does too.
    public static func normalCDF(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        return 0.5 * erfc(-x * 0.707_106_781_186_547_524_400_844_362_104_849)
    }

    /// Φ⁻¹(p): Acklam's rational approximation (relative error 1.2e-9) refined by Halley
    /// steps on Φ (one brings it to full double precision; a second costs little). Lower tail is solved
    /// directly, upper tail by symmetry with 1 − p (exact for p ≥ ½).
    public static func normalQuantile(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -lowerNormalQuantile(1 - p) }
        return lowerNormalQuantile(p)
    }

    /// Φ⁻¹(p) for 0 < p ≤ ½.
    private static func lowerNormalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5
            let r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        // Halley step on Φ(x) − p, with Φ'(x) = φ(x), Φ''(x) = −x φ(x).
        for _ in 0..<2 {
            let density = exp(-0.5 * x * x - halfLogTwoPi)
            guard density > 0 else { break }
            let u = (normalCDF(x) - p) / density
            x -= u / (1 + 0.5 * x * u)
        }
        return x
    }
}
