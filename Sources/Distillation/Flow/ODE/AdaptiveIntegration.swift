/// One attempted step of an embedded pair.
struct StepAttempt {
    var next: [Double]
    /// Difference of the two embedded solutions.
    var error: [Double]
    /// Right-hand side evaluations the attempt cost.
    var evaluations: Int
    /// The evaluation at `next` when the method already formed it (first-same-as-last); nil: the
    /// driver evaluates there.
    var endpoint: FlowEvaluation?
    /// A second, lower-order estimate that the norm combines with `error` (DOP853's 3rd-order
    /// one; see `ErrorNorm.measure(from:to:error:lowOrderError:)`); nil: `error` alone.
    var lowOrderError: [Double]? = nil
}

/// What an embedded one-step method supplies to `integrateAdaptively`.
protocol EmbeddedMethod {
    associatedtype Problem: ODEProblem
    var controller: StepController { get }
    /// Jacobian evaluations so far (0 for explicit methods).
    var jacobianEvaluations: Int { get }
    /// A step of size h from (τ, y) with F(τ, y) = `field`; nil when the stage equations have no
    /// solution at this h (the driver halves it).
    func attempt(_ problem: Problem, at y: [Double], time tau: Double, field: [Double], step h: Double) -> StepAttempt?
    /// Called after each accepted step (of size h) that does not end the run (a Rosenbrock method
    /// forms its Jacobian at the new state here).
    mutating func accepted(_ problem: Problem, at y: [Double], time tau: Double, step h: Double)
    /// The step to try next given the controller's proposal (a method that reuses a factorization
    /// may keep its step); the proposal by default.
    func preferredStep(_ proposed: Double) -> Double
    /// Whether the terminal event is located by `TerminalEvent.locateByInterpolation` (a trial
    /// step costs a factorization) rather than by bisection.
    var locatesEventByInterpolation: Bool { get }
}

extension EmbeddedMethod {
    mutating func accepted(_ problem: Problem, at y: [Double], time tau: Double, step h: Double) {}
    func preferredStep(_ proposed: Double) -> Double { proposed }
    var locatesEventByInterpolation: Bool { false }
}

/// The one adaptive driver: step control (`ErrorNorm`, `StepController`), the initial step, the
/// time and step limits, and the terminal event located by `TerminalEvent.locate` (or
/// `locateByInterpolation`, the method's choice), shared by
/// every embedded method so that flow time means the same thing whichever integrates.
///
/// `initial` is the evaluation at `start` (τ = 0), counted as one evaluation.
///
/// `handOff`, when given, is asked at the start and after every accepted step that does not end
/// the run; once it holds the integration stops there with `.handedOff`, unlocated (another
/// method takes over from that state, e.g. `LinearTail`).
func integrateAdaptively<Method: EmbeddedMethod, Event: TerminalEvent>(
    _ problem: Method.Problem, method: inout Method, from start: [Double], initial: FlowEvaluation,
    event: Event, limits: IntegrationLimits, handOff: ((_ state: [Double]) -> Bool)? = nil
) -> ODESolution {
    let n = problem.dimension
    precondition(start.count == n, "flow: start has \(start.count) entries, expected \(n)")
    var y = start
    var current = initial
    var tau = 0.0
    var solution = ODESolution(state: y, flowTime: 0, last: current, outcome: .terminalEvent)
    func finish(_ outcome: ODEOutcome) -> ODESolution {
        solution.state = y
        solution.flowTime = problem.flowTime(tau)
        solution.last = current
        solution.outcome = outcome
        solution.jacobianEvaluations = method.jacobianEvaluations
        return solution
    }
    if event.holds(current) || n == 0 { return finish(.terminalEvent) }
    if let handOff, handOff(y) { return finish(.handedOff) }

    let tauLimit = problem.integrationTime(limits.flowTime)
    var norm = ErrorNorm(tolerance: limits.tolerance, state: y)
    var h = norm.initialStep(at: y, current, limit: tauLimit)
    var controller = method.controller

    while true {
        if solution.acceptedSteps + solution.rejectedSteps >= limits.steps { return finish(.stepLimit) }
        if tau + h == tau { return finish(.stepSizeUnderflow) }
        let hitsLimit = tau + h >= tauLimit
        if hitsLimit { h = tauLimit - tau }

        guard let attempt = method.attempt(problem, at: y, time: tau, field: current.field, step: h) else {
            solution.rejectedSteps += 1
            h *= 0.5
            continue
        }
        solution.evaluations += attempt.evaluations
        let err = if let low = attempt.lowOrderError {
            norm.measure(from: y, to: attempt.next, error: attempt.error, lowOrderError: low)
        } else {
            norm.measure(from: y, to: attempt.next, error: attempt.error)
        }
        if !err.isFinite {
            // A step that blew up is rejected like any other too-large step.
            solution.rejectedSteps += 1
            h *= 0.1
            continue
        }
        guard err <= 1 else {
            solution.rejectedSteps += 1
            h = controller.rejected(h, error: err)
            continue
        }
        solution.acceptedSteps += 1
        let previous = y, previousTau = tau, previousField = current.field, previousEvaluation = current
        tau = hitsLimit ? tauLimit : tau + h
        y = attempt.next
        if let endpoint = attempt.endpoint {
            current = endpoint
        } else {
            current = problem.evaluate(at: y, time: tau)
            solution.evaluations += 1
        }
        if event.holds(current) {
            func trial(_ offset: Double) -> EventTrial? {
                guard let retaken = method.attempt(problem, at: previous, time: previousTau,
                                                   field: previousField, step: offset) else { return nil }
                if let endpoint = retaken.endpoint {
                    return EventTrial(state: retaken.next, evaluation: endpoint, evaluations: retaken.evaluations)
                }
                guard isAllFinite(retaken.next) else { return nil }
                return EventTrial(state: retaken.next,
                                  evaluation: problem.evaluate(at: retaken.next, time: previousTau + offset),
                                  evaluations: retaken.evaluations + 1)
            }
            let end = EventTrial(state: y, evaluation: current, evaluations: 0)
            let located = method.locatesEventByInterpolation
                ? event.locateByInterpolation(step: tau - previousTau, start: previousEvaluation, end: end,
                                              tolerance: { problem.eventTolerance(step: $0) }, trial: trial)
                : event.locate(step: tau - previousTau, end: end, tolerance: { problem.eventTolerance(step: $0) },
                               trial: trial)
            solution.evaluations += located.at.evaluations
            y = located.at.state
            current = located.at.evaluation
            tau = previousTau + located.offset
            return finish(.terminalEvent)
        }
        if tau >= tauLimit { return finish(.timeLimit) }
        if let handOff, handOff(y) { return finish(.handedOff) }
        method.accepted(problem, at: y, time: tau, step: h)
        h = method.preferredStep(controller.accepted(h, error: err))
    }
}
