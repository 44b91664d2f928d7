import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// The deep linear flow by CVODE's BDF with matrix-free GMRES (`integrator: cvode`) against
/// Dormand–Prince on the same draws: its Jacobian-vector products, the limit, the flow time, the
/// trajectory, a coarse control that must be told apart, and L2 at d = 10^5. (Balanced starts run
/// in their chain coordinates, so their cases compare the chain's dense CVODE with its
/// Dormand–Prince; `DeepLinearBalancedChainTests` compares the chain with the layers.)
@Suite struct DeepLinearFlowCVODETests {
    static func options(_ integrator: FlowIntegrator, tolerance: Double = 1e-10, integrationTolerance: Double = 1e-10,
                        timeLimit: Double = .infinity) throws -> SolverOptions {
        try SolverOptions(gradientTolerance: tolerance, fitTolerance: tolerance, timeLimit: timeLimit,
                          maxSteps: 200_000, integrationTolerance: integrationTolerance, integrator: integrator)
    }

    static func stream(_ seed: UInt64, trial: UInt64 = 0, _ id: StreamID = .studentInit) -> RandomStream {
        RandomStream(seed: seed, trial: trial, stream: id, index: 0)
    }

    /// A deep system (depth 3, widths 3 and 2) on random reduced points, and a state and direction.
    static func system() -> (system: DeepSystem, theta: [Double], v: [Double], w: [Double]) {
        var random = Self.stream(81)
        let p = 4, k = 6
        let reduced = ReducedSystem(p: p, k: k, s: random.normals(count: p * k),
                                    initialLogits: [Double](repeating: 0, count: k),
                                    targets: random.normals(count: k).map { 2 * $0 })
        let deep = DeepSystem(shapes: DeepShapes(reducedDimension: p, hiddenWidths: [3, 2]), reduced: reduced)
        let n = deep.dimension
        return (deep, random.normals(count: n).map { 0.7 * $0 }, random.normals(count: n), random.normals(count: n))
    }

    /// (F(θ + εv) − F(θ − εv)) / 2ε.
    static func differenceQuotient(_ system: DeepSystem, at theta: [Double], along v: [Double]) -> [Double] {
        let epsilon = 1e-5
        let plus = system.field(at: zip(theta, v).map { $0 + epsilon * $1 }, time: 0)
        let minus = system.field(at: zip(theta, v).map { $0 - epsilon * $1 }, time: 0)
        return zip(plus, minus).map { ($0 - $1) / (2 * epsilon) }
    }

    /// The analytic product equals the central difference quotient of the field to 1e-7 relative
    /// (its error is O(ε²) ≈ 1e-10 here); the control, the product along another direction,
    /// is far outside that bound.
    @Test func jacobianTimesIsTheDirectionalDerivativeOfTheField() {
        let (system, theta, v, w) = Self.system()
        let quotient = Self.differenceQuotient(system, at: theta, along: v)
        let product = system.jacobianTimes(v, at: theta, time: 0)
        #expect(norm2(quotient) > 1e-2, "the field varies along v")
        let error = StudentFixtures.relativeDifference(product, quotient)
        #expect(error < 1e-7, "J v vs difference quotient: relative \(error)")
        let other = StudentFixtures.relativeDifference(system.jacobianTimes(w, at: theta, time: 0), quotient)
        #expect(other > 1e-2, "control: J w within \(other) of the quotient along v")
    }

