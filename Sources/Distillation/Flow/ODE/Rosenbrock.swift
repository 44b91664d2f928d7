#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra

/// The linearly implicit Rosenbrock method RODAS4 (6 stages, order 4, embedded order 3, L-stable
/// and stiffly accurate) for M y' = F(τ, y), driven by `integrateAdaptively` with the standard
/// controller of order 4 (growth at most 6 per step).
///
/// Coefficients: E. Hairer and G. Wanner, Solving Ordinary Differential Equations II,
/// 2nd ed., Springer 1996, §VI.4, Table 4.3 (RODAS), in the transformed form
/// (G = M/(γh) − J, stages K_i) of the KPP Rosenbrock integrator (Sandu et al., Atmos. Environ.
/// 31, 1997; KPP 2.x `Rodas4`). Checked by the order test in `SolverRosenbrockTests`
/// (global error ∝ h⁴ on a nonlinear scalar flow).
///
/// Why an implicit method: the training flow's Jacobian −∇²L = −(1/k) S diag(σ'(z)) Sᵀ has
/// eigenvalues spread over many decades (nearly parallel points, k close to d, large teacher
/// norms), so an explicit method is held at h ≲ 3/λ_max long after the fast modes have decayed.
/// RODAS4 is L-stable: a mode with hλ ≫ 1 is damped to zero, never amplified, so the step is set
/// by accuracy alone. Each step factors one symmetric positive definite matrix.
///
/// Why this still integrates the flow (and is not Newton's method in disguise): a step is
/// accepted only if the embedded error estimate is within the local tolerance in `ErrorNorm`
/// (the same norm as Dormand–Prince), so the trajectory is accurate to that tolerance, and the
/// terminal event is located by the shared bisection. The fixed point of a step is exactly
/// F = 0, so the limit's accuracy is set by the stopping rule, never by the integration
/// tolerance; the flow time, however, is only the flow's when the trajectory is resolved to the
/// end: with the error relative to the state's scale, a local tolerance ≲ the stopping
/// tolerances; measured from a known limit (`DisplacedFrame`), a fixed fraction of the distance
/// still to go (bench/README.md has the figures).
struct Rosenbrock<Problem: LinearlyImplicitProblem>: EmbeddedMethod {
    /// The Jacobian's data the next step uses: the problem's at the state it starts from, or,
    /// while the factorization is reused, the one it was factored with.
    private(set) var curvature: Problem.Curvature
    private(set) var jacobianEvaluations: Int
    /// The stage solver factored at step `step` with `curvature`, kept while both stay put.
    private final class Factor {
        var step = 0.0
        var solve: ((inout [Double]) -> Void)?
    }
    private let factor = Factor()

    /// Largest relative change of the curvature (`LinearlyImplicitProblem.curvatureChange`) for
    /// which the last factorization is reused at the same step: the stage matrix is then
    /// M/(γh) − J with J that far from the current one, a perturbation of the step of that
    /// relative size times the step's own change, which near the limit (where the weights settle)
    /// is far below the local tolerance; every step is still accepted only by its error estimate.
    static var reuseThreshold: Double { 1e-3 }

    let controller = StepController.standard(order: RosenbrockTableau.order, maxGrowth: 6)

    /// `curvature` is the problem's at the start (counted as one Jacobian evaluation).
    init(curvature: Problem.Curvature) {
        self.curvature = curvature
        jacobianEvaluations = 1
    }

    func attempt(_ problem: Problem, at y: [Double], time tau: Double, field: [Double], step h: Double) -> StepAttempt? {
        // The cached factor is always of `curvature` (which only `accepted` changes, dropping it).
        var solve: ((inout [Double]) -> Void)?
        if factor.solve != nil && factor.step == h {
            solve = factor.solve
        } else {
            solve = problem.stageSolver(curvature, time: tau, shift: 1 / (RosenbrockTableau.gamma * h), scale: 1)
            factor.step = h
            factor.solve = solve
        }
        guard let solve,
              let result = RosenbrockTableau.step(problem, at: y, field: field, curvature: curvature, h: h, time: tau,
                                                  solver: solve)
        else { return nil }
        return StepAttempt(next: result.next, error: result.error, evaluations: result.evaluations, endpoint: nil)
    }

    /// Each trial step of the event's search is a factorization: guess, do not halve.
    var locatesEventByInterpolation: Bool { true }

    /// The new state's curvature, or the factored one kept (with its step) when the problem says
    /// it has barely moved.
    mutating func accepted(_ problem: Problem, at y: [Double], time tau: Double, step h: Double) {
        let next = problem.curvature(at: y, time: tau)
        if factor.solve != nil && factor.step == h,
           let change = problem.curvatureChange(from: curvature, to: next), change <= Self.reuseThreshold {
            return
        }
        factor.solve = nil
        curvature = next
        jacobianEvaluations += 1
    }

