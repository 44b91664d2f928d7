import LinearAlgebra

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
        if system.p == system.k, start.allSatisfy({ $0 == 0 }), let result = runInLogits(system) {
            return result
        }
        let p = system.p
        var e = start
        var z = system.logits(e)
        var g = system.gradient(fromLogits: z)
        var gap = system.fitGap(z)
        var evaluations = 1
        let rule = ConvergenceRule(options: options, initialGradientNorm: norm2(g))
        var relative = rule.relativeGradient(g)
        var iterations = 0, rejected = 0, hessians = 0
        func finish(_ reason: SolverStopReason) -> ([Double], SolverStatistics) {
            (e, SolverStatistics(flowTime: nil, acceptedSteps: iterations, rejectedSteps: rejected,
                                 gradientEvaluations: evaluations, relativeGradientNorm: relative,
                                 relativeFitGap: gap, stopReason: reason,
                                 jacobianEvaluations: hessians))
        }
        var loss = system.loss(fromLogits: z)
        while true {
            if rule.isConverged(relativeGradient: relative, fitGap: gap) { return finish(.converged) }
            if iterations >= options.maxSteps { return finish(.stepLimit) }
            var hessian = system.hessian(fromLogits: z)
            hessians += 1
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

extension DampedNewton {
    /// Newton when S is square (k ≤ d, full rank): z = z(0) + Sᵀe is an invertible affine map,
    /// Newton is affine-invariant, and in the logits the loss is separable, so the Newton step
    /// is Δz_i = −r_i / σ'(z_i) for each point, evaluated in logarithms (both factors can be
    /// ~e^{−|m|}). This avoids the Hessian S diag(σ') Sᵀ, whose eigenvalues span e^{−|m|} and
    /// would be numerically singular for teacher norms in the hundreds. e = S⁻ᵀ(z − z(0)).
    func runInLogits(_ system: ReducedSystem) -> (state: [Double], statistics: SolverStatistics)? {
        let k = system.k
        let transposed = Matrix(rows: system.p, columns: k, elements: system.s).transposed
        var z = system.initialLogits
        let targets = system.targets
        var g = system.gradient(fromLogits: z)
        let rule = ConvergenceRule(options: options, initialGradientNorm: norm2(g))
        var relative = rule.relativeGradient(g)
        var gap = system.fitGap(z)
        var iterations = 0, rejected = 0, evaluations = 1
        var e = [Double](repeating: 0, count: k)
        func finish(_ reason: SolverStopReason) -> ([Double], SolverStatistics) {
            (e, SolverStatistics(flowTime: nil, acceptedSteps: iterations, rejectedSteps: rejected,
                                 gradientEvaluations: evaluations, relativeGradientNorm: relative,
                                 relativeFitGap: gap, stopReason: reason))
        }
        while !rule.isConverged(relativeGradient: relative, fitGap: gap) {
            if iterations >= options.maxSteps { break }
            var moved = false
            for i in 0..<k {
                let current = Logistic.divergence(logit: z[i], target: targets[i])
                if current == 0 { continue }
                var step = -Logistic.newtonStep(logit: z[i], target: targets[i])
                step = min(Self.maximalLogitStep, max(-Self.maximalLogitStep, step))
                for _ in 0..<60 {
                    let trial = z[i] + step
                    if trial != z[i] && Logistic.divergence(logit: trial, target: targets[i]) < current {
                        z[i] = trial
                        moved = true
                        break
                    }
                    rejected += 1
                    step /= 2
                }
            }
            iterations += 1
            evaluations += 1
            g = system.gradient(fromLogits: z)
            relative = rule.relativeGradient(g)
            gap = system.fitGap(z)
            if !moved { break }
        }
        var difference = z
        for i in 0..<k { difference[i] -= system.initialLogits[i] }
        guard let solved = try? solveLinear(transposed, difference), isAllFinite(solved) else { return nil }
        e = solved
        // Report the gradient of the returned point, not of the logits before the solve.
        let zFinal = system.logits(e)
        g = system.gradient(fromLogits: zFinal)
        relative = rule.relativeGradient(g)
        gap = system.fitGap(zFinal)
        if rule.isConverged(relativeGradient: relative, fitGap: gap) { return finish(.converged) }
        return finish(iterations >= options.maxSteps ? .stepLimit : .lineSearchFailed)
    }
}
