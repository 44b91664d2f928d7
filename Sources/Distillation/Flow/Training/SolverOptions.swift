/// How a student is trained. All four keep the iterates in w(0) + span(X) and so reach the
/// same limit (docs/THEORY.md §2); `flow` is the one the theory is about.
public enum SolverKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The gradient flow, integrated by the adaptive method of `SolverOptions.integrator`
    /// (Rosenbrock RODAS4 by default, DOP853 for deep students' layers; Dormand–Prince 5(4) or
    /// CVODE on request).
    case flow
    /// Gradient descent: explicit Euler with a fixed step.
    case gd
    /// Damped Newton in the span.
    case newton
    /// The closed form P w* + (I − P) w(0).
    case closed
}

/// The adaptive integrator of the gradient flow (`solver.integrator` in an experiment file, by
/// its raw value).
public enum FlowIntegrator: String, Sendable, Hashable, CaseIterable, Codable {
    /// Linearly implicit Rosenbrock RODAS4 (L-stable, order 4(3)), one Cholesky factorization of
    /// I/(γh) + ∇²L per step: the step is set by accuracy, not by stiffness.
    case rosenbrock
    /// Explicit Dormand–Prince 5(4): stability-limited on stiff problems (h ≲ 3.3/λ_max).
    case dormandPrince = "dormand-prince"
    /// SUNDIALS CVODE: variable-order BDF (orders 1–5) with a dense direct linear solver and the
    /// analytic Jacobian −∇²L, always in the reduced coordinates e (CVODE has no mass matrix, so
    /// not in the logits frame). Deep linear students: BDF with matrix-free GMRES on analytic
    /// Jacobian-vector products of their layers' flow.
    ///
    /// Deep linear students have no Rosenbrock flow: under `rosenbrock` (the project's choice)
    /// their layers run DOP853 (Dormand–Prince 8(5,3)), under `dormand-prince` Dormand–Prince 5(4).
    case cvode
}

/// Tolerances and limits of the iterative solvers.
public struct SolverOptions: Sendable, Hashable {
    /// Stop when ‖∇L‖ ≤ gradientTolerance · ‖∇L(w(0))‖ …
    public var gradientTolerance: Double
    /// … and max_i |z_i − m_i| ≤ fitTolerance · max_i |m_i − z_i(0)| (soft labels only).
    ///
    /// The gradient alone is no test of convergence for large teacher norms: the residual
    /// σ(z) − σ(m) is ~e^{−|m|} times the logit gap, so it falls below any relative tolerance long
    /// before z reaches m. The logit gap is the scale-free measure of the fit.
    public var fitTolerance: Double
    /// Largest flow time (flow, gd). Reaching it is reported, not hidden.
    public var timeLimit: Double
    /// Largest number of steps or iterations (accepted + rejected for the flow).
    public var maxSteps: Int
    /// Local error tolerance of the flow's steps (relative to the state's scale). Dormand–Prince,
    /// DOP853 and CVODE use min(this, 0.01 × stopping tolerances) for stability; Rosenbrock uses it as
    /// given, so a looser value reaches the same limit in far fewer steps but then the flow time
    /// at convergence is not accurate (see `Rosenbrock`). Not used where `limitTolerance` is.
    public var integrationTolerance: Double
    /// Local error tolerance of Rosenbrock relative to the distance still to go to the flow's
    /// limit, used instead of `integrationTolerance` where that limit is known in advance (the
    /// linear student with soft labels on k = p independent points, run without a time limit;
    /// see `DisplacedFrame`). The default 1e-4 keeps the flow time at the stopping rule within
    /// 1e-3 relative of a tight reference (`FlowTimeToleranceTests`).
    public var limitTolerance: Double
    /// Gradient-descent step; nil means 1/L with L = λ_max((1/n) R Rᵀ)/4, which is stable.
    public var descentStep: Double?
    /// The integrator of the flow (deep linear students: DOP853 by default, Dormand–Prince 5(4)
    /// under `dormand-prince`, CVODE with GMRES under `cvode`; see `FlowIntegrator`).
    public var integrator: FlowIntegrator

