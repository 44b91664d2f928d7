/// The training flow θ' = −∇L(θ) as an initial value problem: which integrator, in which frame
/// of coordinates, on which clock, with the stopping rule as its terminal event.
enum GradientFlow {
    /// Logit travel max_i |m_i − z_i(0)| above which the flow runs on the log clock (`LogClock`):
    /// past it the logarithmic phase dominates; below it the flow converges exponentially and
    /// the log clock only adds steps.
    static let logTravel = 16.0

    /// The linear (or hard-label) student's flow with the integrator `options.integrator`.
    static func integrate(_ system: ReducedSystem, from start: [Double],
                          options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        switch options.integrator {
        case .rosenbrock: rosenbrock(system, from: start, options: options)
        case .dormandPrince: dormandPrince(system, from: start, options: options)
        case .cvode: cvode(system, from: start, options: options)
        }
    }

    /// A gradient system with Jacobian-vector products but no dense Jacobian worth forming (the
    /// deep linear student: its Jacobian is not the loss Hessian in reduced coordinates, and its
    /// size is the layers'): by default (`rosenbrock`, the project's choice) DOP853, whose 8th
    /// order takes far fewer evaluations than Dormand–Prince 5(4) at the tight local tolerance the
    /// stopping rule needs; Dormand–Prince 5(4) under `dormand-prince`; CVODE's BDF with matrix-free
    /// GMRES (`cvodeMatrixFree`, not stability-limited) under `cvode`, for the stiffest deep flows
    /// (bench/README.md).
    static func integrate<S: GradientSystem & JacobianVectorProblem>(
        _ system: S, from start: [Double], options: SolverOptions
    ) -> (state: [Double], statistics: SolverStatistics) {
        switch options.integrator {
        case .rosenbrock: dop853(system, from: start, options: options)
        case .dormandPrince: dormandPrince(system, from: start, options: options)
        case .cvode: cvodeMatrixFree(problem: system, from: start, options: options)
        }
    }

    /// t0 = 1/tr ∇²L(θ(0)) when the logits travel past `logTravel`, else nil (the plain clock).
    static func logClockStart(initialTrace trace: Double, logitTravel: Double?) -> Double? {
        guard usesLogClock(logitTravel: logitTravel) else { return nil }
        return trace > 0 && trace.isFinite ? 1 / trace : 1
    }

    static func usesLogClock(logitTravel: Double?) -> Bool { logitTravel.map { $0 > logTravel } ?? false }

    // MARK: Rosenbrock

    /// The local tolerance as given (never below 1e-15): the limit does not depend on it.
    static func rosenbrockLimits(_ options: SolverOptions) -> IntegrationLimits {
        IntegrationLimits(tolerance: max(options.integrationTolerance, 1e-15), flowTime: options.timeLimit,
                          steps: options.maxSteps)
    }

    /// In a frame measured from the limit (`DisplacedFrame`): `options.limitTolerance`, relative
    /// to the distance still to go.
    ///
    /// What it guarantees: the flow is contractive, so the relative error of the state's distance
    /// to the limit stays of the order of the number of steps times this tolerance, and the time
    /// at which the stopping rule holds, where the distance falls by its factor δ = 1e-8 …1e-10
    /// at the slowest rate λ, moves by that relative error over λ, a fraction ~1/ln(1/δ) of the
    /// flow time. `FlowTimeToleranceTests` checks 1e-3 at the default; bench/README.md has the
    /// measured errors, and those of the frame from the origin, which are far larger at a local
    /// tolerance of the stopping tolerances' size.
    static func displacedLimits(_ options: SolverOptions) -> IntegrationLimits {
        IntegrationLimits(tolerance: options.limitTolerance, flowTime: options.timeLimit, steps: options.maxSteps)
    }

    /// In the points' logits (of a basis of points when k > p) when `LogitFlow` applies, else in e.
    /// Measured from the limit (`DisplacedFrame`, at `displacedLimits`) when the flow
    /// interpolates its k = p points and runs to the stopping rule, and then, in the logits on the
    /// plain clock, with its linear end solved by `LinearTail`; with a finite time limit the
    /// state at that time is asked for, which `integrationTolerance` from the origin controls.
    /// A logits frame whose steps all fail (the step size underflows, measured on rank-deficient
    /// data sets with more points than dimensions, where products with (S_BᵀS_B)⁻¹ lose more than
    /// the local tolerance) hands the flow to e from the start; the statistics count both runs'
    /// evaluations.
    ///
    /// `linearTail` false integrates to the end (the tests' reference for the tail).
    static func rosenbrock(_ system: ReducedSystem, from start: [Double], options: SolverOptions,
                           linearTail: Bool = true) -> (state: [Double], statistics: SolverStatistics) {
        guard let logits = LogitFlow(system) else {
            return rosenbrock(frame: system, limit: system.interpolatingLimit, from: start, options: options)
        }
        let (z, statistics): ([Double], SolverStatistics)
        if linearTail, options.timeLimit.isInfinite, !usesLogClock(logitTravel: logits.logitTravel),
           let tail = LinearTail(logits) {
            (z, statistics) = rosenbrock(logits, tail: tail, from: logits.logits(start), options: options)
        } else {
            (z, statistics) = rosenbrock(frame: logits, limit: logits.limit, from: logits.logits(start), options: options)
        }
        guard statistics.stopReason == .stepSizeUnderflow || statistics.stopReason == .nonFinite else {
            return (logits.reduced(z), statistics)
        }
        var (state, fallback) = rosenbrock(frame: system, limit: system.interpolatingLimit, from: start, options: options)
        fallback.gradientEvaluations += statistics.gradientEvaluations
        fallback.jacobianEvaluations += statistics.jacobianEvaluations
        fallback.rejectedSteps += statistics.acceptedSteps + statistics.rejectedSteps
        return (state, fallback)
    }

