import LinearAlgebra
import Testing
@testable import Distillation

/// docs/THEORY.md §1: the flow converges to z = m for teacher norms from 1e-3 to 1e3 (|m| up to
/// hundreds, where σ(m) rounds to 1), with no NaN or ∞ anywhere.
@Suite struct SolverRobustnessTests {
    /// Points of norm about 0.2·√d ≈ 0.57, so |m| ≤ ~600 at ‖w*‖ = 1e3: inside the range where
    /// e^{−|m|} (the residual's scale) is a normal double and the flow time e^{|m|} is finite.
    static func problem(norm: Double, n: Int) throws -> LinearDistillationProblem {
        let d = 8
        var points = StudentFixtures.points(n: n, d: d, seed: 31)
        for i in points.elements.indices { points.elements[i] *= 0.2 }
        return try LinearDistillationProblem(points: points,
                                             teacher: StudentFixtures.teacher(d: d, norm: norm, seed: 31))
    }

    @Test(arguments: [1e-3, 1e-1, 1, 1e1, 1e2, 1e3])
    func newtonConvergesAtEveryTeacherNorm(norm: Double) throws {
        let n = 4
        let problem = try Self.problem(norm: norm, n: n)
        let largest = problem.teacherLogits.map(abs).max() ?? 0
        #expect(largest <= 700)
        let reference = problem.weights(of: problem.solve(prefix: n, solver: .closed))
        let student = problem.solve(prefix: n, solver: .newton)
        #expect(student.statistics.converged, "‖w*‖ = \(norm): \(student.statistics)")
        let error = StudentFixtures.relativeDifference(problem.weights(of: student), reference)
        #expect(error < 1e-8, "‖w*‖ = \(norm): relative error \(error)")
    }

    @Test(arguments: [1e-3, 1e-1, 1, 1e1], FlowIntegrator.allCases)
    func flowConvergesAtModerateTeacherNorms(norm: Double, integrator: FlowIntegrator) throws {
        var options = SolverOptions.standard
        options.integrator = integrator
        for n in [4, 10] {
            let problem = try Self.problem(norm: norm, n: n)
            let reference = problem.weights(of: problem.solve(prefix: n, solver: .closed))
            for solver in [SolverKind.flow, .newton] {
                let student = problem.solve(prefix: n, solver: solver, options: options)
                let stats = student.statistics
                #expect(stats.converged, "‖w*‖ = \(norm), n = \(n), \(solver): \(stats)")
                let w = problem.weights(of: student)
                #expect(w.allSatisfy { $0.isFinite } && student.cosineToTeacher.isFinite)
                let error = StudentFixtures.relativeDifference(w, reference)
                #expect(error < 1e-8, "‖w*‖ = \(norm), n = \(n), \(solver): relative error \(error)")
            }
        }
    }