    /// CVODE's own difference quotient of F in place of the analytic products reaches the same
    /// state at flow time 5: both follow the same flow, and only the analytic route calls
    /// `jacobianTimes`. (The random targets of `system()` cannot be fitted by k = 6 points in
    /// p = 4 dimensions, so the run is stopped by a time limit.)
    @Test func differenceQuotientProductsReachTheSameState() throws {
        let (system, theta, _, _) = Self.system()
        let options = try Self.options(.cvode, timeLimit: 5)
        let analytic = GradientFlow.cvodeMatrixFree(problem: system, analytic: true, from: theta, options: options)
        let quotient = GradientFlow.cvodeMatrixFree(problem: system, analytic: false, from: theta, options: options)
        #expect(analytic.statistics.stopReason == .timeLimit && quotient.statistics.stopReason == .timeLimit,
                "\(analytic.statistics) | \(quotient.statistics)")
        #expect(analytic.statistics.jacobianEvaluations > 0 && quotient.statistics.jacobianEvaluations == 0)
        let gap = StudentFixtures.relativeDifference(quotient.state, analytic.state)
        #expect(gap < 1e-6, "final states differ by \(gap)")
        #expect(StudentFixtures.relativeDifference(analytic.state, theta) > 1e-2, "the flow moved")
    }

    /// A small ambient draw (d = 12, n = 6, ‖w*‖ = 1), depth 3, widths 5 and 4.
    static func solve(_ integrator: FlowIntegrator, balanced: Bool, tolerance: Double = 1e-10,
                      integrationTolerance: Double = 1e-10, timeLimit: Double = .infinity) throws -> DeepLinearStudent {
        let problem = try StudentFixtures.problem(n: 6, d: 12, norm: 1, seed: 404)
        return try problem.solveDeep(prefix: 6, architecture: DeepLinearArchitecture(hiddenWidths: [5, 4]),
                                     initialization: balanced ? .balancedInSpan(scale: 0.05) : .random(scale: 0.3),
                                     stream: Self.stream(82),
                                     options: Self.options(integrator, tolerance: tolerance,
                                                           integrationTolerance: integrationTolerance, timeLimit: timeLimit))
    }

    static func flat(_ student: DeepLinearStudent) -> [Double] { student.layers.flatMap(\.elements) }

    /// Limit and flow time: both converge to the same end-to-end vector (P w*) and, from a random
    /// start, the same surviving off-span norm (it depends on the whole trajectory); the flow times
    /// at which the stopping rule first holds agree to 0.5 % (each locates it to 0.1 % of a step).
    @Test(arguments: [false, true])
    func limitAndFlowTimeAgreeWithDormandPrince(balanced: Bool) throws {
        let a = try Self.solve(.dormandPrince, balanced: balanced)
        let b = try Self.solve(.cvode, balanced: balanced)
        #expect(a.statistics.converged && b.statistics.converged, "\(a.statistics) | \(b.statistics)")
        #expect(b.statistics.jacobianEvaluations > 0, "CVODE used the analytic products")
        let limit = StudentFixtures.relativeDifference(b.coordinates, a.coordinates)
        #expect(limit < 1e-7, "end-to-end vectors differ by \(limit)")
        if !balanced {
            #expect(a.offSpanNorm > 1e-2)
            #expect(abs(b.offSpanNorm / a.offSpanNorm - 1) < 1e-6, "off-span \(b.offSpanNorm) vs \(a.offSpanNorm)")
        }
        let ta = try #require(a.statistics.flowTime), tb = try #require(b.statistics.flowTime)
        #expect(abs(tb / ta - 1) < 5e-3, "flow times \(ta) (Dormand–Prince) vs \(tb) (CVODE)")
    }

    /// The trajectory: the layers at a flow time before convergence (a time limit at 10 % of
    /// Dormand–Prince's flow time) agree to 1e-6 relative, and are not yet at the limit.
    @Test(arguments: [false, true])
    func trajectoryAgreesWithDormandPrince(balanced: Bool) throws {
        let full = try Self.solve(.dormandPrince, balanced: balanced)
        let time = 0.1 * (try #require(full.statistics.flowTime))
        let a = try Self.solve(.dormandPrince, balanced: balanced, timeLimit: time)
        let b = try Self.solve(.cvode, balanced: balanced, timeLimit: time)
        #expect(a.statistics.stopReason == .timeLimit && b.statistics.stopReason == .timeLimit,
                "\(a.statistics) | \(b.statistics)")
        let gap = StudentFixtures.relativeDifference(Self.flat(b), Self.flat(a))
        #expect(gap < 1e-6, "layers at T = \(time): relative difference \(gap)")
        #expect(StudentFixtures.relativeDifference(a.coordinates, full.coordinates) > 1e-3, "already at the limit")
    }

    /// A control that must fail: CVODE at a coarse local tolerance (1e-3, with stopping tolerances
    /// 0.1 so that it is used as given) is measurably off the accurate trajectory at the same time.
    @Test func coarseTrajectoryIsDetected() throws {
        let full = try Self.solve(.dormandPrince, balanced: false)
        let time = 0.1 * (try #require(full.statistics.flowTime))
        let accurate = try Self.solve(.dormandPrince, balanced: false, timeLimit: time)
        let coarse = try Self.solve(.cvode, balanced: false, tolerance: 0.1, integrationTolerance: 1e-3, timeLimit: time)
        let gap = StudentFixtures.relativeDifference(Self.flat(coarse), Self.flat(accurate))
        #expect(gap > 1e-6, "coarse CVODE within \(gap) of the accurate trajectory")
    }

    /// L2 at d = 10^5 in the Gram sampler by CVODE, depth 3: balanced starts reach P w* with no
    /// off-span part; random ones reach P w* in the span and keep an off-span part. The random
    /// depth-3 starts here are stiff: Dormand–Prince, at its stability limit, leaves the relative
    /// gradient near 1e-7 and does not meet the stopping rule within 200 000 steps (see
    /// `DeepLinearGramTests.smallRandomStartKeepsItsOffSpanPartAtLargeD`).
    @Test(arguments: [false, true])
    func l2HoldsAtLargeDByCVODE(balanced: Bool) throws {
        let problem = try DeepLinearGramTests.largeProblem(n: 20, trial: 1)
        let options = try SolverOptions(gradientTolerance: 1e-8, fitTolerance: 1e-8, maxSteps: 200_000, integrator: .cvode)
        for k in [10, 20] {
            let closed = problem.solve(prefix: k, solver: .closed)
            let student = try problem.solveDeep(prefix: k, architecture: DeepLinearArchitecture(depth: 3, width: 4),
                                                initialization: balanced ? .balancedInSpan(scale: 0.01) : .random(scale: 0.01),
                                                stream: Self.stream(75), options: options)
            #expect(student.statistics.converged, "k = \(k): \(student.statistics)")
            let error = StudentFixtures.relativeDifference(student.coordinates, closed.coordinates)
            #expect(error < 1e-6, "k = \(k): end-to-end vs P w*, relative \(error)")
            if balanced {
                #expect(student.initialOffSpanNorm == 0 && student.offSpanNorm == 0)
            } else {
                #expect(student.initialOffSpanNorm > 0 && student.offSpanNorm > 0)
            }
        }
    }
}
