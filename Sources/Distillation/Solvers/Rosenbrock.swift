#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra

/// A gradient flow y' = f(y) in the coordinates a Rosenbrock step works in, with a symmetric
/// positive definite preconditioner P that every stage equation is multiplied by:
/// (shift·P − scale·P ∂f/∂y) K = P (speed·f(Y) + Σ (c_ij/h) K_j + …).
///
/// In the reduced coordinates e of the loss (`ReducedSystem`), f = −∇L and P = I. In the logits
/// z of linearly independent points (`LogitFlow`), f = −(1/k) SᵀS r(z) and P = (SᵀS)⁻¹, so that
/// P f = −r(z)/k is formed without SᵀS and P(shift − scale ∂f/∂z) = shift (SᵀS)⁻¹ + scale W is
/// a diagonal plus a fixed matrix.
protocol ImplicitFlow {
    /// What the stage solves need at y (one "Jacobian evaluation" per accepted step).
    associatedtype Curvature
    var dimension: Int { get }
    /// P f(y), and ‖∇L‖ and the relative logit gap at y for the stopping rule.
    func evaluate(at y: [Double]) -> (field: [Double], gradientNorm: Double, fitGap: Double?)
    /// P f(y) alone (a stage).
    func field(at y: [Double]) -> [Double]
    /// v ← P v.
    func applyPreconditioner(_ v: inout [Double])
    func curvature(at y: [Double]) -> Curvature
    /// tr ∇²L, the fastest rate at y up to a factor of the dimension (`LogTime`).
    func trace(_ curvature: Curvature) -> Double
    /// max_i |m_i − z_i(0)|, how far the logits travel (`LogTime`); nil when unknown.
    var logitTravel: Double? { get }
    /// x ↦ (shift·P − scale·P ∂f/∂y)⁻¹ x, factored once per step; nil when not numerically
    /// positive definite.
    func shiftedSolver(_ curvature: Curvature, shift: Double, scale: Double) -> ((inout [Double]) -> Void)?
}

/// A gradient system with its Hessian as a matrix: f = −∇L, P = I, and the solves factor
/// shift·I + scale·∇²L by Cholesky.
protocol HessianSystem: GradientSystem, ImplicitFlow where Curvature == Matrix {
    /// ∇²L(θ), symmetric positive semi-definite for the convex losses used here.
    func hessian(at theta: [Double]) -> Matrix
}

extension HessianSystem {
    var logitTravel: Double? { nil }

    func evaluate(at y: [Double]) -> (field: [Double], gradientNorm: Double, fitGap: Double?) {
        let (g, gap) = gradient(at: y)
        return (g.map { -$0 }, norm2(g), gap)
    }

    func field(at y: [Double]) -> [Double] { gradient(at: y).gradient.map { -$0 } }

    func applyPreconditioner(_ v: inout [Double]) {}

    func curvature(at theta: [Double]) -> Matrix { hessian(at: theta) }

    func trace(_ curvature: Matrix) -> Double {
        var sum = 0.0
        for i in 0..<curvature.rows { sum += curvature[i, i] }
        return sum
    }

    func shiftedSolver(_ curvature: Matrix, shift: Double, scale: Double) -> ((inout [Double]) -> Void)? {
        var matrix = curvature
        if scale != 1 { for i in matrix.elements.indices { matrix.elements[i] *= scale } }
        for i in 0..<matrix.rows { matrix[i, i] += shift }
        guard let cholesky = try? CholeskyFactorization(matrix) else { return nil }
        return { cholesky.solveInPlace(&$0) }
    }
}

extension ReducedSystem: HessianSystem {
    func hessian(at e: [Double]) -> Matrix { hessian(fromLogits: logits(e)) }
    var logitTravel: Double? { gapScale }
}

