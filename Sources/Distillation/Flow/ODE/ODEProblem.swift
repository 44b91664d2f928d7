import LinearAlgebra

/// The right-hand side at one state, with what a terminal event watches there.
struct FlowEvaluation {
    /// F(τ, y).
    var field: [Double]
    /// ‖F(τ, y)‖ as the problem forms it (the initial-step heuristic's fallback; a clock transform
    /// scales the base problem's norm rather than renormalising the scaled field).
    var fieldNorm: Double
    /// ‖∇L(y)‖ of the loss whose gradient flow this is.
    var gradientNorm: Double
    /// The relative logit gap at y (nil when the targets are hard labels).
    var fitGap: Double?
}

/// An initial value problem M y' = F(τ, y), y(0) = y0, with M symmetric positive definite (M = I
/// unless `hasIdentityMass` is false). τ is the integration variable; `flowTime` maps it to the
/// flow time that results report, the identity unless the problem is a clock transform
/// (`LogClock`). Explicit methods need M = I; linearly implicit ones fold M into their stage matrix.
protocol ODEProblem {
    var dimension: Int { get }
    /// F(τ, y) and the terminal event's quantities at y.
    func evaluate(at y: [Double], time tau: Double) -> FlowEvaluation
    /// F(τ, y) alone (a stage).
    func field(at y: [Double], time tau: Double) -> [Double]
    var hasIdentityMass: Bool { get }
    /// Flow time at τ, and τ at flow time t (∞ for ∞).
    func flowTime(_ tau: Double) -> Double
    func integrationTime(_ flowTime: Double) -> Double
    /// The terminal event is located within this much of τ inside a step of length `step` in τ.
    func eventTolerance(step: Double) -> Double
}

extension ODEProblem {
    var hasIdentityMass: Bool { true }
    func flowTime(_ tau: Double) -> Double { tau }
    func integrationTime(_ flowTime: Double) -> Double { flowTime }
    /// 0.1 % of the step (of the flow time it spans).
    func eventTolerance(step: Double) -> Double { 1e-3 * step }
}

/// A problem whose Jacobian a linearly implicit (Rosenbrock) stage can use: every stage solves
/// (shift·M − scale·∂F/∂y) K = b with one factorisation per step.
protocol LinearlyImplicitProblem: ODEProblem {
    /// What the stage solves need at y (one "Jacobian evaluation").
    associatedtype Curvature
    func curvature(at y: [Double], time tau: Double) -> Curvature
    /// x ↦ (shift·M − scale·∂F/∂y)⁻¹ x at τ; nil when not numerically positive definite.
    func stageSolver(_ curvature: Curvature, time tau: Double, shift: Double,
                     scale: Double) -> ((inout [Double]) -> Void)?
    /// v ← M v.
    func applyMass(_ v: inout [Double])
    /// ∂F/∂τ at (τ, y), given F(τ, y); nil for an autonomous problem.
    func timeDerivative(at y: [Double], time tau: Double, field: [Double]) -> [Double]?
    /// The largest relative change of the stage matrix's curvature part from `old` to `new`, when
    /// the problem can tell and its stage matrix at a fixed step depends on nothing else (an
    /// autonomous problem); nil: the method factors afresh every step.
    func curvatureChange(from old: Curvature, to new: Curvature) -> Double?
}

extension LinearlyImplicitProblem {
    func applyMass(_ v: inout [Double]) {}
    func timeDerivative(at y: [Double], time tau: Double, field: [Double]) -> [Double]? { nil }
    func curvatureChange(from old: Curvature, to new: Curvature) -> Double? { nil }
}

/// How an integration ended.
enum ODEOutcome: Sendable, Hashable {
    /// The terminal event holds (located within the problem's `eventTolerance`).
    case terminalEvent
    /// The flow time reached its limit.
    case timeLimit
    /// The step budget (accepted + rejected) ran out.
    case stepLimit
    /// The step fell below the rounding level of τ.
    case stepSizeUnderflow
    /// A third-party integrator's step failed.
    case failure(CVODEError)
    /// The driver's hand-off condition held after an accepted step (`integrateAdaptively`): the
    /// caller finishes the flow from this state.
    case handedOff
}

/// The state where an integration stopped and what it cost.
struct ODESolution {
    var state: [Double]
    /// Flow time at the end (`ODEProblem.flowTime` of the final τ).
    var flowTime: Double
    /// The evaluation at `state`.
    var last: FlowEvaluation
    var outcome: ODEOutcome
    var acceptedSteps = 0
    var rejectedSteps = 0
    /// Right-hand side evaluations, including the one at the start.
    var evaluations = 1
    var jacobianEvaluations = 0
}

/// The budget of an integration.
struct IntegrationLimits {
    /// Local error tolerance relative to the state's scale.
    var tolerance: Double
    /// Largest flow time.
    var flowTime: Double
    /// Largest number of attempted steps.
    var steps: Int
}

func isAllFinite(_ x: [Double]) -> Bool {
    for v in x where !v.isFinite { return false }
    return true
}
