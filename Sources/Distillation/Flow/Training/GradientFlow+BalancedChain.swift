/// The deep flow from a balanced rank-one start in its exact p + N − 1 coordinates
/// (`BalancedChainSystem`), by `options.integrator`: RODAS4 on its dense Hessian under
/// `rosenbrock` (the default), Dormand–Prince under `dormand-prince`, CVODE's BDF with a dense
/// LU under `cvode`. All at Dormand–Prince's local tolerance (1 % of the stopping tolerances),
/// like the layers' flow: the limit gap of a balanced start must stay below the stopping rule's.
extension GradientFlow {
    static func integrate(_ system: BalancedChainSystem, from start: [Double],
                          options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        let initial = system.evaluate(at: start, time: 0)
        let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
        let limits = dormandPrinceLimits(options)
        let solution: ODESolution
        switch options.integrator {
        case .rosenbrock:
            solution = Rosenbrock.integrate(system, from: start, curvature: system.hessian(at: start), initial: initial,
                                            event: rule, limits: limits)
        case .dormandPrince:
            solution = DormandPrince.integrate(system, from: start, initial: initial, event: rule, limits: limits)
        case .cvode:
            do {
                solution = try CVODE.integrate(system, from: start, initial: initial, event: rule, limits: limits)
            } catch {
                return (start, SolverStatistics(flowTime: 0, acceptedSteps: 0, rejectedSteps: 0, gradientEvaluations: 1,
                                                relativeGradientNorm: rule.relativeGradient(norm: initial.gradientNorm),
                                                relativeFitGap: initial.fitGap, stopReason: .integratorFailed))
            }
        }
        return (solution.state, rule.statistics(solution))
    }
}