    /// At ‖w*‖ ≥ 100 logits of size ~1 and ~100 coexist: the flow is stiff with κ ~ e^{|m|}, and
    /// an explicit integrator may not reach the fit within its step budget. It must then say so.
    @Test(arguments: [1e2, 1e3], FlowIntegrator.allCases)
    func flowAtLargeNormsStaysFiniteAndReportsHonestly(norm: Double, integrator: FlowIntegrator) throws {
        for n in [4, 10] {
            let problem = try Self.problem(norm: norm, n: n)
            let reference = problem.weights(of: problem.solve(prefix: n, solver: .closed))
            let student = problem.solve(prefix: n, solver: .flow,
                                        options: try SolverOptions(maxSteps: 20_000, integrator: integrator))
            let stats = student.statistics
            let w = problem.weights(of: student)
            #expect(w.allSatisfy { $0.isFinite } && student.cosineToTeacher.isFinite)
            #expect((stats.flowTime ?? .nan).isFinite && stats.relativeGradientNorm.isFinite)
            if stats.converged {
                #expect(StudentFixtures.relativeDifference(w, reference) < 1e-8)
            } else {
                // CVODE may instead stop on a failed step (its error test at the smallest step).
                #expect(stats.stopReason == .stepLimit || (integrator == .cvode && stats.stopReason == .integratorFailed),
                        "\(integrator): \(stats)")
                #expect((stats.relativeFitGap ?? 0) > SolverOptions.standard.fitTolerance)
            }
        }
    }

    @Test(arguments: FlowIntegrator.allCases)
    func flowTimeGrowsWithTheTeacherNorm(integrator: FlowIntegrator) throws {
        // Near the fit the modes decay at rates from (1/n) S diag(σ'(m)) Sᵀ, and σ'(m) shrinks as
        // |m| grows: a colder teacher (larger norm) is learnt more slowly. Measured here: ~8×.
        let options = try SolverOptions(integrator: integrator)
        let times = try [0.1, 10].map { norm in
            try Self.problem(norm: norm, n: 4).solve(prefix: 4, solver: .flow, options: options).statistics.flowTime ?? 0
        }
        #expect(times[1] > 2 * times[0], "flow times \(times)")
    }

    @Test func gradientDescentAtHugeNormReportsNonConvergence() throws {
        let problem = try Self.problem(norm: 1e3, n: 4)
        let student = problem.solve(prefix: 4, solver: .gd, options: try SolverOptions(maxSteps: 2000))
        #expect(!student.statistics.converged)
        #expect(student.statistics.stopReason == .stepLimit)
        #expect(problem.weights(of: student).allSatisfy { $0.isFinite })
    }

    @Test(arguments: FlowIntegrator.allCases)
    func nearlyParallelPointsAreStiffButSolved(integrator: FlowIntegrator) throws {
        // Two points 1e-4 apart in angle: κ ≈ 1e8 in the Hessian. The flow must either converge
        // to the closed form or say that it did not.

        let base = [1.0, 0.5, -0.3, 0.2]
        let tilted = [1.0, 0.5 + 1e-4, -0.3, 0.2]
        let points = Matrix(rowMajor: [base, tilted, [0, 1, 0, 1]])
        let teacher = try Teacher(direction: [0.3, -1, 0.5, 0.7], norm: 3)
        let problem = try LinearDistillationProblem(points: points, teacher: teacher)
        let reference = problem.weights(of: problem.solve(prefix: 3, solver: .closed))
        let newton = problem.solve(prefix: 3, solver: .newton)
        #expect(newton.statistics.converged)
        #expect(StudentFixtures.relativeDifference(problem.weights(of: newton), reference) < 1e-6)
        let limited = problem.solve(prefix: 3, solver: .flow,
                                    options: try SolverOptions(maxSteps: 2000, integrator: integrator))
        let stats = limited.statistics
        // The implicit method is not stability-limited: it must converge within the budget.
        if integrator == .rosenbrock { #expect(stats.converged, "\(stats)") }
        if stats.converged {
            #expect(StudentFixtures.relativeDifference(problem.weights(of: limited), reference) < 1e-6)
        } else {
            #expect(stats.stopReason == .stepLimit)
            #expect(stats.acceptedSteps + stats.rejectedSteps == 2000)
        }
        #expect(problem.weights(of: limited).allSatisfy { $0.isFinite })
    }

    @Test func badOptionsThrowNamingTheField() {
        let cases: [(String, () throws -> SolverOptions)] = [
            ("gradientTolerance", { try SolverOptions(gradientTolerance: -1e-8) }),
            ("fitTolerance", { try SolverOptions(fitTolerance: -.infinity) }),
            ("timeLimit", { try SolverOptions(timeLimit: 0) }),
            ("maxSteps", { try SolverOptions(maxSteps: 0) }),
            ("integrationTolerance", { try SolverOptions(integrationTolerance: 2) }),
            ("descentStep", { try SolverOptions(descentStep: -0.1) }),
        ]
        for (field, make) in cases {
            do {
                _ = try make()
                Issue.record("\(field): bad value accepted")
            } catch let error as ParameterError {
                #expect(error.description.hasPrefix(field), "\(error)")
            } catch {
                Issue.record("\(field): unexpected error \(error)")
            }
        }
    }
}
