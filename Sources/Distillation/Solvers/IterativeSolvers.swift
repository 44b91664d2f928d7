import LinearAlgebra

/// Gradient descent with a fixed step: e ← e − η ∇L(e), the explicit Euler scheme of the flow.
struct GradientDescent {
    let options: SolverOptions

    /// The default step 1/L with L = λ_max(S Sᵀ)/(4k) ≥ ‖∇²L‖ (σ' ≤ 1/4): stable and monotone.
    static func safeStep(for system: ReducedSystem) -> Double {
        let lambda = system.largestGramEigenvalue()
        return lambda > 0 ? 4 * Double(system.k) / lambda : 1
    }

    func run<S: GradientSystem>(_ system: S, from start: [Double], step: Double) -> (state: [Double], statistics: SolverStatistics) {
        var e = start
        var (g, gap) = system.gradient(at: e)
        var evaluations = 1
        let rule = StoppingRule(options: options, initialGradientNorm: norm2(g))
        var relative = rule.relativeGradient(g)
        var steps = 0
        func finish(_ reason: StopReason) -> ([Double], SolverStatistics) {
            (e, SolverStatistics(flowTime: Double(steps) * step, acceptedSteps: steps, rejectedSteps: 0,
                                 gradientEvaluations: evaluations, relativeGradientNorm: relative,
                                 relativeFitGap: gap, converged: reason == .converged, stopReason: reason))
        }
        while true {
            if rule.isConverged(relativeGradient: relative, fitGap: gap) { return finish(.converged) }
            if steps >= options.maxSteps { return finish(.stepLimit) }
            if Double(steps + 1) * step > options.timeLimit { return finish(.timeLimit) }
            for j in e.indices { e[j] -= step * g[j] }
            steps += 1
            if !isAllFinite(e) { return finish(.nonFinite) }
            (g, gap) = system.gradient(at: e)
            evaluations += 1
            relative = rule.relativeGradient(g)
        }
    }
}

/// Damped Newton in the span: Δ = −H⁻¹∇L with H = (1/k) S diag(σ'(z)) Sᵀ, backtracking on the loss.
///
/// Far from the targets (|m| in the hundreds) the loss is exponential in the logit gap and a
/// full Newton step advances each logit by about one unit, so the iteration count grows with
/// |m|; near the optimum the shifted loss is at its rounding floor, so a step that does not
/// lower the loss is still accepted when it lowers the gradient norm.
struct DampedNewton {
    let options: SolverOptions

    /// Largest change of any logit in one Newton step (the loss is exponential beyond that).
    static let maximalLogitStep = 4.0

    func run(_ system: ReducedSystem, from start: [Double]) -> (state: [Double], statistics: SolverStatistics) {
        let p = system.p
        var e = start
        var z = system.logits(e)
        var g = system.gradient(fromLogits: z)
        var gap = system.fitGap(z)
        var evaluations = 1
        let rule = StoppingRule(options: options, initialGradientNorm: norm2(g))
        var relative = rule.relativeGradient(g)
        var iterations = 0, rejected = 0
        func finish(_ reason: StopReason) -> ([Double], SolverStatistics) {
            (e, SolverStatistics(flowTime: nil, acceptedSteps: iterations, rejectedSteps: rejected,
                                 gradientEvaluations: evaluations, relativeGradientNorm: relative,
                                 relativeFitGap: gap, converged: reason == .converged, stopReason: reason))
        }
        var loss = system.loss(fromLogits: z)
        while true {
            if rule.isConverged(relativeGradient: relative, fitGap: gap) { return finish(.converged) }
            if iterations >= options.maxSteps { return finish(.stepLimit) }
            var hessian = system.hessian(fromLogits: z)
            var factor = try? CholeskyFactorization(hessian)
            if factor == nil {
                // σ' underflows for |z| > 745; regularize by the rounding level of the diagonal.
                var trace = 0.0
                for j in 0..<p { trace += hessian[j, j] }
                let ridge = max(trace, Double.leastNormalMagnitude) * 1e-14
                for j in 0..<p { hessian[j, j] += ridge }
                factor = try? CholeskyFactorization(hessian)
            }
            guard let cholesky = factor else { return finish(.lineSearchFailed) }
            var direction = cholesky.solve(g).map { -$0 }
            // A saturated logit (σ' ≈ e^{−|z|}) makes the Newton step huge where the quadratic
            // model means nothing: cap the change of any logit, keeping the direction.
            let logitChange = system.logits(direction).enumerated().map { abs($1 - system.initialLogits[$0]) }
            let largestChange = logitChange.max() ?? 0
            if largestChange > Self.maximalLogitStep {
                let shrink = Self.maximalLogitStep / largestChange
                for j in 0..<p { direction[j] *= shrink }
            }
            if !(dot(g, direction) < 0) { direction = g.map { -$0 } }
            let slope = dot(g, direction)
            let gradientNorm = norm2(g)
            var t = 1.0
            var acceptedStep = false
            while t > 1e-12 {
                var trial = e
                for j in 0..<p { trial[j] += t * direction[j] }
                let zt = system.logits(trial)
                let lt = system.loss(fromLogits: zt)
                let gt = system.gradient(fromLogits: zt)
                evaluations += 1
                if isAllFinite(trial) && (lt <= loss + 1e-4 * t * slope || norm2(gt) < gradientNorm) {
                    e = trial; z = zt; g = gt; loss = lt
                    acceptedStep = true
                    break
                }
                rejected += 1
                t *= 0.5
            }
            if !acceptedStep { return finish(.lineSearchFailed) }
            iterations += 1
            gap = system.fitGap(z)
            relative = rule.relativeGradient(g)
        }
    }
}
