import Foundation
import LinearAlgebra
import Testing
@testable import Distillation

/// SUNDIALS CVODE (BDF, dense direct solver, analytic Jacobian) as an independent check of RODAS4:
/// the same trajectory, limit and flow time on a non-stiff and a stiff flow.
@Suite struct FlowCVODETests {
    static func options(_ integrator: FlowIntegrator, tolerance: Double = 1e-10, integrationTolerance: Double = 1e-10,
                        timeLimit: Double = .infinity) throws -> SolverOptions {
        try SolverOptions(gradientTolerance: tolerance, fitTolerance: tolerance, timeLimit: timeLimit,
                          integrationTolerance: integrationTolerance, integrator: integrator)
    }

    /// Non-stiff: Gaussian points, d = 10, n = 5. Stiff: points 1e-3 apart in angle around e_1
    /// (the Hessian's eigenvalues span ~6 decades), stopping tolerances 1e-12.
    static func cases() throws -> [(name: String, problem: LinearDistillationProblem, n: Int, tolerance: Double)] {
        [("gaussian", try StudentFixtures.problem(n: 5, d: 10, norm: 1, seed: 404), 5, 1e-10),
         ("nearly parallel", try SolverRosenbrockTests.nearlyParallel(n: 9), 9, 1e-12)]
    }

    @Test func limitAndFlowTimeAgreeWithRosenbrock() throws {
        for (name, problem, n, tolerance) in try Self.cases() {
            let closed = problem.weights(of: problem.solve(prefix: n, solver: .closed))
            let a = problem.solve(prefix: n, solver: .flow, options: try Self.options(.rosenbrock, tolerance: tolerance))
            let b = problem.solve(prefix: n, solver: .flow, options: try Self.options(.cvode, tolerance: tolerance))
            #expect(a.statistics.converged && b.statistics.converged, "\(name): \(a.statistics) | \(b.statistics)")
            #expect(b.statistics.jacobianEvaluations > 0 && b.statistics.acceptedSteps > 0)
            let limitError = StudentFixtures.relativeDifference(problem.weights(of: b), closed)
            #expect(limitError < 1e-8, "\(name): CVODE limit off the closed form by \(limitError)")
            let ta = try #require(a.statistics.flowTime), tb = try #require(b.statistics.flowTime)
            // Both locate the event to 0.1 % on trajectories accurate to 1e-10 of the state's scale.
            #expect(abs(tb / ta - 1) < 5e-3, "\(name): flow times \(ta) (RODAS4) vs \(tb) (CVODE)")
        }
    }

    /// The trajectory, not only the limit: the state at flow times 1 and 20 (time limits, so
    /// neither has converged) agrees between the two integrators.
    @Test(arguments: [1.0, 20.0])
    func trajectoryAgreesWithRosenbrock(time: Double) throws {
        for (name, problem, n, tolerance) in try Self.cases() {
            let a = problem.solve(prefix: n, solver: .flow,
                                  options: try Self.options(.rosenbrock, tolerance: tolerance, timeLimit: time))
            let b = problem.solve(prefix: n, solver: .flow,
                                  options: try Self.options(.cvode, tolerance: tolerance, timeLimit: time))
            #expect(a.statistics.stopReason == .timeLimit && b.statistics.stopReason == .timeLimit,
                    "\(name): \(a.statistics) | \(b.statistics)")
            #expect(b.statistics.flowTime == time)
            let gap = StudentFixtures.relativeDifference(problem.weights(of: b), problem.weights(of: a))
            #expect(gap < 1e-6, "\(name), T = \(time): relative difference \(gap)")
            let closed = problem.weights(of: problem.solve(prefix: n, solver: .closed))
            #expect(StudentFixtures.relativeDifference(problem.weights(of: a), closed) > 1e-4, "\(name): already at the limit")
        }
    }

    /// A control that must fail: a coarse CVODE run (local tolerance 1e-3, which needs stopping
    /// tolerances ≥ 0.1 as CVODE's local tolerance is at most 1 % of them) stopped at T = 1 is
    /// measurably off the accurate trajectory, so the 1e-6 bound above can reject.
    @Test func coarseTrajectoryIsDetected() throws {
        let problem = try StudentFixtures.problem(n: 5, d: 10, norm: 1, seed: 404)
        let accurate = problem.solve(prefix: 5, solver: .flow, options: try Self.options(.rosenbrock, timeLimit: 1))
        let coarse = problem.solve(prefix: 5, solver: .flow,
                                   options: try Self.options(.cvode, tolerance: 0.1, integrationTolerance: 1e-3, timeLimit: 1))
        let gap = StudentFixtures.relativeDifference(problem.weights(of: coarse), problem.weights(of: accurate))
        #expect(gap > 1e-6, "coarse CVODE within \(gap) of the accurate trajectory")
    }

    /// A SUNDIALS failure surfaces as the one error type naming the call.
    @Test func failedCallsThrowNamingTheCall() {
        #expect(throws: CVODEError(call: "CVodeInit", status: -22)) { try sundials("CVodeInit", Int32(-22)) }
        #expect(throws: CVODEError(call: "N_VNew_Serial", status: nil)) {
            try sundials("N_VNew_Serial", Optional<UnsafeMutableRawPointer>.none)
        }
        #expect((try? sundials("CVodeSetUserData", Int32(0))) == 0)
    }
}