/// The linear student's flow in the logits of its points: z = z(0) + Sᵀe with S square and
/// well conditioned (k ≤ d independent points), dz/dt = −(1/k) SᵀS r(z), r = σ(z) − σ(m).
///
/// Why: with large teacher logits (W2: |m| in the hundreds) the curvatures σ′(z_i) span a factor
/// e^{|m|} between a point already at its target and one still moving. In e the saturated
/// points' huge rank-one terms enter the same entries of ∇²L as the moving points' small ones
/// and rounding loses those; worse, one ulp of a saturated logit gives a residual ~e^{τ−|m|}
/// times larger than the moving points', and any product with SᵀS or S⁻¹ spreads ε of it onto
/// every other point (measured on W2: error estimates that no step size reduces, 10⁵ rejected
/// steps). Here P f = −r/k keeps each residual on its own point, the curvature is the diagonal
/// W = diag(σ′(z)/k) beside the fixed (SᵀS)⁻¹, and the stage matrix c (SᵀS)⁻¹ + aW is, after
/// scaling by its diagonal, as well conditioned as SᵀS whatever the weights.
struct LogitFlow: ImplicitFlow {
    let system: ReducedSystem
    /// S⁻¹ and (SᵀS)⁻¹ = S⁻¹S⁻ᵀ.
    let inverse: Matrix
    let gramInverse: Matrix

    /// Smallest reciprocal condition (1-norm estimate) of SᵀS for these coordinates. Products with
    /// (SᵀS)⁻¹ lose ~ε κ(SᵀS) relative, which must stay well below the local tolerance: points
    /// with κ(SᵀS) ≤ 1e6 always qualify; up to 1e9 only when the logits travel far
    /// (`LogTime.logTravel`), where e is no frame at all. Measured: W2's draws reach κ ~ 1e6–1e8
    /// (points near the teacher axis are nearly parallel) and converge here in ~1 600 steps; at
    /// soft-vs-hard's n = d − 1 = 49 (logits below 8, κ beyond 1e6), the logits frame rejected
    /// every step at the tolerance 1e-10 while e converges.
    static let smallestReciprocalCondition = 1e-6
    static let smallestReciprocalConditionForLargeLogits = 1e-9

    /// nil unless S is square, SᵀS passes the condition test and the targets are finite.
    init?(_ system: ReducedSystem) {
        guard system.p == system.k, system.gapScale != nil else { return nil }
        let points = Matrix(rows: system.p, columns: system.k, elements: system.s)
        guard let gram = try? CholeskyFactorization(syrk(points, transpose: .transposed)),
              gram.reciprocalCondition >= ((system.gapScale ?? 0) > LogTime.logTravel
                  ? Self.smallestReciprocalConditionForLargeLogits : Self.smallestReciprocalCondition),
              let inverse = try? solveLinear(points, Matrix.identity(system.p)) else { return nil }
        self.system = system
        self.inverse = inverse
        gramInverse = gram.solve(Matrix.identity(system.k))
    }

    var dimension: Int { system.k }
    var logitTravel: Double? { system.gapScale }

    func residuals(_ z: [Double]) -> [Double] {
        let scale = 1 / Double(system.k)
        return (0..<system.k).map { Logistic.residual(logit: z[$0], target: system.targets[$0]) * scale }
    }

    func evaluate(at z: [Double]) -> (field: [Double], gradientNorm: Double, fitGap: Double?) {
        let r = residuals(z)
        let gradient = gemv(Matrix(rows: system.p, columns: system.k, elements: system.s), r)
        return (r.map { -$0 }, norm2(gradient), system.fitGap(z))
    }

    func field(at z: [Double]) -> [Double] { residuals(z).map { -$0 } }

    func applyPreconditioner(_ v: inout [Double]) { v = gemv(gramInverse, v) }

    func curvature(at z: [Double]) -> [Double] {
        let scale = 1 / Double(system.k)
        return z.map { Logistic.sigmoidDerivative($0) * scale }
    }

    func trace(_ weights: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<system.k {
            var squares = 0.0
            for j in 0..<system.p { squares += system.s[i * system.p + j] * system.s[i * system.p + j] }
            sum += weights[i] * squares
        }
        return sum
    }

