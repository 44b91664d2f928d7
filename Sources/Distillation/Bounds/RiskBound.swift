#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A value of an upper bound on E[R_n] and the parameter (θ, or t for C2) that attains it.
public struct BoundValue: Sendable, Equatable {
    public let value: Double
    /// The minimising θ ∈ [0, π/2] for B, t ∈ [0, 1] for C2.
    public let argument: Double
}

/// The risk bounds of docs/THEORY.md §4.
///
/// B's objective may be flat or jump (a dataset's p is a step function), so the minimum is
/// found on a fine grid and refined by golden section around the best grid point; the value
/// returned is always the objective at the returned argument, hence a valid bound itself.
public enum RiskBound {
    /// (B) min over θ ∈ [0, π/2] of p(θ) + p(π/2 − θ)^n.
    public static func minimum(count n: Int, boundaryMass p: (Double) -> Double) -> BoundValue {
        precondition(n >= 0, "transfer set size must be ≥ 0, got \(n)")
        let nn = Double(n)
        return minimise(on: 0, .pi / 2) { theta in
            let tail = min(max(p(.pi / 2 - theta), 0), 1)
            return p(theta) + pow(tail, nn)
        }
    }

    /// (C1) Angular-margin forms: (1 − q)^n and e^{−qn}, q the mass within θ₀ of the teacher
    /// axis, q = 1 − p(π/2 − θ₀).
    public static func margin(count n: Int, axisMass q: Double) -> (power: Double, exponential: Double) {
        precondition(n >= 0, "transfer set size must be ≥ 0, got \(n)")
        precondition(q >= 0 && q <= 1, "axis mass q must be in [0, 1], got \(q)")
        return (pow(1 - q, Double(n)), exp(-q * Double(n)))
    }

    /// (C2) Polynomial form: min over t ∈ [0, 1] of t^κ + (1 − t)^{κ n}.
    public static func polynomial(count n: Int, kappa: Double) -> BoundValue {
        precondition(n >= 0, "transfer set size must be ≥ 0, got \(n)")
        precondition(kappa > 0 && kappa.isFinite, "kappa must be > 0, got \(kappa)")
        let exponent = kappa * Double(n)
        return minimise(on: 0, 1) { t in pow(t, kappa) + pow(1 - t, exponent) }
    }

    /// Grid of 2049 points, then golden section on the two cells around the best point.
    static func minimise(on a: Double, _ b: Double, _ f: (Double) -> Double) -> BoundValue {
        let cells = 2048
        var bestX = a, bestF = Double.infinity
        var bestIndex = 0
        for k in 0...cells {
            let x = k == cells ? b : a + (b - a) * Double(k) / Double(cells)
            let fx = f(x)
            if fx < bestF { bestF = fx; bestX = x; bestIndex = k }
        }
        var lo = a + (b - a) * Double(max(bestIndex - 1, 0)) / Double(cells)
        var hi = a + (b - a) * Double(min(bestIndex + 1, cells)) / Double(cells)
        let ratio = (5.0.squareRoot() - 1) / 2
        var x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo)
        var f1 = f(x1), f2 = f(x2)
        for _ in 0..<80 where hi - lo > 1e-15 * max(1, abs(hi)) {
            if f1 <= f2 {
                hi = x2; x2 = x1; f2 = f1
                x1 = hi - ratio * (hi - lo); f1 = f(x1)
            } else {
                lo = x1; x1 = x2; f1 = f2
                x2 = lo + ratio * (hi - lo); f2 = f(x2)
            }
        }
        for (x, fx) in [(x1, f1), (x2, f2)] where fx < bestF {
            bestF = fx; bestX = x
        }
        return BoundValue(value: bestF, argument: bestX)
    }
}
