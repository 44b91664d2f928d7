#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The logistic functions of the distillation loss, evaluated so that no finite input gives
/// NaN or ±∞ and differences of probabilities keep their relative accuracy (docs/THEORY.md §1).
///
/// Every formula works with `exp(-|x|)`, which never overflows.
public enum Logistic {
    /// σ(z) = 1 / (1 + e^{-z}).
    public static func sigmoid(_ z: Double) -> Double {
        let e = exp(-abs(z))
        return z >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    /// σ'(z) = σ(z) σ(−z), the curvature of the loss in the logit (Newton's Hessian).
    public static func sigmoidDerivative(_ z: Double) -> Double {
        let e = exp(-abs(z))
        let s = 1 + e
        return e / (s * s)
    }

    /// softplus(z) = log(1 + e^z).
    public static func softplus(_ z: Double) -> Double {
        max(z, 0) + log1p(exp(-abs(z)))
    }

    /// r = σ(z) − σ(m) without subtracting two rounded probabilities.
    ///
    /// From σ(z) − σ(m) = sinh((z−m)/2) / (2 cosh(z/2) cosh(m/2)): with a = |z|, b = |m|,
    /// r = sign(z−m) · e^{−min(a,b)} (1 − e^{−|z−m|}) / ((1 + e^{−a})(1 + e^{−b})) when z and m
    /// have the same sign, and the same with e^0 when they do not. Every exponent is ≤ 0.
    /// The target `m` may be ±∞ (hard labels 1 and 0): r = σ(z) − 1 or σ(z).
    public static func residual(logit z: Double, target m: Double) -> Double {
        if z == m { return 0 }
        let a = abs(z), b = abs(m)
        let sameSign = (z >= 0) == (m >= 0)
        let gap = sameSign ? abs(a - b) : a + b          // |z − m|, overflow to +∞ is harmless
        let scale = sameSign ? exp(-min(a, b)) : 1
        let numerator = -expm1(-gap) * scale
        let denominator = (1 + exp(-a)) * (1 + exp(-b))
        let r = numerator / denominator
        return z > m ? r : -r
    }

    /// The one-point Newton step r / σ'(z) = (σ(z) − σ(m)) / σ'(z), formed from logarithms so
    /// that it stays accurate when both factors are ~e^{−|z|} (may be ±∞ when z is far beyond m).
    public static func newtonStep(logit z: Double, target m: Double) -> Double {
        if z == m { return 0 }
        let a = abs(z), b = abs(m)
        let sameSign = (z >= 0) == (m >= 0)
        let gap = sameSign ? abs(a - b) : a + b
        let logResidual = (sameSign ? -min(a, b) : 0) + log(-expm1(-gap))
            - log1p(exp(-a)) - (b.isInfinite ? 0 : log1p(exp(-b)))
        let logCurvature = -a - 2 * log1p(exp(-a))
        let size = exp(logResidual - logCurvature)
        return z > m ? size : -size
    }

    /// The loss of one point, shifted to vanish at z = m:
    /// ℓ(z, m) = softplus(z) − softplus(m) − σ(m)(z − m) ≥ 0 (the Bernoulli KL divergence).
    ///
    /// Written as σ(m)[softplus(−z) − softplus(−m)] + σ(−m)[softplus(z) − softplus(m)], each
    /// difference split into its exact linear part and two small log1p terms; near z = m a
    /// Taylor series keeps the relative accuracy that the difference would lose. A target of
    /// ±∞ gives the hard-label loss softplus(∓z).
    public static func divergence(logit z: Double, target m: Double) -> Double {
        if m == .infinity { return softplus(-z) }
        if m == -.infinity { return softplus(z) }
        let h = z - m
        if abs(h) < 1e-3 {
            let s = sigmoid(m), sBar = sigmoid(-m)
            let d1 = s * sBar
            let h2 = h * h
            let series = d1 * h2 / 2 + d1 * (sBar - s) * h2 * h / 6
                + d1 * (1 - 6 * d1) * h2 * h2 / 24
            return max(series, 0)
        }
        let upper = sigmoid(m) * softplusDifference(-z, -m)
        let lower = sigmoid(-m) * softplusDifference(z, m)
        return max(upper + lower, 0)
    }

    /// softplus(u) − softplus(v) with the large linear parts subtracted exactly first.
    static func softplusDifference(_ u: Double, _ v: Double) -> Double {
        (max(u, 0) - max(v, 0)) + (log1p(exp(-abs(u))) - log1p(exp(-abs(v))))
    }
}