    func shiftedSolver(_ weights: [Double], shift c: Double, scale a: Double) -> ((inout [Double]) -> Void)? {
        var m = gramInverse
        for i in m.elements.indices { m.elements[i] *= c }
        for i in 0..<system.k { m[i, i] += a * weights[i] }
        guard let cholesky = try? CholeskyFactorization(m) else { return nil }
        return { cholesky.solveInPlace(&$0) }
    }

    /// z(0) + Sᵀe for the reduced coordinates e, and back: e = S⁻ᵀ (z − z(0)).
    func logits(_ e: [Double]) -> [Double] { system.logits(e) }

    func reduced(_ z: [Double]) -> [Double] {
        var difference = z
        for i in difference.indices { difference[i] -= system.initialLogits[i] }
        return gemv(inverse, difference, transpose: .transposed)
    }
}

/// The gradient flow dθ/dt = −∇L(θ), integrated by the linearly implicit Rosenbrock method
/// RODAS4 (6 stages, order 4, embedded order 3, L-stable and stiffly accurate), with the
/// standard step-size controller h ← h · min(6, max(0.2, 0.9 · err^{−1/4})).
///
/// Coefficients: E. Hairer and G. Wanner, Solving Ordinary Differential Equations II,
/// 2nd ed., Springer 1996, §VI.4, Table 4.3 (RODAS), in the transformed form
/// (G = I/(γh) − J, stages K_i) of the KPP Rosenbrock integrator (Sandu et al., Atmos. Environ.
/// 31, 1997; KPP 2.x `Rodas4`). Checked here by the order test in `SolverRosenbrockTests`
/// (global error ∝ h⁴ on a nonlinear scalar flow).
///
/// Why an implicit method: the Jacobian J = −∇²L = −(1/k) S diag(σ'(z)) Sᵀ has eigenvalues
/// spread over many decades (nearly parallel points, k close to d, large teacher norms), so an
/// explicit method is held at h ≲ 3/λ_max long after the fast modes have decayed. RODAS4 is
/// L-stable: a mode with hλ ≫ 1 is damped to zero, never amplified, so the step is set by
/// accuracy alone. Each step factors one symmetric positive definite p × p matrix by Cholesky,
/// O(p³) with p the rank of the prefix, independent of d: (SᵀS)⁻¹/(γh) + diag(σ′)/k in the
/// points' logits (`LogitFlow`, independent points), else I/(γh) + ∇²L in e. With large logits
/// the flow runs on a logarithmic clock (`LogTime`).
///
/// Why this still integrates the FLOW (and is not Newton's method in disguise): every step is
/// accepted only if the embedded error estimate is within `integrationTolerance` relative to
/// the state's scale (the same norm as Dormand–Prince), so the trajectory θ(t) is accurate to
/// that tolerance; the last step is bisected to the time at which the stopping rule first holds.
/// The fixed point of a step is exactly ∇L = 0, so the limit's accuracy is set by the stopping
/// rule, never by the integration tolerance. Step counts follow: with the local error ∝ (hλ)⁴ δ
/// (δ the distance to the limit), h grows like (tol/δ)^{1/4} as δ decays, and only once δ is
/// below the tolerance do steps grow geometrically (the method then tends to Newton's method).
/// Measured (d = 10…100, stopping tolerances 1e-10): integrationTolerance 1e-10: 500–1200
/// steps, flow time at convergence within 0.1 % of Dormand–Prince's; integrationTolerance 1e-6:
/// 60–140 steps, same limit, but the flow time at convergence is then NOT the flow's (the
/// trajectory below 1e-6 of the state's scale is not resolved; measured 2–8× too long). Keep
/// integrationTolerance ≲ the stopping tolerances when the flow time is the measured quantity.
struct Rosenbrock {
    let options: SolverOptions

