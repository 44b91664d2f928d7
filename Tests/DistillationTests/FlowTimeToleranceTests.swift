import Foundation
import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// The flow measured from its limit (`DisplacedFrame`) at RODAS4's default `limitTolerance`:
/// the flow time at the stopping rule within 1e-3 relative of a tight reference (RODAS4 at
/// limitTolerance 1e-7, and CVODE's BDF in e at 1e-12), the end state at the stopping rule and within
/// 1e-6 of the closed form, on a non-stiff draw (W1-like), a stiff one (S1-like: n close to d)
/// and large logits (W2's scale, log clock), with a far too loose tolerance as the control.
@Suite struct FlowTimeToleranceTests {
    /// The bound on the flow time's relative error at the default limitTolerance.
    static let flowTimeBound = 1e-3

    static func options(_ integrator: FlowIntegrator = .rosenbrock, tolerance: Double = 1e-8,
                        integrationTolerance: Double = 1e-10,
                        limitTolerance: Double = SolverOptions.defaultLimitTolerance) throws -> SolverOptions {
        try SolverOptions(gradientTolerance: tolerance, fitTolerance: tolerance, integrationTolerance: integrationTolerance,
                          integrator: integrator, limitTolerance: limitTolerance)
    }

    /// Non-stiff: Gaussian points, d = 400, n = 100 (κ(XXᵀ) ≈ 9). Stiff: d = 60, n = 58
    /// (κ(XXᵀ) ≈ 3e3, the Hessian's rates spread over ~4 decades).
    static func cases() throws -> [(name: String, problem: LinearDistillationProblem, n: Int)] {
        [("non-stiff", try StudentFixtures.problem(n: 100, d: 400, norm: 2, seed: 911), 100),
         ("stiff", try StudentFixtures.problem(n: 58, d: 60, norm: 2, seed: 912), 58)]
    }

