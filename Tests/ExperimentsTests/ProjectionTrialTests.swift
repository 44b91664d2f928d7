import Distillation
import LinearAlgebra
import Testing
@testable import MonteCarlo
@testable import Experiments

/// The closed-form student from w(0) = 0 on an ambient draw goes through the Gram matrix
/// (`PrefixProjections`) and falls back to the QR of `LinearDistillationProblem` when that is
/// not accurate; either way the trial reports what the QR route gives.
@Suite struct ProjectionTrialTests {
    static let anisotropic = GeometrySpec.anisotropic(spectrum: .powerLaw(alpha: 1), teacherDirection: .eigenvector(index: 1))

    static func spec(_ geometry: GeometrySpec, d: Int, grid: [Int],
                     students: [StudentSpec] = [.linear(init: .zero)]) -> ExperimentSpec {
        ExperimentSpec(name: "p", geometry: geometry, d: d, n: .values(grid), students: students,
                       solver: SolverSpec(kind: .closed), seed: 33, sampler: .ambient)
    }

    /// The trial's angle and risk of the zero-initialised linear student at every n of the grid
    /// against the QR route's, to 1e-9 relative; returns whether the draws went through G.
    static func compareWithTheQRRoute(_ spec: ExperimentSpec, trials: Range<Int>) throws -> [Bool] {
        let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
        let plan = try #require(trial.students.first { $0.isZeroInitialisedLinear })
        var projected: [Bool] = []
        for t in trials {
            let values = try trial.evaluate(trial: t)
            var draw = try trial.draw(trial: t)
            let qr = try LinearDistillationProblem(points: draw.points, teacher: draw.teacher)
            for n in trial.grid {
                let trained = try trial.train(plan, prefix: n, in: &draw, anglesOnly: true)
                let student = qr.solve(prefix: n, solver: .closed)
                #expect(abs(trained.angle - student.angleToTeacher) <= 1e-9 * max(student.angleToTeacher, 1e-300),
                        "trial \(t), n = \(n): angle \(trained.angle) vs QR \(student.angleToTeacher)")
                let expected = trial.setup.riskOfAngle?(student.angleToTeacher)
                    ?? trial.setup.geometry.risk(of: qr.weights(of: student)).value
                let risk = values[trial.layout.index(plan.label, n, .risk)!]
                #expect(abs(risk - expected) <= 1e-9 * expected, "trial \(t), n = \(n): risk \(risk) vs QR \(expected)")
            }
            if case .some(.some) = draw.projections { projected.append(true) } else { projected.append(false) }
        }
        return projected
    }

    @Test(arguments: [anisotropic, .anisotropic(spectrum: .powerLaw(alpha: 2), teacherDirection: .uniform), .gaussian])
    func gramRouteMatchesTheQRRouteAtEveryPrefix(geometry: GeometrySpec) throws {
        let projected = try Self.compareWithTheQRRoute(Self.spec(geometry, d: 60, grid: [1, 2, 5, 10, 20, 40]),
                                                       trials: 0..<4)
        #expect(projected.allSatisfy { $0 })
    }

    /// n > d (G singular; the prefixes past d span R^d) and a mixture with tiny spread (points
    /// close to two means, cond(G) ≈ 1e8 or worse) fall back to the QR and still match it.
    @Test func singularOrIllConditionedDrawsFallBackToTheQR() throws {
        let pastD = try Self.compareWithTheQRRoute(Self.spec(.gaussian, d: 20, grid: [5, 20, 30]), trials: 0..<3)
        #expect(pastD.allSatisfy { !$0 })
        let anisotropicPastD = try Self.compareWithTheQRRoute(Self.spec(Self.anisotropic, d: 20, grid: [5, 25]), trials: 0..<3)
        #expect(anisotropicPastD.allSatisfy { !$0 })
        let clustered = GeometrySpec.mixture(.init(weights: [0.5, 0.5], means: [[10], [0, 10]], stds: [1e-3, 1e-3]))
        let mixture = try Self.compareWithTheQRRoute(Self.spec(clustered, d: 40, grid: [3, 10, 30]), trials: 0..<2)
        #expect(mixture.allSatisfy { !$0 })
    }

    /// A student that needs the QR (here hard labels) makes the closed-form one use it too.
    @Test func theGramRouteIsOnlyTakenWhenNoStudentNeedsTheQR() throws {
        let trial = try DistillationTrial(spec: Self.spec(Self.anisotropic, d: 60, grid: [10, 40],
                                                          students: [.linear(init: .zero), .hardLabel]),
                                          baseDirectory: nil)
        var draw = try trial.draw(trial: 0)
        _ = try trial.train(trial.students[0], prefix: 40, in: &draw, anglesOnly: true)
        #expect(draw.projections == nil && draw.problems[-1] != nil)
    }

    /// `kdmc dump` writes the Gram route's weights; they are the QR route's P_n w*.
    @Test(arguments: [10, 40])
    func dumpWeightsMatchTheQRRoute(n: Int) throws {
        let trial = try DistillationTrial(spec: Self.spec(Self.anisotropic, d: 60, grid: [10, 40]), baseDirectory: nil)
        for t in 0..<3 {
            let dump = try trial.dump(trial: t, n: n)
            let draw = try trial.draw(trial: t)
            let qr = try LinearDistillationProblem(points: draw.points, teacher: draw.teacher)
            let student = qr.solve(prefix: n, solver: .closed)
            let expected = qr.weights(of: student)
            let weights = try #require(dump.students[0].weights)
            var difference = weights
            axpy(-1, expected, &difference)
            #expect(norm2(difference) <= 1e-9 * norm2(expected), "trial \(t), n = \(n)")
            #expect(abs(dump.students[0].angle - student.angleToTeacher) <= 1e-9 * student.angleToTeacher)
        }
    }
}
