/// The deep flow from a balanced rank-one start in its exact p + N − 1 coordinates
/// (`BalancedChainSystem`): CVODE's BDF with a dense LU on the chain's Hessian, the default
/// (`rosenbrock`) and under `cvode`; Dormand–Prince under `dormand-prince`. BDF because the chain
/// inherits the layers' stiffness (nearly collinear points make the flow run to t ~ 10^5 while
/// its fastest rate stays of order one: docs/THEORY.md §2), where Dormand–Prince sits at its
/// stability limit; at p + N − 1 entries a dense Jacobian and its LU cost less than a gradient
/// of the layers. (Our RODAS4 on the same chain took more steps at the same local tolerance:
/// bench/README.md.) The local tolerance is Dormand–Prince's (1 % of the stopping tolerances),
/// as for the layers: the limit gap of a balanced start must stay below the stopping rule's.
extension GradientFlow {
    static func integrate(_ system: BalancedChainSystem, from start: [Double],
                          options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        let initial = system.evaluate(at: start, time: 0)
        let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
        let limits = dormandPrinceLimits(options)
        let solution: ODESolution
        switch options.integrator {
        case .dormandPrince:
            solution = DormandPrince.integrate(system, from: start, initial: initial, event: rule, limits: limits)
        case .rosenbrock, .cvode:
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