    /// The interpolating flow in the logits on the plain clock, measured from its limit like
    /// `rosenbrock(frame:limit:…)`, with its linear end solved by `LinearTail`: RODAS4 until the
    /// tail accepts the state, then the tail. The stopping rule is then checked on the real loss at
    /// the tail's end; where it does not hold yet (the linearization's error, or no basis placed the
    /// end), RODAS4 goes on from the state reached. The tail's products with B count as gradient
    /// evaluations, as they cost about one each.
    private static func rosenbrock(_ logits: LogitFlow, tail: LinearTail, from z0: [Double],
                                   options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        let displaced = DisplacedFrame(logits, origin: logits.system.targets)
        let start = displaced.displacement(z0)
        let limits = displacedLimits(options)
        let initial = displaced.evaluate(at: start, time: 0)
        let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
        var solution = Rosenbrock.integrate(displaced, from: start, curvature: displaced.curvature(at: start, time: 0),
                                            initial: initial, event: rule, limits: limits,
                                            handOff: tail.accepts)
        guard solution.outcome == .handedOff else { return (displaced.point(solution.state), rule.statistics(solution)) }
        if let end = tail.finish(from: solution.state, rule: rule) {
            let evaluation = displaced.evaluate(at: end.displacement, time: 0)
            solution.evaluations += end.products + 1
            solution.state = end.displacement
            solution.last = evaluation
            solution.flowTime += end.offset
            if rule.holds(evaluation) {
                solution.outcome = .terminalEvent
                return (displaced.point(solution.state), rule.statistics(solution))
            }
        }
        var rest = limits
        rest.steps -= solution.acceptedSteps + solution.rejectedSteps
        guard rest.steps > 0 else {
            solution.outcome = .stepLimit
            return (displaced.point(solution.state), rule.statistics(solution))
        }
        let more = Rosenbrock.integrate(displaced, from: solution.state,
                                        curvature: displaced.curvature(at: solution.state, time: 0),
                                        initial: solution.last, event: rule, limits: rest)
        solution.state = more.state
        solution.last = more.last
        solution.outcome = more.outcome
        solution.flowTime += more.flowTime
        solution.acceptedSteps += more.acceptedSteps
        solution.rejectedSteps += more.rejectedSteps
        solution.evaluations += more.evaluations - 1
        solution.jacobianEvaluations += more.jacobianEvaluations
        return (displaced.point(solution.state), rule.statistics(solution))
    }

    /// The flow in `frame`, measured from `limit` (`DisplacedFrame`, at `displacedLimits`) when
    /// the frame knows it and there is no time limit, else from the origin.
    private static func rosenbrock<Frame: FlowFrame>(frame: Frame, limit: [Double]?, from start: [Double],
                                                     options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        guard options.timeLimit.isInfinite, let limit else { return rosenbrock(frame: frame, from: start, options: options) }
        let displaced = DisplacedFrame(frame, origin: limit)
        let (y, statistics) = rosenbrock(frame: displaced, from: displaced.displacement(start),
                                         limits: displacedLimits(options), options: options)
        return (displaced.point(y), statistics)
    }

    /// The flow in `frame` at `limits` (nil: `rosenbrockLimits`).
    static func rosenbrock<Frame: FlowFrame>(frame: Frame, from start: [Double], limits: IntegrationLimits? = nil,
                                             options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        let curvature = frame.curvature(at: start, time: 0)
        let limits = limits ?? rosenbrockLimits(options)
        if let t0 = logClockStart(initialTrace: frame.trace(curvature), logitTravel: frame.logitTravel) {
            return rosenbrock(problem: LogClock(frame, t0: t0), from: start, curvature: curvature, limits: limits,
                              options: options)
        }
        return rosenbrock(problem: frame, from: start, curvature: curvature, limits: limits, options: options)
    }

    private static func rosenbrock<P: LinearlyImplicitProblem>(problem: P, from start: [Double], curvature: P.Curvature,
                                                              limits: IntegrationLimits,
                                                              options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        let initial = problem.evaluate(at: start, time: 0)
        let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
        let solution = Rosenbrock.integrate(problem, from: start, curvature: curvature, initial: initial,
                                            event: rule, limits: limits)
        return (solution.state, rule.statistics(solution))
    }

    // MARK: Dormand–Prince