    /// The factored step while it is kept and the controller's proposal is at least that and at
    /// most twice it (a smaller step than proposed is never less accurate).
    func preferredStep(_ proposed: Double) -> Double {
        guard factor.solve != nil, proposed >= factor.step, proposed <= 2 * factor.step else {
            factor.solve = nil
            return proposed
        }
        return factor.step
    }

    /// The flow of `problem` from `start` (τ = 0) until `event` holds or a limit is reached.
    /// `handOff`: see `integrateAdaptively`.
    static func integrate<Event: TerminalEvent>(_ problem: Problem, from start: [Double], curvature: Problem.Curvature,
                                                initial: FlowEvaluation, event: Event, limits: IntegrationLimits,
                                                handOff: ((_ state: [Double]) -> Bool)? = nil)
        -> ODESolution {
        var method = Rosenbrock(curvature: curvature)
        return integrateAdaptively(problem, method: &method, from: start, initial: initial, event: event, limits: limits,
                                   handOff: handOff)
    }
}

/// RODAS4's coefficients and its step.
enum RosenbrockTableau {
    static let gamma = 0.25
    /// a_ij, i = 2…6, j < i (stage arguments y + Σ a_ij K_j).
    static let a: [[Double]] = [
        [],
        [1.544],
        [0.9466785280815826, 0.2557011698983284],
        [3.314825187068521, 2.896124015972201, 0.9986419139977817],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1],
    ]
    /// c_ij: the stage right-hand side is F(Y_i) + M Σ (c_ij / h) K_j.
    static let c: [[Double]] = [
        [],
        [-5.6688],
        [-2.430093356833875, -0.2063599157091915],
        [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
        [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160],
        [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
    ]
    /// New state y + Σ m_j K_j (stiffly accurate: m = last row of a with 1).
    static let m: [Double] = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1, 1]
    /// The error estimate is K_6 (difference of the order-4 and embedded order-3 solutions).
    static let order = 4.0

    /// One RODAS4 step of size h from (τ, y) with F(τ, y) = `field` and `curvature` at y (or the
    /// stage solver for it, `solver`): the new
    /// state and the error estimate K_6; nil when the stage matrix has no factor. Costs 5
    /// right-hand side evaluations.
    ///
    /// A non-autonomous problem (`timeDerivative` not nil) is stepped as the autonomous system
    /// (y, τ)' = (F, 1): its Jacobian [[J, ∂F/∂τ], [0, 0]] is block triangular, so each stage
    /// solves for its τ part first (exact: τ is linear) and then the y part with the same matrix.
    static func step<P: LinearlyImplicitProblem>(_ problem: P, at y: [Double], field f: [Double],
                                                 curvature: P.Curvature, h: Double, time tau: Double = 0,
                                                 solver: ((inout [Double]) -> Void)? = nil)
        -> (next: [Double], error: [Double], evaluations: Int)? {
        let n = y.count
        // M/(γh) − ∂F/∂y, symmetric positive definite (`solver`: already factored).
        guard let solve = solver ?? problem.stageSolver(curvature, time: tau, shift: 1 / (gamma * h), scale: 1)
        else { return nil }
        let derivative = problem.timeDerivative(at: y, time: tau, field: f)
        var k = [[Double]](repeating: [Double](repeating: 0, count: n), count: 6)
        var kTau = [Double](repeating: 0, count: 6)
        var stage = [Double](repeating: 0, count: n)
        var rhs = [Double](repeating: 0, count: n)
        var evaluations = 0
        for s in 0..<6 {
            // The τ part: K_τ = γh (1 + Σ c_sj K_τ,j / h); the stage's τ is τ + Σ a_sj K_τ,j.
            var stageTau = tau
            if derivative != nil {
                var sum = 0.0
                for j in 0..<s {
                    sum += c[s][j] * kTau[j]
                    stageTau += a[s][j] * kTau[j]
                }
                kTau[s] = gamma * h * (1 + sum / h)
            }
            // F(Y_s) + M Σ (c_sj/h) K_j + (∂F/∂τ) K_τ.
            if s == 0 {
                for i in 0..<n { rhs[i] = f[i] }
            } else {
                for i in 0..<n {
                    var sum = 0.0, memory = 0.0
                    for j in 0..<s {
                        sum += a[s][j] * k[j][i]
                        memory += c[s][j] * k[j][i]
                    }
                    stage[i] = y[i] + sum
                    rhs[i] = memory / h
                }
                problem.applyMass(&rhs)
                let fs = problem.field(at: stage, time: stageTau)
                evaluations += 1
                for i in 0..<n { rhs[i] += fs[i] }
            }
            if let derivative { for i in 0..<n { rhs[i] += derivative[i] * kTau[s] } }
            solve(&rhs)
            k[s] = rhs
            if !isAllFinite(k[s]) { return (k[s], k[s], evaluations) }
        }
        var next = y
        for i in 0..<n {
            var sum = 0.0
            for j in 0..<6 { sum += m[j] * k[j][i] }
            next[i] += sum
        }
        return (next, k[5], evaluations)
    }
}
