import LinearAlgebra

/// What fixed-step explicit Euler (gradient descent) needed to come within a given distance of
/// the closed-form limit: the benchmark's yardstick for the adaptive flow integrator.
public struct EulerToLimit: Sendable, Hashable {
    /// The step used.
    public var step: Double
    /// 2/L with L = λ_max(S Sᵀ)/(4k) ≥ ‖∇²L‖ (σ' ≤ 1/4): the largest step stable for every
    /// state of the flow.
    public var largestStableStep: Double
    /// Steps taken (one gradient each, plus the gradient at the start).
    public var steps: Int
    public var gradientEvaluations: Int
    /// ‖e − e_closed‖ / ‖e_closed‖ at the end.
    public var finalDistance: Double
    /// False when `maxSteps` ran out (or a non-finite state appeared) before the target.
    public var reached: Bool
}

extension LinearDistillationProblem {
    /// Explicit Euler on the flow of prefix k from w(0), e ← e − η ∇L(e) with
    /// η = `stepFraction` × 2/L (the largest stable step), run until the relative distance to
    /// the closed form P w* + (I − P) w(0) is at most `targetDistance`. For a convex L-smooth
    /// loss and η < 2/L the distance to the minimiser never increases, so the first step count
    /// that reaches the target is the one reported.
    ///
    /// This exists to compare integrators at equal final accuracy (`kdmc bench`); `solve(…, .gd)`
    /// stops on the gradient, not on the distance to the limit.
    public func eulerToClosedForm(prefix k: Int, targetDistance: Double, stepFraction: Double = 0.99,
                                  maxSteps: Int = 10_000_000) -> EulerToLimit {
        precondition(stepFraction > 0 && stepFraction <= 1, "stepFraction must be in (0, 1]")
        let reduction = reduce(prefix: k, targets: Array(teacherLogits[0..<k]))
        let system = reduction.system
        var difference = Array(teacherCoordinates[0..<reduction.leading])
        for i in difference.indices { difference[i] -= initialCoordinates[i] }
        let limit = reduction.reduced(difference)
        let lambda = system.largestGramEigenvalue()
        let bound = lambda / (4 * Double(system.k))
        let stable = bound > 0 ? 2 / bound : 1
        let step = stepFraction * stable
        let scale = norm2(limit)
        func distance(_ e: [Double]) -> Double {
            var s = 0.0
            for i in e.indices { let t = e[i] - limit[i]; s += t * t }
            return scale > 0 ? s.squareRoot() / scale : s.squareRoot()
        }
        var e = [Double](repeating: 0, count: system.p)
        var current = distance(e)
        var steps = 0, evaluations = 0
        while current > targetDistance && steps < maxSteps {
            let (g, _) = system.gradient(at: e)
            evaluations += 1
            for j in e.indices { e[j] -= step * g[j] }
            steps += 1
            if !isAllFinite(e) { break }
            current = distance(e)
        }
        return EulerToLimit(step: step, largestStableStep: stable, steps: steps,
                            gradientEvaluations: evaluations, finalDistance: current,
                            reached: current <= targetDistance)
    }
}
