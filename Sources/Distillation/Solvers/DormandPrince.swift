#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra

/// The gradient flow dθ/dt = −∇L(θ), integrated by the Dormand–Prince 5(4) pair with FSAL and a
/// PI step-size controller (Hairer–Wanner's DOPRI5 constants).
///
/// Stiffness: nearly parallel points or n close to d make (1/n) R diag(σ') Rᵀ ill-conditioned.
/// An explicit method is then stable only for h ≲ 3.3/λ_max, far below what accuracy needs once
/// the fast modes have decayed. The error estimate grows as soon as h leaves the stability
/// region, so the controller rejects or shrinks the step and settles at the stability limit;
/// the PI term (the previous error's exponent) damps the oscillation around that limit that a
/// plain controller shows. The cost is then about κ · log(1/tol) steps, κ the condition number.
/// A cold teacher is the extreme case: with logits of size ~1 and ~|m| in the same set the
/// curvatures σ'(m_i) differ by e^{|m|}, so for ‖w*‖ ≳ 100 the flow can need more steps than any
/// budget. When `maxSteps` is reached, or the step falls below the rounding level of t, the run
/// stops with `converged == false` and the reason, never silently (Newton has no such limit).
struct DormandPrince {
    /// The flow of `system` from `start` with the integrator `options.integrator` selects.
    static func flow(_ system: ReducedSystem, from start: [Double],
                     options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        switch options.integrator {
        case .rosenbrock: Rosenbrock(options: options).integrate(system, from: start)
        case .dormandPrince: DormandPrince(options: options).integrate(system, from: start)
        }
    }

    let options: SolverOptions

    private static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    private static let a: [[Double]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    private static let errorWeights: [Double] = [
        71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40,
    ]

    /// The local error tolerance: at the stability limit a stiff mode is neither damped nor
    /// amplified, and stays at about the size the error control allows. So the local tolerance
    /// is kept a hundred times below the stopping tolerances (never below 1e-15).
    static func localTolerance(_ options: SolverOptions) -> Double {
        var tol = options.integrationTolerance
        let stopping = min(options.gradientTolerance, options.fitTolerance)
        if stopping > 0 { tol = min(tol, 0.01 * stopping) }
        return max(tol, 1e-15)
    }

    func integrate<S: GradientSystem>(_ system: S, from start: [Double]) -> (state: [Double], statistics: SolverStatistics) {
        let n = system.dimension
        precondition(start.count == n, "flow: start has \(start.count) entries, expected \(n)")
        var y = start
        var (g, gap) = system.gradient(at: y)
        var evaluations = 1
        let rule = StoppingRule(options: options, initialGradientNorm: norm2(g))
        var relative = rule.relativeGradient(g)
        var t = 0.0
        var accepted = 0, rejected = 0
        func finish(_ reason: StopReason) -> ([Double], SolverStatistics) {
            (y, SolverStatistics(flowTime: t, acceptedSteps: accepted, rejectedSteps: rejected,
                                 gradientEvaluations: evaluations, relativeGradientNorm: relative,
                                 relativeFitGap: gap, converged: reason == .converged, stopReason: reason))
        }
        if rule.isConverged(relativeGradient: relative, fitGap: gap) { return finish(.converged) }

        let tol = Self.localTolerance(options)
        // Error relative to the state's largest entry (norm-wise): the problem's scale (teacher
        // norm, point norms) then never sets an absolute error floor.
        func largest(_ x: [Double]) -> Double { x.reduce(0) { max($0, abs($1)) } }
        var stateScale = largest(y)
        func errorScale(_ i: Int, _ u: Double, _ v: Double) -> Double {
            tol * max(stateScale, abs(u), abs(v), Double.leastNormalMagnitude)
        }

        // Initial step (Hairer's heuristic, first part): 1 % of the state's scale over the speed's.
        var d0 = 0.0, d1 = 0.0
        for i in 0..<n {
            let s = errorScale(i, y[i], y[i])
            d0 += (y[i] / s) * (y[i] / s)
            d1 += (g[i] / s) * (g[i] / s)
        }
        d0 = (d0 / Double(max(n, 1))).squareRoot()
        d1 = (d1 / Double(max(n, 1))).squareRoot()
        var h = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 / max(norm2(g), Double.leastNormalMagnitude) : 0.01 * d0 / d1
        h = min(h, options.timeLimit)

        var k = [[Double]](repeating: [Double](repeating: 0, count: n), count: 7)
        for i in 0..<n { k[0][i] = -g[i] }
        var previousError = 1e-4
        var stage = [Double](repeating: 0, count: n)

        while true {
            if accepted + rejected >= options.maxSteps { return finish(.stepLimit) }
            if t + h == t { return finish(.stepSizeUnderflow) }
            let hitsLimit = t + h >= options.timeLimit
            if hitsLimit { h = options.timeLimit - t }

            var stageGap: Double? = nil
            var stageGradient = g
            for s in 1..<7 {
                for i in 0..<n {
                    var sum = 0.0
                    for j in 0..<s { sum += Self.a[s][j] * k[j][i] }
                    stage[i] = y[i] + h * sum
                }
                let (gs, fs) = system.gradient(at: stage)
                evaluations += 1
                for i in 0..<n { k[s][i] = -gs[i] }
                if s == 6 { stageGradient = gs; stageGap = fs }
            }
            // stage now holds the 5th-order solution (row 7 of a equals the weights b).
            stateScale = max(largest(y), largest(stage))
            var err = 0.0
            for i in 0..<n {
                var e = 0.0
                for j in 0..<7 { e += Self.errorWeights[j] * k[j][i] }
                e *= h
                let s = errorScale(i, y[i], stage[i])
                err += (e / s) * (e / s)
            }
            err = (err / Double(max(n, 1))).squareRoot()
            if !err.isFinite || !isAllFinite(stage) {
                // A step that blew up is rejected like any other too-large step.
                rejected += 1
                h *= 0.1
                continue
            }
            if err <= 1 {
                accepted += 1
                t = hitsLimit ? options.timeLimit : t + h
                y = stage
                g = stageGradient
                gap = stageGap
                k[0] = k[6]
                relative = rule.relativeGradient(g)
                if rule.isConverged(relativeGradient: relative, fitGap: gap) { return finish(.converged) }
                if t >= options.timeLimit { return finish(.timeLimit) }
                let factor = err == 0 ? 10 : 0.9 * pow(err, -0.17) * pow(previousError, 0.04)
                h *= min(10, max(0.2, factor))
                previousError = max(err, 1e-4)
            } else {
                rejected += 1
                h *= max(0.1, 0.9 * pow(err, -0.2))
            }
        }
    }
}
