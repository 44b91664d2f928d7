#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Transfer risk of axially symmetric geometries as a function of the student–teacher angle γ
/// (docs/THEORY.md §3).
///
/// With x = s·u + t·v and the student at angle γ, wᵀx ∝ s cos γ + t sin γ v₁. By the symmetry
/// x → −x, the student errs exactly when v₁ < 0 and β(x) < arctan(tan γ |v₁|), so
///
///     R(γ) = ½ E[ p(arctan(tan γ |v₁|)) ],   |v₁| = sin φ,  φ ∈ [0, π/2] with density ∝ cos^{d−3} φ,
///
/// and R(π − γ) = 1 − R(γ). The weight cos^{d−3} φ has width ~ 1/√d, so the integral is cut
/// where it falls below e^{−80} and split into pieces of that width, plus at the kinks of p.
public enum AxialRisk {
    /// R(γ) for a geometry in R^d whose boundary mass is p (the CDF of β on [0, π/2]).
    /// `kinks` are the angles where p is not smooth (e.g. θ₀ of the margin geometry).
    /// γ is clamped to [0, π]; NaN gives NaN.
    public static func risk(angle gamma: Double, dimension d: Int,
                            kinks: [Double] = [],
                            boundaryMass p: (Double) -> Double) -> Double {
        risk(angle: gamma, dimension: d, kinks: kinks, massTolerance: 1e-12, boundaryMass: p)
    }

    /// `massTolerance`: the error allowed in the boundary mass, relative to the normalisation;
    /// 0 leaves only the quadrature's relative tolerance (1e-13 per piece), so that R keeps
    /// its relative accuracy even where it is tiny (what ``AxialRiskTable`` is built from).
    static func risk(angle gamma: Double, dimension d: Int, kinks: [Double], massTolerance: Double,
                     boundaryMass p: (Double) -> Double) -> Double {
        precondition(d >= 1, "dimension must be at least 1, got \(d)")
        if gamma.isNaN { return .nan }
        let g = min(max(gamma, 0), .pi)
        if g > .pi / 2 {
            return 1 - risk(angle: .pi - g, dimension: d, kinks: kinks, massTolerance: massTolerance, boundaryMass: p)
        }
        if g == 0 { return 0 }
        switch d {
        case 1:
            // x is on the teacher axis: only the sign of the student matters.
            return g < .pi / 2 ? 0 : 0.5
        case 2:
            // v₁ = ±1: the error region is β < γ on one side.
            return 0.5 * p(g)
        default:
            break
        }
        let m = Double(d - 3)
        let phiMax = m == 0 ? Double.pi / 2 : min(Double.pi / 2, (160 / m).squareRoot())
        let weight: (Double) -> Double = m == 0
            ? { _ in 1 }
            : { phi in exp(m * PiecewiseQuadrature.logCos(phi)) }
        let (sg, cg) = (sin(g), cos(g))
        // Kinks of p at θ_k become kinks in φ at sin φ = cot γ tan θ_k.
        let phiKinks = kinks.compactMap { theta -> Double? in
            let s = cg * tan(theta) / sg
            return s > 0 && s < 1 ? asin(s) : nil
        }
        let points = PiecewiseQuadrature.breakPoints(from: 0, to: phiMax, pieces: 16, extra: phiKinks)
        let normalisation = PiecewiseQuadrature.integrate(weight, over: points,
                                                         absoluteTolerance: 1e-14 * (Double.pi / (2 * max(m, 1))).squareRoot())
        let mass = PiecewiseQuadrature.integrate({ phi in
            let theta = atan2(sg * sin(phi), cg)
            return p(theta) * weight(phi)
        }, over: points, absoluteTolerance: massTolerance * normalisation)
        return min(max(0.5 * mass / normalisation, 0), 0.5)
    }
}
