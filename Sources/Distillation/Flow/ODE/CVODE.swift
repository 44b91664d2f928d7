internal import CSUNDIALS
import LinearAlgebra

/// A problem y' = F(τ, y) with its Jacobian ∂F/∂y as a dense matrix.
protocol DenseJacobianProblem: ODEProblem {
    func jacobian(at y: [Double], time tau: Double) -> Matrix
}

/// A problem y' = F(τ, y) with the products (∂F/∂y) v, for a matrix-free (Krylov) linear solver.
protocol JacobianVectorProblem: ODEProblem {
    func jacobianTimes(_ v: [Double], at y: [Double], time tau: Double) -> [Double]
}

extension LogClock: JacobianVectorProblem where Base: JacobianVectorProblem {
    /// ∂/∂y (t0 e^τ f) v = t0 e^τ (∂f/∂y) v.
    func jacobianTimes(_ v: [Double], at y: [Double], time tau: Double) -> [Double] {
        let s = rate(tau)
        return base.jacobianTimes(v, at: y, time: flowTime(tau)).map { $0 * s }
    }
}

extension LogClock: DenseJacobianProblem where Base: DenseJacobianProblem {
    /// ∂/∂y (t0 e^τ f) = t0 e^τ ∂f/∂y.
    func jacobian(at y: [Double], time tau: Double) -> Matrix {
        var matrix = base.jacobian(at: y, time: flowTime(tau))
        let s = rate(tau)
        for i in matrix.elements.indices { matrix.elements[i] *= s }
        return matrix
    }
}

/// A SUNDIALS call that failed: the function and its status (nil: it returned no object).
struct CVODEError: Error, CustomStringConvertible, Hashable {
    let call: String
    let status: Int32?

    var description: String {
        status.map { "\(call) failed with status \($0)" } ?? "\(call) returned no object"
    }
}

/// What a SUNDIALS function returns: a status (negative on failure) or an object (nil on failure).
protocol SUNDIALSResult {
    var failureStatus: Int32?? { get }
}

extension Int32: SUNDIALSResult {
    var failureStatus: Int32?? { self < 0 ? .some(self) : .none }
}

extension Optional: SUNDIALSResult {
    var failureStatus: Int32?? { self == nil ? .some(nil) : .none }
}

/// Every SUNDIALS call goes through here: it throws `CVODEError` naming the call on failure.
@discardableResult
func sundials<R: SUNDIALSResult>(_ call: String, _ result: R) throws(CVODEError) -> R {
    if let status = result.failureStatus { throw CVODEError(call: call, status: status) }
    return result
}

/// SUNDIALS CVODE as a third-party integrator: variable-order BDF whose Newton systems
/// (I − γJ) x = b are solved either directly (SUNDenseMatrix, SUNLinSol_Dense, the problem's
/// analytic Jacobian) or matrix-free by GMRES (SUNLinSol_SPGMR, unpreconditioned, on the problem's
/// products J v or CVODE's difference quotient of F): then a step costs a few products instead
/// of a dense Jacobian and its LU, which is what a large state such as a deep student's layers needs.
///
/// CVODE controls its own steps (one step per `CVode` call in CV_ONE_STEP mode); the terminal
/// event is the shared `TerminalEvent.locate`, bisecting the last step on CVODE's interpolant
/// (`CVodeGetDky`), so its flow time means what RODAS4's and Dormand–Prince's do. Its error
/// weights are `ErrorNorm`'s scale (`errorWeights`).
enum CVODE {
    /// Right-hand side and Jacobian for the C callbacks, and their counts.
    private final class Callbacks {
        let dimension: Int
        let field: ([Double], Double) -> [Double]
        let jacobian: (([Double], Double) -> Matrix)?
        let jacobianTimes: (([Double], [Double], Double) -> [Double])?
        var fieldEvaluations = 0
        /// Dense Jacobians, or (Krylov) analytic products J v.
        var jacobianEvaluations = 0
        /// Local tolerance, and the state scale used before the state has one.
        var tolerance = 0.0
        var floor = 0.0

