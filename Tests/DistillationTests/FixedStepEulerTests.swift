import LinearAlgebra
import Testing
@testable import Distillation

/// The benchmark's yardstick: explicit Euler at the largest stable step, run to a distance from
/// the closed form.
@Suite struct FixedStepEulerTests {
    @Test func eulerReachesTheTargetDistanceAtTheLargestStableStep() throws {
        let n = 6, d = 10
        let problem = try StudentFixtures.problem(n: n, d: d, seed: 3, initialization: .zero)
        let run = problem.eulerToClosedForm(prefix: n, targetDistance: 1e-9)
        #expect(run.reached)
        #expect(run.finalDistance <= 1e-9)
        #expect(run.gradientEvaluations == run.steps && run.steps > 1)
        // 2/L with L = λ_max(X Xᵀ)/(4n).
        let x = StudentFixtures.points(n: n, d: d, seed: 3)
        let lambda = try SymmetricEigendecomposition(gemm(x, x, transposeB: .transposed)).eigenvalues.last!
        #expect(abs(run.largestStableStep - 8 * Double(n) / lambda) < 1e-9 * run.largestStableStep)
        #expect(abs(run.step - 0.99 * run.largestStableStep) < 1e-12 * run.step)
    }

    @Test func aSmallerBudgetStopsShortAndSaysSo() throws {
        let problem = try StudentFixtures.problem(n: 6, d: 10, seed: 3, initialization: .zero)
        let full = problem.eulerToClosedForm(prefix: 6, targetDistance: 1e-9)
        let short = problem.eulerToClosedForm(prefix: 6, targetDistance: 1e-9, maxSteps: full.steps / 2)
        #expect(!short.reached)
        #expect(short.steps == full.steps / 2)
        #expect(short.finalDistance > 1e-9)
        // Distance never increases for η < 2/L: more steps, no farther.
        #expect(short.finalDistance >= full.finalDistance)
    }
}
