#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra

/// The error norm every integrator accepts a step by: the RMS of the error estimate, each entry
/// relative to tolerance × max(the state's largest entry, |y_i|, |y_i + Δy_i|).
///
/// Why relative to the state's largest entry (norm-wise, not entry-wise): the problem's scale
/// (teacher norm, point norms) then never sets an absolute error floor, and an entry that is
/// still near zero is not held to a relative accuracy it cannot have.
struct ErrorNorm {
    let tolerance: Double
    private(set) var stateScale: Double

    init(tolerance: Double, state: [Double]) {
        self.tolerance = tolerance
        stateScale = Self.largest(state)
    }

    static func largest(_ x: [Double]) -> Double { x.reduce(0) { max($0, abs($1)) } }

    func scale(_ u: Double, _ v: Double) -> Double {
        tolerance * max(stateScale, abs(u), abs(v), Double.leastNormalMagnitude)
    }

    /// The error of a step from y to `next` with estimate `error`; ∞ when either is not finite.
    /// A finite step also updates the state's scale.
    mutating func measure(from y: [Double], to next: [Double], error: [Double]) -> Double {
        guard isAllFinite(next) && isAllFinite(error) else { return .infinity }
        stateScale = max(Self.largest(y), Self.largest(next))
        var sum = 0.0
        for i in 0..<y.count {
            let e = error[i] / scale(y[i], next[i])
            sum += e * e
        }
        return (sum / Double(y.count)).squareRoot()
    }

    /// DOP853's combined error of a step with estimates Δ5 = `error` (order 5) and Δ3 =
    /// `lowOrderError` (order 3): e5² / √(e5² + 0.01 e3²), e5 and e3 the RMS norms above (each
    /// entry over the same scale), 0 when both are 0; ∞ when anything is not finite. This is
    /// Hairer's formula with his sums over atol + rtol·max(|y_i|, |y_i + Δy_i|) replaced by this
    /// norm's scale. A finite step also updates the state's scale.
    mutating func measure(from y: [Double], to next: [Double], error: [Double], lowOrderError: [Double]) -> Double {
        guard isAllFinite(next) && isAllFinite(error) && isAllFinite(lowOrderError) else { return .infinity }
        stateScale = max(Self.largest(y), Self.largest(next))
        var sum5 = 0.0, sum3 = 0.0
        for i in 0..<y.count {
            let s = scale(y[i], next[i])
            let e5 = error[i] / s, e3 = lowOrderError[i] / s
            sum5 += e5 * e5
            sum3 += e3 * e3
        }
        if sum5 == 0 && sum3 == 0 { return 0 }
        return sum5 / (Double(y.count) * (sum5 + 0.01 * sum3)).squareRoot()
    }

    /// The first step (Hairer's heuristic, first part): 1 % of the state's scale over the
    /// field's, both in this norm; 10⁻⁶/‖F‖ when either is tiny. At most 1 and `limit`.
    func initialStep(at y: [Double], _ evaluation: FlowEvaluation, limit: Double) -> Double {
        let n = y.count, f = evaluation.field
        var d0 = 0.0, d1 = 0.0
        for i in 0..<n {
            let s = scale(y[i], y[i])
            d0 += (y[i] / s) * (y[i] / s)
            d1 += (f[i] / s) * (f[i] / s)
        }
        d0 = (d0 / Double(n)).squareRoot()
        d1 = (d1 / Double(n)).squareRoot()
        let h = (d0 < 1e-5 || d1 < 1e-5)
            ? 1e-6 / max(evaluation.fieldNorm, Double.leastNormalMagnitude) : 0.01 * d0 / d1
        return min(h, 1, limit)
    }
}

/// The step-size controller of every adaptive integrator here: after an accepted step with error
/// err (in `ErrorNorm`), h ← h · min(maxGrowth, max(0.2, 0.9 · err^{−α} · err_prev^{β})); after a
/// rejected one h ← h · max(0.1, 0.9 · err^{−ρ}). β = 0 is the standard (I) controller; β > 0 the
/// PI controller, whose memory of the previous error damps the oscillation an explicit method
/// shows at its stability limit.
struct StepController {
    /// α, β, ρ and the largest growth per step.
    let acceptExponent: Double
    let previousExponent: Double
    let rejectExponent: Double
    let maxGrowth: Double
    /// err_prev never below this (Hairer–Wanner's DOPRI5 value).
    static let smallestPreviousError = 1e-4

    private(set) var previousError = StepController.smallestPreviousError

    init(acceptExponent: Double, previousExponent: Double = 0, rejectExponent: Double, maxGrowth: Double) {
        self.acceptExponent = acceptExponent
        self.previousExponent = previousExponent
        self.rejectExponent = rejectExponent
        self.maxGrowth = maxGrowth
    }

    /// The standard controller of a method of order q (exponent 1/q both ways).
    static func standard(order: Double, maxGrowth: Double) -> StepController {
        StepController(acceptExponent: 1 / order, rejectExponent: 1 / order, maxGrowth: maxGrowth)
    }

    mutating func accepted(_ h: Double, error err: Double) -> Double {
        let factor = err == 0 ? maxGrowth
            : 0.9 * pow(err, -acceptExponent) * pow(previousError, previousExponent)
        previousError = max(err, Self.smallestPreviousError)
        return h * min(maxGrowth, max(0.2, factor))
    }

    func rejected(_ h: Double, error err: Double) -> Double {
        h * max(0.1, 0.9 * pow(err, -rejectExponent))
    }
}