    static let gamma = 0.25
    /// a_ij, i = 2…6, j < i (stage arguments θ + Σ a_ij K_j).
    static let a: [[Double]] = [
        [],
        [1.544],
        [0.9466785280815826, 0.2557011698983284],
        [3.314825187068521, 2.896124015972201, 0.9986419139977817],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1],
    ]
    /// c_ij: the stage right-hand side is f(θ_i) + Σ (c_ij / h) K_j.
    static let c: [[Double]] = [
        [],
        [-5.6688],
        [-2.430093356833875, -0.2063599157091915],
        [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
        [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160],
        [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
    ]
    /// New state θ + Σ m_j K_j (stiffly accurate: m = last row of a with 1).
    static let m: [Double] = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1, 1]
    /// The error estimate is K_6 (difference of the order-4 and embedded order-3 solutions).
    static let order = 4.0

    static func localTolerance(_ options: SolverOptions) -> Double {
        max(options.integrationTolerance, 1e-15)
    }

    /// The linear student's flow: in its points' logits when `LogitFlow` applies, else in e.
    func integrate(_ system: ReducedSystem, from start: [Double]) -> (state: [Double], statistics: SolverStatistics) {
        guard let logits = LogitFlow(system) else { return integrate(flow: system, from: start) }
        let (z, statistics) = integrate(flow: logits, from: logits.logits(start))
        return (logits.reduced(z), statistics)
    }

    func integrate<S: ImplicitFlow>(flow system: S, from start: [Double]) -> (state: [Double], statistics: SolverStatistics) {
        let n = system.dimension
        precondition(start.count == n, "flow: start has \(start.count) entries, expected \(n)")
        var y = start
        var (g, gradientNorm, gap) = system.evaluate(at: y)
        var evaluations = 1
        var jacobians = 0
        let rule = StoppingRule(options: options, initialGradientNorm: gradientNorm)
        var relative = rule.relativeGradient(norm: gradientNorm)
        var curvature = system.curvature(at: y)
        jacobians += 1
        let clock = LogTime(initialTrace: system.trace(curvature), logitTravel: system.logitTravel)
        var tau = 0.0
        var accepted = 0, rejected = 0
        func finish(_ reason: StopReason) -> ([Double], SolverStatistics) {
            (y, SolverStatistics(flowTime: clock.time(tau), acceptedSteps: accepted, rejectedSteps: rejected,
                                 gradientEvaluations: evaluations, relativeGradientNorm: relative,
                                 relativeFitGap: gap, converged: reason == .converged, stopReason: reason,
                                 jacobianEvaluations: jacobians))
        }
        if rule.isConverged(relativeGradient: relative, fitGap: gap) { return finish(.converged) }
        if n == 0 { return finish(.converged) }

        let tol = Self.localTolerance(options)
        let tauLimit = clock.tau(options.timeLimit)
        func largest(_ x: [Double]) -> Double { x.reduce(0) { max($0, abs($1)) } }
        var stateScale = largest(y)
        func errorScale(_ u: Double, _ v: Double) -> Double {
            tol * max(stateScale, abs(u), abs(v), Double.leastNormalMagnitude)
        }

        // Initial step as for Dormand–Prince (Hairer's heuristic, first part), on dθ/dτ = −t0 ∇L.
        var d0 = 0.0, d1 = 0.0
        for i in 0..<n {
            let s = errorScale(y[i], y[i])
            d0 += (y[i] / s) * (y[i] / s)
            d1 += (clock.initialSpeed * g[i] / s) * (clock.initialSpeed * g[i] / s)
        }
        d0 = (d0 / Double(n)).squareRoot()
        d1 = (d1 / Double(n)).squareRoot()
        var h = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 / max(clock.initialSpeed * norm2(g), Double.leastNormalMagnitude) : 0.01 * d0 / d1
        h = min(h, 1, tauLimit)

        while true {
            if accepted + rejected >= options.maxSteps { return finish(.stepLimit) }
            if tau + h == tau { return finish(.stepSizeUnderflow) }
            let hitsLimit = tau + h >= tauLimit
            if hitsLimit { h = tauLimit - tau }

            let previousField = g
            guard let attempt = Self.step(system, at: y, field: g, curvature: curvature, h: h,
                                          clock: clock.stepClock(tau)) else {
                // G not numerically positive definite (∇²L rounding at a huge h): a smaller step.
                rejected += 1
                h *= 0.5
                continue
            }
            evaluations += attempt.evaluations
            let next = attempt.next, estimate = attempt.error
            var err = Double.infinity
            if isAllFinite(next) && isAllFinite(estimate) {
                stateScale = max(largest(y), largest(next))
                err = 0
                for i in 0..<n {
                    let e = estimate[i] / errorScale(y[i], next[i])
                    err += e * e
                }
                err = (err / Double(n)).squareRoot()
            }
            if !err.isFinite {
                rejected += 1
                h *= 0.1
                continue
            }
            if err <= 1 {
                accepted += 1
                let previous = y, previousTau = tau
                tau = hitsLimit ? tauLimit : tau + h
                y = next
                (g, gradientNorm, gap) = system.evaluate(at: y)
                evaluations += 1
                relative = rule.relativeGradient(norm: gradientNorm)
                if rule.isConverged(relativeGradient: relative, fitGap: gap) {
                    // Near the limit the steps grow geometrically, so the last one may overshoot
                    // the time at which the stopping rule first holds by far. The flow time is a
                    // measured quantity: bisect the last step (shorter steps from the same state
                    // are at least as accurate) to 0.1 % of its length in τ (of its flow time).
                    var low = 0.0, high = tau - previousTau
                    while high - low > clock.bisectionTolerance(high) {
                        let middle = 0.5 * (low + high)
                        guard let trial = Self.step(system, at: previous, field: previousField,
                                                    curvature: curvature, h: middle, clock: clock.stepClock(previousTau)),
                              isAllFinite(trial.next) else { break }
                        evaluations += trial.evaluations + 1
                        let (gt, nt, ft) = system.evaluate(at: trial.next)
                        let rt = rule.relativeGradient(norm: nt)
                        if rule.isConverged(relativeGradient: rt, fitGap: ft) {
                            high = middle
                            y = trial.next; g = gt; gap = ft; relative = rt
                        } else {
                            low = middle
                        }
                    }
                    tau = previousTau + high
                    return finish(.converged)
                }
                if tau >= tauLimit { return finish(.timeLimit) }
                curvature = system.curvature(at: y)
                jacobians += 1
                let factor = err == 0 ? 6 : 0.9 * pow(err, -1 / Self.order)
                h *= min(6, max(0.2, factor))
            } else {
                rejected += 1
                h *= max(0.1, 0.9 * pow(err, -1 / Self.order))
            }
        }
    }

    /// One RODAS4 step of size h from y (P f(y) = `field`, `curvature` at y): the new state and the
    /// error estimate K_6; nil when the stage matrix has no Cholesky factor. Costs 5 field
    /// evaluations.
    ///
    /// With `clock` = (t0, τ) the step is one of dθ/dτ = −t0 e^τ ∇L(θ) from τ (`LogTime`), a
    /// non-autonomous system, taken as the autonomous system (θ, τ)' = (−t0 e^τ ∇L, 1): its
    /// Jacobian [[−s∇²L, −s∇L], [0, 0]] (s = t0 e^τ) is block triangular, so each stage solves
    /// for its τ part first (exact: τ is linear) and then the θ part with the same SPD matrix
    /// I/(γh) + s∇²L. Without `clock` it is a step of dθ/dt = −∇L(θ).
    static func step<S: ImplicitFlow>(_ system: S, at y: [Double], field f: [Double], curvature: S.Curvature,
                                      h: Double, clock: (t0: Double, tau: Double)? = nil)
        -> (next: [Double], error: [Double], evaluations: Int)? {
        let n = y.count
        func speed(_ tau: Double) -> Double { clock.map { $0.t0 * exp(tau) } ?? 1 }
        let s0 = speed(clock?.tau ?? 0)
        // P (I/(γh) − s0 ∂f/∂y), symmetric positive definite.
        guard let solve = system.shiftedSolver(curvature, shift: 1 / (gamma * h), scale: s0) else { return nil }
        var k = [[Double]](repeating: [Double](repeating: 0, count: n), count: 6)
        var kTau = [Double](repeating: 0, count: 6)
        var stage = [Double](repeating: 0, count: n)
        var rhs = [Double](repeating: 0, count: n)
        var evaluations = 0
        for s in 0..<6 {
            // The τ part: K_τ = γh (1 + Σ c_sj K_τ,j / h); the stage's τ is τ + Σ a_sj K_τ,j.
            var stageTau = clock?.tau ?? 0
            if clock != nil {
                var sum = 0.0
                for j in 0..<s {
                    sum += c[s][j] * kTau[j]
                    stageTau += a[s][j] * kTau[j]
                }
                kTau[s] = gamma * h * (1 + sum / h)
            }
            // P (speed f(Y_s) + Σ (c_sj/h) K_j + (∂(speed f)/∂τ) K_τ), ∂(speed f)/∂τ = s0 f(y).
            if s == 0 {
                for i in 0..<n { rhs[i] = s0 * f[i] }
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
                system.applyPreconditioner(&rhs)
                let fs = system.field(at: stage)
                evaluations += 1
                let speedHere = speed(stageTau)
                for i in 0..<n { rhs[i] += speedHere * fs[i] }
            }
            if clock != nil { for i in 0..<n { rhs[i] += s0 * f[i] * kTau[s] } }
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

/// The flow's clock: t = t0 (e^τ − 1), so dθ/dτ = −(t + t0) ∇L(θ), when the logits travel far;
/// the plain clock τ = t otherwise.
///
/// Why: with large teacher logits (poly-tail or margin with radius χ_d at d = 10^5: |m| in the
/// hundreds) the flow only reaches its limit at t ~ e^{|m|}; once a logit z is past the linear
/// phase it moves as z ≈ log(c t). In t that curve has derivatives ~ 1/t^j, so a fourth-order
/// step is held at h/t ≈ tol^{1/5} and the flow needs ~|m| / tol^{1/5} steps; in τ it is a
/// straight line, which RODAS4 follows with steps of order one (measured, W2's first point,
/// tolerances 1e-8: 5 245 steps in t, 214 in τ). Where the flow converges
/// exponentially (logits of order one, W1) τ doubles the steps (measured: 1 087–1 975 gradient
/// evaluations against 793–1 165), so τ is used only when some logit must travel more than
/// `logTravel`, past which the log phase dominates. t0 = 1/tr ∇²L(θ(0)), the fastest time scale
/// at the start, so that the early phase in τ looks like the flow in t/t0.
struct LogTime {
    /// Logit travel max_i |m_i − z_i(0)| above which the flow runs on the log clock.
    static let logTravel = 16.0

    /// nil: the plain clock τ = t.
    let t0: Double?

    init(initialTrace trace: Double, logitTravel: Double?) {
        guard let travel = logitTravel, travel > Self.logTravel else { t0 = nil; return }
        t0 = trace > 0 && trace.isFinite ? 1 / trace : 1
    }

    var initialSpeed: Double { t0 ?? 1 }

    func stepClock(_ tau: Double) -> (t0: Double, tau: Double)? { t0.map { ($0, tau) } }

    /// Flow time at τ.
    func time(_ tau: Double) -> Double { t0.map { $0 * expm1(tau) } ?? tau }

    /// Bisection of the last step stops within 0.1 % of the flow time it spans: 0.1 % of the
    /// step on the plain clock, 10^-3 in τ (≈ 0.1 % of t) on the log clock.
    func bisectionTolerance(_ step: Double) -> Double { t0 == nil ? 1e-3 * step : 1e-3 * min(step, 1) }

    /// τ at flow time t (∞ for t = ∞).
    func tau(_ t: Double) -> Double { t.isInfinite ? .infinity : t0.map { log1p(t / $0) } ?? t }
}