        init(dimension: Int, field: @escaping ([Double], Double) -> [Double],
             jacobian: (([Double], Double) -> Matrix)?,
             jacobianTimes: (([Double], [Double], Double) -> [Double])?) {
            self.dimension = dimension
            self.field = field
            self.jacobian = jacobian
            self.jacobianTimes = jacobianTimes
        }
    }

    /// How the Newton systems are solved.
    enum LinearSolver {
        /// Dense LU of I − γJ with the problem's Jacobian.
        case dense
        /// GMRES (SPGMR) with at most `krylovDimension` basis vectors per solve, on the problem's
        /// products J v (`analytic`) or CVODE's difference quotient of F.
        case krylov(analytic: Bool, krylovDimension: Int)
    }

    private static func callbacks(_ data: UnsafeMutableRawPointer?) -> Callbacks {
        Unmanaged<Callbacks>.fromOpaque(data!).takeUnretainedValue()
    }

    private static func values(_ vector: N_Vector?, count: Int) -> [Double] {
        Array(UnsafeBufferPointer(start: N_VGetArrayPointer(vector), count: count))
    }

    private static let rightHandSide: CVRhsFn = { tau, y, ydot, data in
        let box = CVODE.callbacks(data)
        let f = box.field(CVODE.values(y, count: box.dimension), tau)
        box.fieldEvaluations += 1
        guard isAllFinite(f) else { return 1 }  // recoverable: CVODE retries with a smaller step
        let out = N_VGetArrayPointer(ydot)!
        for i in 0..<box.dimension { out[i] = f[i] }
        return 0
    }

    private static let denseJacobian: CVLsJacFn = { tau, y, _, matrix, data, _, _, _ in
        let box = CVODE.callbacks(data)
        let j = box.jacobian!(CVODE.values(y, count: box.dimension), tau)
        box.jacobianEvaluations += 1
        // SUNDenseMatrix stores column-major, as Matrix does.
        let out = SUNDenseMatrix_Data(matrix)!
        let n = box.dimension
        for column in 0..<n { for row in 0..<n { out[row + column * n] = j[row, column] } }
        return 0
    }

    private static let jacobianTimesVector: CVLsJacTimesVecFn = { v, jv, tau, y, _, data, _ in
        let box = CVODE.callbacks(data)
        let n = box.dimension
        let product = box.jacobianTimes!(CVODE.values(v, count: n), CVODE.values(y, count: n), tau)
        box.jacobianEvaluations += 1
        guard isAllFinite(product) else { return 1 }
        let out = N_VGetArrayPointer(jv)!
        for i in 0..<n { out[i] = product[i] }
        return 0
    }

    /// Error weights 1/(tol · max(the state's largest entry, |y_i|)), `ErrorNorm`'s scale at the
    /// step's start.
    private static let errorWeights: CVEwtFn = { y, weights, data in
        let box = CVODE.callbacks(data)
        let state = N_VGetArrayPointer(y)!, out = N_VGetArrayPointer(weights)!
        var largest = box.floor
        for i in 0..<box.dimension { largest = max(largest, abs(state[i])) }
        for i in 0..<box.dimension { out[i] = 1 / (box.tolerance * max(largest, abs(state[i]))) }
        return 0
    }

    /// The flow of `problem` from `start` (τ = 0) until `event` holds or a limit is reached.
    /// A failed step ends the run with `.failure`; CV_TOO_MUCH_WORK is the step limit. Throws when
    /// setting CVODE up fails.
    static func integrate<P: DenseJacobianProblem, Event: TerminalEvent>(
        _ problem: P, from start: [Double], initial: FlowEvaluation, event: Event, limits: IntegrationLimits,
        vectorKernels: Bool = true
    ) throws(CVODEError) -> ODESolution {
        try integrate(problem, linearSolver: .dense, jacobian: { problem.jacobian(at: $0, time: $1) },
                      jacobianTimes: nil, from: start, initial: initial, event: event, limits: limits,
                      vectorKernels: vectorKernels)
    }

