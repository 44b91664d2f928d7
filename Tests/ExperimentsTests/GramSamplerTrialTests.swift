import Distillation
import Foundation
import MonteCarlo
import Testing
import Numerics
import Experiments

/// The trial with the gram sampler draws from the same law as with the ambient one.
///
/// Kolmogorov–Smirnov tests use the asymptotic critical value c(α)·√((N + M)/(N M)) with
/// c(α) = √(−ln(α/2)/2) (two-sample) or c(α)/√N (one-sample), at a family level α = 0.01
/// split by Bonferroni over the n's of the test. Gram and ambient samples come from disjoint
/// trial ranges, so they are independent (the same trial index would share the teacher frame).
@Suite struct GramSamplerTrialTests {
    static let familyLevel = 0.01

    static func spec(_ geometry: GeometrySpec, d: Int, grid: [Int], sampler: SamplerChoice,
                     students: [StudentSpec] = [.linear(init: .zero)]) -> ExperimentSpec {
        ExperimentSpec(name: "g", geometry: geometry, d: d, n: .values(grid), students: students,
                       solver: SolverSpec(kind: .closed), seed: 21, sampler: sampler)
    }

    /// Risk of `student` at each n of the grid, for trials in `trials`.
    static func risks(_ spec: ExperimentSpec, trials: Range<Int>, student: String = "linear") throws -> [Int: [Double]] {
        let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
        #expect(trial.sampler == spec.sampler)
        var out: [Int: [Double]] = [:]
        for t in trials {
            let values = try trial.evaluate(trial: t)
            for n in trial.grid { out[n, default: []].append(values[trial.layout.index(student, n, .risk)!]) }
        }
        return out
    }

    static let grid = [5, 40, 150]