    /// At the stability limit a stiff mode is neither damped nor amplified, and stays at about
    /// the size the error control allows, so the local tolerance is kept a hundred times below
    /// the stopping tolerances (never below 1e-15).
    static func dormandPrinceLimits(_ options: SolverOptions) -> IntegrationLimits {
        var tol = options.integrationTolerance
        let stopping = min(options.gradientTolerance, options.fitTolerance)
        if stopping > 0 { tol = min(tol, 0.01 * stopping) }
        return IntegrationLimits(tolerance: max(tol, 1e-15), flowTime: options.timeLimit, steps: options.maxSteps)
    }

    static func dormandPrince<S: GradientSystem>(_ system: S, from start: [Double],
                                                 options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        explicitFlow(system, from: start, options: options) {
            DormandPrince<S>.integrate($0, from: $1, initial: $2, event: $3, limits: $4)
        }
    }

    /// An explicit method's flow under the stopping rule at `dormandPrinceLimits`.
    private static func explicitFlow<S: GradientSystem>(
        _ system: S, from start: [Double], options: SolverOptions,
        _ integrate: (S, [Double], FlowEvaluation, ConvergenceRule, IntegrationLimits) -> ODESolution
    ) -> (state: [Double], statistics: SolverStatistics) {
        let initial = system.evaluate(at: start, time: 0)
        let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
        let solution = integrate(system, start, initial, rule, dormandPrinceLimits(options))
        return (solution.state, rule.statistics(solution))
    }

    // MARK: DOP853

    /// The deep flow by DOP853 (8th order) at Dormand–Prince's local tolerance (1 % of the
    /// stopping tolerances): explicit too, so at the stability limit a stiff mode is held only by
    /// the error control, as for Dormand–Prince; at 10 % the flow time at the stopping rule moved
    /// far more than Dormand–Prince's, and at 100 % a flow missed the stopping rule (bench/README.md).
    static func dop853<S: GradientSystem>(_ system: S, from start: [Double],
                                          options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        explicitFlow(system, from: start, options: options) {
            DOP853<S>.integrate($0, from: $1, initial: $2, event: $3, limits: $4)
        }
    }

    // MARK: CVODE

    /// In e on the clock RODAS4 would use. The local tolerance is Dormand–Prince's (at most 1 % of
    /// the stopping tolerances): BDF's global error exceeds its local tolerance, and at RODAS4's
    /// the flow time at convergence is visibly off (`FlowCVODETests`). A
    /// SUNDIALS step failure is `integratorFailed` where the run was; one in setting CVODE up, at
    /// the start state.
    static func cvode(_ system: ReducedSystem, from start: [Double],
                      options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        let hessian = system.hessian(at: start)
        if let t0 = logClockStart(initialTrace: system.trace(hessian), logitTravel: system.logitTravel) {
            return cvode(problem: LogClock(system, t0: t0), from: start, options: options)
        }
        return cvode(problem: system, from: start, options: options)
    }

    private static func cvode<P: DenseJacobianProblem>(problem: P, from start: [Double],
                                                       options: SolverOptions) -> (state: [Double], statistics: SolverStatistics) {
        runCVODE(problem, options: options, from: start) { initial, rule throws(CVODEError) in
            try CVODE.integrate(problem, from: start, initial: initial, event: rule, limits: dormandPrinceLimits(options))
        }
    }

    /// GMRES dimension of the matrix-free CVODE flow (SPGMR's default).
    static let krylovDimension = 5

    /// CVODE with matrix-free GMRES on the problem's analytic products J v (`analytic` false: on
    /// CVODE's difference quotient of F), at Dormand–Prince's local tolerance like the dense CVODE.
    static func cvodeMatrixFree<P: JacobianVectorProblem>(
        problem: P, analytic: Bool = true, from start: [Double], options: SolverOptions, vectorKernels: Bool = true
    ) -> (state: [Double], statistics: SolverStatistics) {
        runCVODE(problem, options: options, from: start) { initial, rule throws(CVODEError) in
            try CVODE.integrateMatrixFree(problem, analytic: analytic, krylovDimension: krylovDimension, from: start,
                                          initial: initial, event: rule, limits: dormandPrinceLimits(options),
                                          vectorKernels: vectorKernels)
        }
    }

    /// One CVODE run under the stopping rule; a failure to set CVODE up is `integratorFailed` at
    /// the start state.
    private static func runCVODE<P: ODEProblem>(
        _ problem: P, options: SolverOptions, from start: [Double],
        _ run: (FlowEvaluation, ConvergenceRule) throws(CVODEError) -> ODESolution
    ) -> (state: [Double], statistics: SolverStatistics) {
        let initial = problem.evaluate(at: start, time: 0)
        let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
        do {
            let solution = try run(initial, rule)
            return (solution.state, rule.statistics(solution))
        } catch {
            return (start, SolverStatistics(flowTime: 0, acceptedSteps: 0, rejectedSteps: 0, gradientEvaluations: 1,
                                            relativeGradientNorm: rule.relativeGradient(norm: initial.gradientNorm),
                                            relativeFitGap: initial.fitGap, stopReason: .integratorFailed))
        }
    }
}
