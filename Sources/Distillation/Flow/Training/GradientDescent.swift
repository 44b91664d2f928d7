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
        let rule = ConvergenceRule(options: options, initialGradientNorm: norm2(g))
        var relative = rule.relativeGradient(g)
        var steps = 0
        func finish(_ reason: SolverStopReason) -> ([Double], SolverStatistics) {
            (e, SolverStatistics(flowTime: Double(steps) * step, acceptedSteps: steps, rejectedSteps: 0,
                                 gradientEvaluations: evaluations, relativeGradientNorm: relative,
                                 relativeFitGap: gap, stopReason: reason))
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
