import LinearAlgebra
import Testing
@testable import Distillation

/// L1 (docs/THEORY.md §2): every solver that stays in w(0) + span(X) reaches P w* + (I − P) w(0).
@Suite struct StudentLinearTests {
    static let tight = try! SolverOptions(gradientTolerance: 1e-12, fitTolerance: 1e-12,
                                          maxSteps: 400_000, integrationTolerance: 1e-11)

    @Test(arguments: [3, 8, 12], [false, true])
    func solversAgreeWithClosedForm(n: Int, randomStart: Bool) throws {
        let d = 8
        let initialization = randomStart ? StudentFixtures.randomStart(scale: 1.5, seed: 7) : .zero
        let problem = try StudentFixtures.problem(n: n, d: d, seed: 11, initialization: initialization)
        let closed = problem.solve(prefix: n, solver: .closed)
        let reference = problem.weights(of: closed)
        for solver in [SolverKind.flow, .gd, .newton] {
            let student = problem.solve(prefix: n, solver: solver, options: Self.tight)
            #expect(student.statistics.converged, "\(solver) stopped: \(student.statistics.stopReason)")
            let w = problem.weights(of: student)
            let error = StudentFixtures.relativeDifference(w, reference)
            #expect(error < 1e-8, "\(solver), n = \(n): relative difference \(error)")
            #expect(abs(student.cosineToTeacher - closed.cosineToTeacher) < 1e-10)
        }
    }

    @Test func closedFormIsProjectionPlusOffSpanStart() throws {
        let d = 8, n = 3
        let problem = try StudentFixtures.problem(n: n, d: d, seed: 5,
                                                  initialization: StudentFixtures.randomStart(scale: 1, seed: 9))
        let w = problem.weights(of: problem.solve(prefix: n, solver: .closed))
        // Reference P w* + (I − P) w(0) from the normal equations, independently of the QR.
        let x = StudentFixtures.points(n: n, d: d, seed: 5)
        let gram = gemm(x, x, transposeB: .transposed)
        let wStar = problem.teacher.weights, w0 = problem.initialWeights
        var difference = wStar
        axpy(-1, w0, &difference)
        let coefficients = try solveLinear(gram, gemv(x, difference))
        var expected = w0
        axpy(1, gemv(x, coefficients, transpose: .transposed), &expected)
        #expect(StudentFixtures.relativeDifference(w, expected) < 1e-12)
        // The off-span part of w(0) stays: w − w(0) lies in span(X).
        var moved = w
        axpy(-1, w0, &moved)
        let residual = try solveLinear(gram, gemv(x, moved))
        var back = gemv(x, residual, transpose: .transposed)
        axpy(-1, moved, &back)
        #expect(norm2(back) < 1e-12 * max(norm2(moved), 1))
    }

    @Test(arguments: [SolverKind.flow, .newton, .closed])
    func atLeastDPointsRecoverTheTeacher(solver: SolverKind) throws {
        let d = 8
        for n in [8, 12] {
            let problem = try StudentFixtures.problem(n: n, d: d, seed: 3,
                                                      initialization: StudentFixtures.randomStart(scale: 1, seed: 4))
            let student = problem.solve(prefix: n, solver: solver, options: Self.tight)
            #expect(abs(student.cosineToTeacher - 1) < 1e-12)
            #expect(student.angleToTeacher < 1e-7)
            let error = StudentFixtures.relativeDifference(problem.weights(of: student), problem.teacher.weights)
            #expect(error < 1e-8, "n = \(n): ‖w − w*‖ relative \(error)")
        }
    }

    @Test(arguments: [SolverKind.flow, .gd, .newton, .closed])
    func prefixEqualsFreshProblem(solver: SolverKind) throws {
        let d = 8, n = 12
        let big = try StudentFixtures.problem(n: n, d: d, seed: 21,
                                              initialization: StudentFixtures.randomStart(scale: 0.7, seed: 2))
        let allPoints = StudentFixtures.points(n: n, d: d, seed: 21)
        for k in [1, 4, 8, 10] {
            let fresh = try LinearDistillationProblem(points: allPoints.block(rows: 0..<k, columns: 0..<d),
                                                      teacher: big.teacher,
                                                      initialization: .weights(big.initialWeights))
            let a = big.weights(of: big.solve(prefix: k, solver: solver, options: Self.tight))
            let b = fresh.weights(of: fresh.solve(prefix: k, solver: solver, options: Self.tight))
            let error = StudentFixtures.relativeDifference(a, b)
            #expect(error < 1e-8, "k = \(k): relative difference \(error)")
        }
    }

    @Test func repeatedPointsAreRankDeficientButSolved() throws {
        let d = 6
        var rows = StudentFixtures.points(n: 3, d: d, seed: 8)
        // Points 4 and 5 repeat points 1 and 2 (scaled): rank stays 3.
        var elements = [[Double]]()
        for i in 0..<3 { elements.append(rows.row(i)) }
        elements.append(rows.row(0))
        elements.append(rows.row(1).map { 2 * $0 })
        rows = Matrix(rowMajor: elements)
        let teacher = try StudentFixtures.teacher(d: d, norm: 1.5, seed: 8)
        let problem = try LinearDistillationProblem(points: rows, teacher: teacher)
        let reference = try LinearDistillationProblem(points: rows.block(rows: 0..<3, columns: 0..<d), teacher: teacher)
        let expected = reference.weights(of: reference.solve(prefix: 3, solver: .closed))
        for solver in SolverKind.allCases {
            let student = problem.solve(prefix: 5, solver: solver, options: Self.tight)
            #expect(student.statistics.converged, "\(solver): \(student.statistics.stopReason)")
            let error = StudentFixtures.relativeDifference(problem.weights(of: student), expected)
            #expect(error < 1e-8, "\(solver): relative difference \(error)")
        }
    }

    @Test func flowReportsItsTimeAndWork() throws {
        let problem = try StudentFixtures.problem(n: 5, d: 8, seed: 13)
        let student = problem.solve(prefix: 5, solver: .flow)
        let stats = student.statistics
        #expect(stats.converged && stats.stopReason == .converged)
        #expect((stats.flowTime ?? 0) > 0)
        #expect(stats.acceptedSteps > 0)
        #expect(stats.gradientEvaluations >= 6 * stats.acceptedSteps)
        #expect(stats.relativeGradientNorm <= 1e-10)
        #expect((stats.relativeFitGap ?? 1) <= 1e-10)
    }

    @Test func timeAndStepLimitsAreReportedAsNotConverged() throws {
        let problem = try StudentFixtures.problem(n: 5, d: 8, seed: 13)
        let short = problem.solve(prefix: 5, solver: .flow, options: try SolverOptions(timeLimit: 0.01))
        #expect(!short.statistics.converged)
        #expect(short.statistics.stopReason == .timeLimit)
        #expect(abs((short.statistics.flowTime ?? 0) - 0.01) < 1e-15)
        let few = problem.solve(prefix: 5, solver: .gd, options: try SolverOptions(maxSteps: 3))
        #expect(!few.statistics.converged)
        #expect(few.statistics.stopReason == .stepLimit)
        #expect(few.statistics.acceptedSteps == 3)
    }
}