    /// The same with GMRES on the problem's products J v (`analytic`) or on CVODE's difference
    /// quotient of F.
    static func integrateMatrixFree<P: JacobianVectorProblem, Event: TerminalEvent>(
        _ problem: P, analytic: Bool = true, krylovDimension: Int = 5, from start: [Double],
        initial: FlowEvaluation, event: Event, limits: IntegrationLimits, vectorKernels: Bool = true
    ) throws(CVODEError) -> ODESolution {
        precondition(krylovDimension >= 1, "CVODE: Krylov dimension \(krylovDimension) < 1")
        return try integrate(problem, linearSolver: .krylov(analytic: analytic, krylovDimension: krylovDimension),
                             jacobian: nil,
                             jacobianTimes: analytic ? { problem.jacobianTimes($0, at: $1, time: $2) } : nil,
                             from: start, initial: initial, event: event, limits: limits, vectorKernels: vectorKernels)
    }

    private static func integrate<P: ODEProblem, Event: TerminalEvent>(
        _ problem: P, linearSolver: LinearSolver, jacobian: (([Double], Double) -> Matrix)?,
        jacobianTimes: (([Double], [Double], Double) -> [Double])?,
        from start: [Double], initial: FlowEvaluation, event: Event, limits: IntegrationLimits, vectorKernels: Bool
    ) throws(CVODEError) -> ODESolution {
        let n = problem.dimension
        precondition(start.count == n, "flow: start has \(start.count) entries, expected \(n)")
        precondition(problem.hasIdentityMass, "CVODE integrates y' = F only (M = I)")
        var solution = ODESolution(state: start, flowTime: 0, last: initial, outcome: .terminalEvent)
        if event.holds(initial) || n == 0 { return solution }

        let box = Callbacks(dimension: n, field: { problem.field(at: $0, time: $1) },
                            jacobian: jacobian, jacobianTimes: jacobianTimes)
        var context: SUNContext? = nil
        try sundials("SUNContext_Create", SUNContext_Create(nil, &context))
        defer { SUNContext_Free(&context) }
        let y = try sundials("N_VNew_Serial", N_VNew_Serial(sunindextype(n), context))
        defer { N_VDestroy(y) }
        if vectorKernels { try SerialVectorKernels.install(on: y!) }
        let interpolated = try sundials("N_VNew_Serial", N_VNew_Serial(sunindextype(n), context))
        defer { N_VDestroy(interpolated) }
        let data = N_VGetArrayPointer(y)!
        for i in 0..<n { data[i] = start[i] }
        guard let memory = try sundials("CVodeCreate", CVodeCreate(CV_BDF, context)) else { preconditionFailure() }
        defer { var pointer: UnsafeMutableRawPointer? = memory; CVodeFree(&pointer) }
        var matrix: SUNMatrix? = nil
        let solver: SUNLinearSolver?
        switch linearSolver {
        case .dense:
            matrix = try sundials("SUNDenseMatrix", SUNDenseMatrix(sunindextype(n), sunindextype(n), context))
            solver = try sundials("SUNLinSol_Dense", SUNLinSol_Dense(y, matrix, context))
        case .krylov(_, let dimension):
            solver = try sundials("SUNLinSol_SPGMR",
                                  SUNLinSol_SPGMR(y, Int32(SUN_PREC_NONE), Int32(dimension), context))
        }
        defer {
            SUNLinSolFree(solver)
            if let matrix { SUNMatDestroy(matrix) }
        }

        let tauLimit = problem.integrationTime(limits.flowTime)
        box.tolerance = limits.tolerance
        // Before the state has a scale (a zero start), the field's over unit time stands in.
        box.floor = max(ErrorNorm.largest(initial.field), Double.leastNormalMagnitude)

        return try withExtendedLifetime(box) { () throws(CVODEError) -> ODESolution in
            let user = Unmanaged.passUnretained(box).toOpaque()
            try sundials("CVodeInit", CVodeInit(memory, rightHandSide, 0, y))
            try sundials("CVodeSetUserData", CVodeSetUserData(memory, user))
            try sundials("CVodeWFtolerances", CVodeWFtolerances(memory, errorWeights))
            try sundials("CVodeSetLinearSolver", CVodeSetLinearSolver(memory, solver, matrix))
            switch linearSolver {
            case .dense: try sundials("CVodeSetJacFn", CVodeSetJacFn(memory, denseJacobian))
            case .krylov(let analytic, _):
                if analytic { try sundials("CVodeSetJacTimes", CVodeSetJacTimes(memory, nil, jacobianTimesVector)) }
            }
            try sundials("CVodeSetMaxNumSteps", CVodeSetMaxNumSteps(memory, CLong(limits.steps)))
            try sundials("CVodeSetMaxHnilWarns", CVodeSetMaxHnilWarns(memory, -1))
            try sundials("CVodeSetErrHandlerFn", CVodeSetErrHandlerFn(memory, { _, _, _, _, _ in }, nil))
            if tauLimit.isFinite { try sundials("CVodeSetStopTime", CVodeSetStopTime(memory, tauLimit)) }
            let tout = tauLimit.isFinite ? tauLimit : 1e10

            var evaluations = 1
            func finish(_ outcome: ODEOutcome, at tau: Double, state: [Double], last: FlowEvaluation) throws(CVODEError) -> ODESolution {
                var steps: CLong = 0, errorFailures: CLong = 0, convergenceFailures: CLong = 0
                try sundials("CVodeGetNumSteps", CVodeGetNumSteps(memory, &steps))
                try sundials("CVodeGetNumErrTestFails", CVodeGetNumErrTestFails(memory, &errorFailures))
                try sundials("CVodeGetNumNonlinSolvConvFails", CVodeGetNumNonlinSolvConvFails(memory, &convergenceFailures))
                solution.state = state
                solution.flowTime = problem.flowTime(tau)
                solution.last = last
                solution.outcome = outcome
                solution.acceptedSteps = steps
                solution.rejectedSteps = errorFailures + convergenceFailures
                solution.evaluations = evaluations + box.fieldEvaluations
                solution.jacobianEvaluations = box.jacobianEvaluations
                return solution
            }

            var tau = 0.0
            var state = start
            var current = initial
            while true {
                var reached = 0.0
                let flag = CVode(memory, tout, y, &reached, CV_ONE_STEP)
                if flag == CV_TOO_MUCH_WORK { return try finish(.stepLimit, at: tau, state: state, last: current) }
                do throws(CVODEError) {
                    try sundials("CVode", flag)
                } catch {
                    // The step failed (error test or Newton iteration at the smallest step):
                    // the run ends where it was, and says why.
                    return try finish(.failure(error), at: tau, state: state, last: current)
                }
                tau = reached
                state = values(y, count: n)
                current = problem.evaluate(at: state, time: tau)
                evaluations += 1
                if event.holds(current) {
                    var last = 0.0
                    try sundials("CVodeGetLastStep", CVodeGetLastStep(memory, &last))
                    let begin = tau - last
                    let located = event.locate(
                        step: last, end: EventTrial(state: state, evaluation: current, evaluations: 0),
                        tolerance: { problem.eventTolerance(step: $0) },
                        trial: { offset in
                            guard CVodeGetDky(memory, begin + offset, 0, interpolated) == CV_SUCCESS else { return nil }
                            let point = values(interpolated, count: n)
                            return EventTrial(state: point, evaluation: problem.evaluate(at: point, time: begin + offset),
                                              evaluations: 1)
                        })
                    evaluations += located.at.evaluations
                    return try finish(.terminalEvent, at: begin + located.offset, state: located.at.state,
                                      last: located.at.evaluation)
                }
                if flag == CV_TSTOP_RETURN || tau >= tauLimit {
                    return try finish(.timeLimit, at: tauLimit, state: state, last: current)
                }
                var steps: CLong = 0, errorFailures: CLong = 0, convergenceFailures: CLong = 0
                try sundials("CVodeGetNumSteps", CVodeGetNumSteps(memory, &steps))
                try sundials("CVodeGetNumErrTestFails", CVodeGetNumErrTestFails(memory, &errorFailures))
                try sundials("CVodeGetNumNonlinSolvConvFails", CVodeGetNumNonlinSolvConvFails(memory, &convergenceFailures))
                if steps + errorFailures + convergenceFailures >= limits.steps {
                    return try finish(.stepLimit, at: tau, state: state, last: current)
                }
            }
        }
    }
}