    public init(gradientTolerance: Double = 1e-10, fitTolerance: Double = 1e-10,
                timeLimit: Double = .infinity, maxSteps: Int = 1_000_000,
                integrationTolerance: Double = 1e-10, descentStep: Double? = nil,
                integrator: FlowIntegrator = .rosenbrock,
                limitTolerance: Double = SolverOptions.defaultLimitTolerance) throws(ParameterError) {
        try requireParameter(gradientTolerance >= 0 && gradientTolerance.isFinite,
                                   "gradientTolerance", gradientTolerance, expected: "must be a finite number ≥ 0, e.g. 1e-10")
        try requireParameter(fitTolerance >= 0 && fitTolerance.isFinite,
                                   "fitTolerance", fitTolerance, expected: "must be a finite number ≥ 0, e.g. 1e-10")
        try requireParameter(timeLimit > 0, "timeLimit", timeLimit, expected: "must be a flow time > 0 (or infinity)")
        try requireParameter(maxSteps >= 1, "maxSteps", maxSteps, expected: "must be an integer ≥ 1")
        try requireParameter(integrationTolerance > 0 && integrationTolerance < 1,
                                   "integrationTolerance", integrationTolerance, expected: "must be a number in (0, 1), e.g. 1e-10")
        try requireParameter(limitTolerance > 0 && limitTolerance < 1,
                             "limitTolerance", limitTolerance, expected: "must be a number in (0, 1), e.g. 1e-4")
        if let step = descentStep {
            try requireParameter(step > 0 && step.isFinite, "descentStep", step,
                                       expected: "must be a finite step > 0, or nil for the safe default")
        }
        self.gradientTolerance = gradientTolerance
        self.fitTolerance = fitTolerance
        self.timeLimit = timeLimit
        self.maxSteps = maxSteps
        self.integrationTolerance = integrationTolerance
        self.descentStep = descentStep
        self.integrator = integrator
        self.limitTolerance = limitTolerance
    }

    public static let defaultLimitTolerance = 1e-4

    /// The defaults above.
    public static let standard: SolverOptions = try! SolverOptions()
}

/// Why a solver stopped.
public enum SolverStopReason: String, Sendable, Hashable, Codable {
    /// The stopping rule of `SolverOptions` holds.
    case converged
    /// The flow time reached `timeLimit`.
    case timeLimit
    /// `maxSteps` steps or iterations were taken.
    case stepLimit
    /// The step size fell below the rounding level of the flow time (extreme stiffness).
    case stepSizeUnderflow
    /// Newton's line search found no decrease of the loss nor of the gradient.
    case lineSearchFailed
    /// A NaN or infinity appeared in the state (never expected; reported if it happens).
    case nonFinite
    /// The third-party integrator (CVODE) reported an error it could not recover from.
    case integratorFailed
    /// No iteration: the closed form.
    case closedForm
}

/// What a solver did. The flow's time is a measured quantity (how fast the student learns).
public struct SolverStatistics: Sendable, Hashable {
    /// Flow time reached (flow; gd: steps × step); nil for newton and closed.
    public var flowTime: Double?
    public var acceptedSteps: Int
    public var rejectedSteps: Int
    public var gradientEvaluations: Int
    /// Hessian (Jacobian) evaluations: Rosenbrock flow and Newton; 0 for the others.
    public var jacobianEvaluations: Int
    /// ‖∇L‖ / ‖∇L(w(0))‖ at the end (0 when the initial gradient is 0).
    public var relativeGradientNorm: Double
    /// max |z − m| / max |m − z(0)| at the end (soft labels; nil for hard labels).
    public var relativeFitGap: Double?
    public var converged: Bool
    public var stopReason: SolverStopReason

    /// Converged exactly when the reason is `.converged`.
    init(flowTime: Double?, acceptedSteps: Int, rejectedSteps: Int, gradientEvaluations: Int,
         relativeGradientNorm: Double, relativeFitGap: Double?, stopReason: SolverStopReason,
         jacobianEvaluations: Int = 0) {
        self.init(flowTime: flowTime, acceptedSteps: acceptedSteps, rejectedSteps: rejectedSteps,
                  gradientEvaluations: gradientEvaluations, relativeGradientNorm: relativeGradientNorm,
                  relativeFitGap: relativeFitGap, converged: stopReason == .converged, stopReason: stopReason,
                  jacobianEvaluations: jacobianEvaluations)
    }

    public init(flowTime: Double?, acceptedSteps: Int, rejectedSteps: Int, gradientEvaluations: Int,
                relativeGradientNorm: Double, relativeFitGap: Double?, converged: Bool,
                stopReason: SolverStopReason, jacobianEvaluations: Int = 0) {
        self.flowTime = flowTime
        self.acceptedSteps = acceptedSteps
        self.rejectedSteps = rejectedSteps
        self.gradientEvaluations = gradientEvaluations
        self.jacobianEvaluations = jacobianEvaluations
        self.relativeGradientNorm = relativeGradientNorm
        self.relativeFitGap = relativeFitGap
        self.converged = converged
        self.stopReason = stopReason
    }
}
