#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The problem `Base` (autonomous, y' = f(y)) on the logarithmic clock t = t0 (e^τ − 1):
/// dy/dτ = t0 e^τ f(y), a non-autonomous problem in τ whose flow time is t(τ).
///
/// Why: when a logit must travel far (teacher logits in the hundreds) the flow only reaches its
/// limit at t ~ e^{|m|}; once a logit is past the linear phase it moves as z ≈ log(c t). In t
/// that curve has derivatives ~ 1/t^j, so a fourth-order step is held at h/t ≈ tol^{1/5} and
/// the flow needs ~|m| / tol^{1/5} steps; in τ it is a straight line, followed with steps of
/// order one. Where the flow converges exponentially the log clock costs steps, so the caller
/// chooses it (`GradientFlow`). t0 is the fastest time scale at the start, so that the early
/// phase in τ looks like the flow in t/t0.
struct LogClock<Base: ODEProblem>: ODEProblem {
    let base: Base
    let t0: Double

    init(_ base: Base, t0: Double) {
        precondition(t0 > 0 && t0.isFinite, "log clock: t0 = \(t0) must be finite and > 0")
        self.base = base
        self.t0 = t0
    }

    /// dt/dτ.
    func rate(_ tau: Double) -> Double { t0 * exp(tau) }

    var dimension: Int { base.dimension }
    var hasIdentityMass: Bool { base.hasIdentityMass }

    func evaluate(at y: [Double], time tau: Double) -> FlowEvaluation {
        var evaluation = base.evaluate(at: y, time: flowTime(tau))
        let s = rate(tau)
        evaluation.field = evaluation.field.map { s * $0 }
        evaluation.fieldNorm = s * evaluation.fieldNorm
        return evaluation
    }

    func field(at y: [Double], time tau: Double) -> [Double] {
        let s = rate(tau)
        return base.field(at: y, time: flowTime(tau)).map { s * $0 }
    }

    func flowTime(_ tau: Double) -> Double { t0 * expm1(tau) }

    func integrationTime(_ flowTime: Double) -> Double { flowTime.isInfinite ? .infinity : log1p(flowTime / t0) }

    /// 10⁻³ in τ is 0.1 % of the flow time once t ≫ t0; at most 0.1 % of the step.
    func eventTolerance(step: Double) -> Double { 1e-3 * min(step, 1) }
}

extension LogClock: LinearlyImplicitProblem where Base: LinearlyImplicitProblem {
    func curvature(at y: [Double], time tau: Double) -> Base.Curvature { base.curvature(at: y, time: flowTime(tau)) }

    /// ∂/∂y (t0 e^τ f) = t0 e^τ ∂f/∂y: the base problem's matrix with the scale times the rate.
    func stageSolver(_ curvature: Base.Curvature, time tau: Double, shift: Double,
                     scale: Double) -> ((inout [Double]) -> Void)? {
        base.stageSolver(curvature, time: flowTime(tau), shift: shift, scale: scale * rate(tau))
    }

    func applyMass(_ v: inout [Double]) { base.applyMass(&v) }

    /// ∂/∂τ (t0 e^τ f(y)) = t0 e^τ f(y), the field itself.
    func timeDerivative(at y: [Double], time tau: Double, field: [Double]) -> [Double]? { field }
}