    @Test(arguments: [GeometrySpec.gaussian, .polyTail(kappa: 2, radius: .chi)])
    func gramAndAmbientRisksHaveTheSameLaw(geometry: GeometrySpec) throws {
        let count = 300
        let gram = try Self.risks(Self.spec(geometry, d: 200, grid: Self.grid, sampler: .gram), trials: 0..<count)
        let ambient = try Self.risks(Self.spec(geometry, d: 200, grid: Self.grid, sampler: .ambient),
                                     trials: count..<(2 * count))
        let critical = KolmogorovDistance.critical(level: Self.familyLevel / Double(Self.grid.count), count, count)
        for n in Self.grid {
            let statistic = KolmogorovDistance.twoSample(gram[n]!, ambient[n]!)
            #expect(statistic < critical, "\(geometry.kind) n = \(n): KS D = \(statistic) ≥ \(critical)")
            #expect(gram[n]!.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        }
    }

    /// The same test tells d = 200 from d = 230: it has the power to fail.
    @Test func theTwoSampleTestSeesAWrongDimension() throws {
        let count = 300, n = 150
        let gram = try Self.risks(Self.spec(.gaussian, d: 200, grid: [n], sampler: .gram), trials: 0..<count)
        let ambient = try Self.risks(Self.spec(.gaussian, d: 230, grid: [n], sampler: .ambient), trials: count..<(2 * count))
        let critical = KolmogorovDistance.critical(level: Self.familyLevel / Double(Self.grid.count), count, count)
        #expect(KolmogorovDistance.twoSample(gram[n]!, ambient[n]!) > critical)
    }

    /// docs/THEORY.md §3: for the Gaussian, cos²γ ~ Beta(n/2, (d − n)/2), and R = γ/π.
    @Test func gaussianGramAtTenThousandFollowsTheBetaLaw() throws {
        let d = 10_000, grid = [20, 200], count = 300
        let risks = try Self.risks(Self.spec(.gaussian, d: d, grid: grid, sampler: .gram), trials: 0..<count)
        let critical = KolmogorovDistance.critical(level: Self.familyLevel / Double(grid.count), count)
        for n in grid {
            let cosines = risks[n]!.map { pow(cos(Double.pi * $0), 2) }
            let statistic = KolmogorovDistance.oneSample(cosines) {
                SpecialFunctions.regularizedIncompleteBeta(Double(n) / 2, Double(d - n) / 2, $0)
            }
            #expect(statistic < critical, "n = \(n): KS D = \(statistic) ≥ \(critical)")
        }
    }

    /// d = 10⁶ costs what d = 10³ costs: every student the gram sampler admits gives finite
    /// risks, and the trial takes well under a second per prefix.
    @Test func aMillionDimensionsRun() throws {
        let students: [StudentSpec] = [.linear(init: .zero), .linear(init: .random(scale: 1)), .hardLabel,
                                       .wDelta(deltasDegrees: [0, 45, 90])]
        let spec = Self.spec(.polyTail(kappa: 2, radius: .chi), d: 1_000_000, grid: [1, 10, 60],
                             sampler: .auto, students: students)
        #expect(spec.resolvedSampler == .gram)
        let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
        for t in 0..<2 {
            let values = try trial.evaluate(trial: t)
            for plan in trial.students {
                for n in trial.grid {
                    let risk = values[trial.layout.index(plan.label, n, .risk)!]
                    #expect(risk.isFinite && risk >= 0 && risk <= 1, "\(plan.label) n = \(n): \(risk)")
                }
            }
        }
    }

    /// Auto never picks gram where it is not exact, and the dump says which coordinates it writes.
    @Test func autoFallsBackAndTheDumpNamesItsCoordinates() throws {
        var spec = Self.spec(.gaussian, d: 10, grid: [2, 10], sampler: .auto)
        #expect(spec.resolvedSampler == .ambient)
        spec.n = .values([2, 9])
        #expect(spec.resolvedSampler == .gram)
        spec.students.append(.deepLinear(depth: 2, widths: [4], init: .balanced(scale: 0.01)))
        #expect(spec.resolvedSampler == .gram)
        spec.geometry = .mixture(GeometrySpec.Mixture(weights: [1], means: [[0]], stds: [1]))
        #expect(spec.resolvedSampler == .ambient)
        spec.geometry = .gaussian
        spec.students = [.linear(init: .zero), .hardLabel]
        let dump = try DistillationTrial(spec: spec, baseDirectory: nil).dump(trial: 3, n: 2)
        #expect(dump.coordinates == .gramEmbedding(ambientDimension: 10))
        #expect(dump.points.rows == 2 && dump.points.columns == 11)
        #expect(dump.teacher.count == 11)
        #expect(dump.students.allSatisfy { $0.weights?.count == 11 })
        spec.sampler = .ambient
        let ambient = try DistillationTrial(spec: spec, baseDirectory: nil).dump(trial: 3, n: 2)
        #expect(ambient.coordinates == .ambient && ambient.points.columns == 10)
    }

    /// L2 through the trial at d = 10^5 with the gram sampler (docs/THEORY.md §2): a balanced start
    /// reaches P w* (limit gap ≤ 1e-6, no off-span part), a small random one keeps an off-span part,
    /// every flow converges, and the risks are those of valid angles.
    @Test func deepLinearStudentsRunInTheGramSamplerAtAHundredThousandDimensions() throws {
        let students: [StudentSpec] = [.deepLinear(depth: 3, widths: [8, 8], init: .balanced(scale: 0.01)),
                                       .deepLinear(depth: 2, widths: [8], init: .random(scale: 0.01))]
        var spec = Self.spec(.gaussian, d: 100_000, grid: [5, 30], sampler: .auto, students: students)
        spec.solver = SolverSpec(kind: .flow, tolerance: 1e-8, fitTolerance: 1e-8)
        #expect(spec.resolvedSampler == .gram)
        let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
        #expect(trial.sampler == .gram)
        let balanced = trial.students[0].label, random = trial.students[1].label
        for t in 0..<2 {
            let values = try trial.evaluate(trial: t)
            func value(_ label: String, _ n: Int, _ q: CurveLayout.Quantity) -> Double { values[trial.layout.index(label, n, q)!] }
            for n in trial.grid {
                #expect(value(balanced, n, .limitGap) < 1e-6, "trial \(t) n = \(n)")
                #expect(value(balanced, n, .offSpan) == 0)
                // An off-span part of order scale·√d·‖v‖ survives (the first layer's rows have norm ≈ scale·√d).
                #expect(value(random, n, .offSpan) > 1e-3, "trial \(t) n = \(n): \(value(random, n, .offSpan))")
                // The balanced student is P w* (cos γ > 0, risk γ/π < 1/2); the random one's
                // off-span part dominates at this d (‖P w*‖ ≈ ‖w*‖ √(n/d)), so its risk is near 1/2
                // on either side.
                #expect(value(balanced, n, .risk) >= 0 && value(balanced, n, .risk) < 0.5)
                let randomRisk = value(random, n, .risk)
                #expect(randomRisk.isFinite && randomRisk > 0.4 && randomRisk < 0.6, "trial \(t) n = \(n): \(randomRisk)")
                for label in [balanced, random] {
                    #expect(value(label, n, .converged) == 1, "\(label) trial \(t) n = \(n)")
                }
            }
        }
    }
}