    @Test func flowTimeAndEndStateMatchTightReferences() throws {
        for (name, problem, n) in try Self.cases() {
            let system = problem.reduce(prefix: n, targets: Array(problem.teacherLogits[0..<n])).system
            let frame = try #require(LogitFlow(system), "\(name): not in the logits frame")
            // S is the QR's R: the triangular set-up (no dense S⁻¹), and the limit is known.
            #expect(frame.inverse == nil && frame.limit != nil, "\(name): not measured from the limit")
            let closed = problem.solve(prefix: n, solver: .closed)
            let fast = problem.solve(prefix: n, solver: .flow, options: try Self.options())
            let tight = problem.solve(prefix: n, solver: .flow, options: try Self.options(limitTolerance: 1e-7))
            // CVODE measures its error against the state's scale, so the late trajectory needs a
            // local tolerance far below the stopping tolerances: 1e-12 (at its default 1e-10 the
            // non-stiff flow time is 0.7 % long).
            let cvode = problem.solve(prefix: n, solver: .flow, options: try Self.options(.cvode, integrationTolerance: 1e-12))
            for (label, student) in [("default", fast), ("tight", tight), ("cvode", cvode)] {
                #expect(student.statistics.converged, "\(name) \(label): \(student.statistics)")
                let gap = StudentFixtures.relativeDifference(student.coordinates, closed.coordinates)
                #expect(gap < 1e-6, "\(name) \(label): limit off the closed form by \(gap)")
            }
            let t = try #require(fast.statistics.flowTime)
            let reference = try #require(tight.statistics.flowTime), bdf = try #require(cvode.statistics.flowTime)
            #expect(abs(t / reference - 1) < Self.flowTimeBound, "\(name): flow time \(t) vs \(reference) (RODAS4 1e-7)")
            #expect(abs(t / bdf - 1) < Self.flowTimeBound, "\(name): flow time \(t) vs \(bdf) (CVODE)")
            // Cheaper than the reference: the point of the looser tolerance.
            #expect(fast.statistics.gradientEvaluations * 2 < tight.statistics.gradientEvaluations,
                    "\(name): \(fast.statistics.gradientEvaluations) vs \(tight.statistics.gradientEvaluations) evaluations")
        }
    }

    /// One point of norm 316 with teacher logit m = 200 (W2's scale: log clock, logits frame):
    /// the exact flow time to the stopping rule's z* = m (1 − 1e-8) as in
    /// `SolverRosenbrockTests.logClockFollowsTheLogarithmicPhaseInFewSteps`.
    @Test func largeLogitFlowTimeMatchesTheExactOne() throws {
        let norm = 316.0, m = 200.0
        let system = ReducedSystem(p: 1, k: 1, s: [norm], initialLogits: [0], targets: [m])
        let (state, stats) = GradientFlow.rosenbrock(system, from: [0], options: try Self.options())
        #expect(stats.converged, "\(stats)")
        // On the log clock the stage matrix moves with τ: no factorization is reused.
        #expect(stats.jacobianEvaluations >= stats.acceptedSteps, "\(stats)")
        #expect(abs(state[0] * norm - m) <= 1e-8 * m * (1 + 1e-6))
        let zStar = m * (1 - 1e-8), bigM = exp(m)
        let exact = ((1 + 1 / bigM) * zStar
                     - (bigM + 2 + 1 / bigM) * (log1p(-exp(zStar - m)) - log1p(-exp(-m)))) / (norm * norm)
        let time = try #require(stats.flowTime)
        #expect(abs(time / exact - 1) < Self.flowTimeBound, "flow time \(time) vs exact \(exact)")
    }

    /// W2's points (poly-tail κ = 2, d = 10^5, Gram draw of trial 0, seed 2026, n = 5: logits in
    /// the hundreds, points nearly parallel): against RODAS4 at 1e-7 (Dormand–Prince and CVODE in
    /// e do not finish here).
    @Test func saturatingPointsFlowTimeMatchesTheTightReference() throws {
        let problem = try StudentFixtures.saturatingW2Problem()
        let fast = problem.solve(prefix: 5, solver: .flow, options: try Self.options())
        let tight = problem.solve(prefix: 5, solver: .flow, options: try Self.options(limitTolerance: 1e-7))
        #expect(fast.statistics.converged && tight.statistics.converged, "\(fast.statistics) | \(tight.statistics)")
        let t = try #require(fast.statistics.flowTime), reference = try #require(tight.statistics.flowTime)
        #expect(abs(t / reference - 1) < Self.flowTimeBound, "flow time \(t) vs \(reference)")
        let closed = problem.solve(prefix: 5, solver: .closed)
        let gap = StudentFixtures.relativeDifference(fast.coordinates, closed.coordinates)
        #expect(gap < 1e-6, "limit off the closed form by \(gap)")
    }

    /// The control that must fail: at limitTolerance 0.3, integrated to the end (no `LinearTail`,
    /// which would take over the late part exactly), the limit is still reached (the stopping rule
    /// decides it) but the flow time is off by more than the bound, so the bound can reject.
    @Test func farTooLooseToleranceIsDetected() throws {
        for (name, problem, n) in try Self.cases() {
            let system = problem.reduce(prefix: n, targets: Array(problem.teacherLogits[0..<n])).system
            let start = [Double](repeating: 0, count: system.p)
            let loose = GradientFlow.rosenbrock(system, from: start, options: try Self.options(limitTolerance: 0.3),
                                                linearTail: false)
            let tight = GradientFlow.rosenbrock(system, from: start, options: try Self.options(limitTolerance: 1e-7),
                                                linearTail: false)
            #expect(loose.statistics.converged, "\(name): \(loose.statistics)")
            let t = try #require(loose.statistics.flowTime), reference = try #require(tight.statistics.flowTime)
            #expect(abs(t / reference - 1) > Self.flowTimeBound, "\(name): loose flow time \(t) vs \(reference)")
        }
    }

    /// A time-limited flow keeps the frame from the origin at `integrationTolerance` (its state at
    /// that time is what is asked), so `limitTolerance` does not change it.
    @Test func timeLimitedFlowIgnoresTheLimitTolerance() throws {
        let problem = try StudentFixtures.problem(n: 20, d: 60, norm: 2, seed: 913)
        var a = try Self.options(limitTolerance: 0.3), b = try Self.options(limitTolerance: 1e-7)
        a.timeLimit = 2
        b.timeLimit = 2
        let x = problem.solve(prefix: 20, solver: .flow, options: a), y = problem.solve(prefix: 20, solver: .flow, options: b)
        #expect(x.statistics.stopReason == .timeLimit && y.statistics.stopReason == .timeLimit)
        // Bit-identical: the same path at the same tolerance.
        #expect(x.coordinates == y.coordinates && x.statistics == y.statistics)
    }
}
