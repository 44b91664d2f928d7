import LinearAlgebra
import Testing
@testable import Distillation

/// docs/THEORY.md §7: the hard-label student and its limit, the maximum-margin separator.
@Suite struct HardLabelTests {
    @Test(arguments: [4, 12])
    func maxMarginSatisfiesKKT(n: Int) throws {
        let d = 5
        let problem = try StudentFixtures.problem(n: n, d: d, seed: 41)
        let separator = problem.maxMarginSeparator(prefix: n)
        #expect(separator.kktViolation <= 1e-10, "KKT violation \(separator.kktViolation)")
        let support = separator.dualCoefficients.indices.filter { separator.dualCoefficients[$0] > 0 }
        #expect(!support.isEmpty)
        for i in 0..<n {
            #expect(separator.dualCoefficients[i] >= 0)
            #expect(separator.margins[i] >= 1 - 1e-10, "margin \(i) = \(separator.margins[i])")
        }
        for i in support { #expect(abs(separator.margins[i] - 1) <= 1e-10) }
        // Stationarity in R^d: w = Σ α_i y_i x_i, and the margins recomputed from w and X.
        let points = StudentFixtures.points(n: n, d: d, seed: 41)
        let labels = problem.teacherLogits.map { $0 >= 0 ? 1.0 : -1.0 }
        let w = problem.weights(of: separator)
        var combination = [Double](repeating: 0, count: d)
        for i in 0..<n { axpy(separator.dualCoefficients[i] * labels[i], points.row(i), &combination) }
        #expect(StudentFixtures.relativeDifference(w, combination) < 1e-10)
        let margins = gemv(points, w).enumerated().map { labels[$0] * $1 }
        #expect(StudentFixtures.relativeDifference(margins, separator.margins) < 1e-10)
    }

    @Test func longTimeFlowDirectionApproachesMaxMargin() throws {
        let d = 5, n = 4
        let problem = try StudentFixtures.problem(n: n, d: d, seed: 43)
        let separator = problem.maxMarginSeparator(prefix: n)
        var angles = [Double]()
        var norms = [Double]()
        for time in [1e1, 1e3, 1e5, 1e7] {
            let options = try SolverOptions(gradientTolerance: 0, timeLimit: time)
            let student = try problem.solveHardLabel(prefix: n, options: options)
            #expect(student.statistics.stopReason == .timeLimit)
            #expect(abs((student.statistics.flowTime ?? 0) - time) <= 1e-9 * time)
            angles.append(problem.angle(between: student, and: separator))
            norms.append(norm2(problem.weights(of: student)))
        }
        for j in 1..<angles.count {
            #expect(angles[j] < angles[j - 1], "angles to the max-margin direction \(angles)")
            #expect(norms[j] > norms[j - 1], "norms \(norms) must grow without bound")
        }
        // The rate is O(1/log t): at t = 1e7 the direction is close but not yet equal.
        #expect(angles.last! < 0.5 * angles.first!, "angles \(angles)")
    }
}
