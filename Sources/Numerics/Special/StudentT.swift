#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension SpecialFunctions {
    /// P[T ≤ t] for Student's t with ν degrees of freedom (ν may be fractional; ν = +∞ is
    /// the normal). Through the incomplete beta with both x = ν/(ν + t²) and
    /// 1 − x = t²/(ν + t²) formed directly, so neither tail loses precision.
    /// NaN in → NaN; ν ≤ 0 → NaN; t = ±∞ → 0 or 1.
    public static func studentTCDF(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        if t.isNaN || nu.isNaN || nu <= 0 { return .nan }
        if nu == .infinity { return normalCDF(t) }
        if t == .infinity { return 1 }
        if t == -.infinity { return 0 }
        if nu >= largeDegreesOfFreedom && abs(t) <= 40 {
            return normalCDF(normalEquivalent(t, nu))
        }
        let tail = studentTTail(abs(t), nu)
        return t < 0 ? tail : 1 - tail
    }

    /// P[T ≥ s] for s ≥ 0.
    private static func studentTTail(_ s: Double, _ nu: Double) -> Double {
        if s == 0 { return 0.5 }
        let s2 = s * s
        let x: Double, y: Double  // x = ν/(ν + s²), y = s²/(ν + s²)
        if s2.isInfinite {
            x = (nu / s) / s
            y = 1
        } else {
            x = nu / (nu + s2)
            y = s2 / (nu + s2)
        }
        if x == 0 { return 0 }
        return 0.5 * incompleteBeta(nu / 2, 0.5, x: x, y: y).lower
    }

    /// t with P[T ≤ t] = p for Student's t with ν degrees of freedom (ν = +∞ → normal).
    /// Inverts the incomplete beta for the pair (x, 1 − x) and forms t = ±√(ν (1 − x)/x).
    /// p = 0 → −∞, p = 1 → +∞; p outside [0, 1], NaN, or ν ≤ 0 → NaN.
    public static func studentTQuantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        if p.isNaN || nu.isNaN || nu <= 0 || p < 0 || p > 1 { return .nan }
        if nu == .infinity { return normalQuantile(p) }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if nu >= largeDegreesOfFreedom {
            let z = normalQuantile(p)
            if abs(z) <= 40 { return cornishFisher(z, nu).t }
        }
        let tail = p < 0.5 ? p : 1 - p  // exact for p ≥ ½
        // 0.5 · I_x(ν/2, ½) = tail.
        let (x, y) = inverseIncompleteBeta(nu / 2, 0.5, p: 2 * tail, q: 1 - 2 * tail)
        let magnitude = (nu * (y / x)).squareRoot()
        return p < 0.5 ? -magnitude : magnitude
    }
}

extension SpecialFunctions {
    /// Above this ν the incomplete-beta route loses accuracy (its continued fraction
    /// cancels when a = ν/2 is huge and 1 − x tiny: 2.5e-12 at ν = 1e6, 3e-8 at ν = 1e10), so
    /// both Student-t functions use the expansion of t in powers of 1/ν (Abramowitz & Stegun
    /// 26.7.5, terms to 1/ν⁴) instead; the first omitted term, g₅(z)/ν⁵, is below 1e-16
    /// relative for |z| ≤ 40 there.
    static let largeDegreesOfFreedom = 1e6

    /// t(z) = z + g₁(z)/ν + g₂(z)/ν² + g₃(z)/ν³ + g₄(z)/ν⁴ and dt/dz, where z = Φ⁻¹(p).
    static func cornishFisher(_ z: Double, _ nu: Double) -> (t: Double, derivative: Double) {
        let z2 = z * z
        let g1 = (z2 + 1) * z / 4
        let g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
        let g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
        let g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
        let d1 = (3 * z2 + 1) / 4
        let d2 = ((25 * z2 + 48) * z2 + 3) / 96
        let d3 = (((21 * z2 + 95) * z2 + 51) * z2 - 15) / 384
        let d4 = ((((711 * z2 + 5432) * z2 + 7410) * z2 - 5760) * z2 - 945) / 92160
        let v = 1 / nu
        let t = z + v * (g1 + v * (g2 + v * (g3 + v * g4)))
        let derivative = 1 + v * (d1 + v * (d2 + v * (d3 + v * d4)))
        return (t, derivative)
    }

    /// The z with t(z) = t (Newton from z = t; t(z) is increasing here), so P[T ≤ t] = Φ(z).
    static func normalEquivalent(_ t: Double, _ nu: Double) -> Double {
        var z = t
        for _ in 0..<20 {
            let (value, derivative) = cornishFisher(z, nu)
            let step = (value - t) / derivative
            z -= step
            if abs(step) <= 1e-17 * max(1, abs(z)) { break }
        }
        return z
    }
}
