import Distillation
import Foundation
import Numerics
import Testing
import Experiments

/// The control-variate estimator (docs/THEORY.md §9) is unbiased: its values agree with the
/// plain risks of the same trials, and its limit term agrees with an independent computation
/// of E[R(γ_∞,n)]. Each check is a z-test at the family level 0.001, split by Bonferroni over
/// the n's it tests, and each has a control (a wrong limit expectation, a wrong law) that the
/// same test must reject.
@Suite struct ControlVariateTests {
    static let familyLevel = 0.001

    /// Two-sided standard-normal critical value at `level`, by bisection on erfc.
    static func critical(level: Double) -> Double {
        var lo = 0.0, hi = 20.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if erfc(mid / 2.0.squareRoot()) > level { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    static func meanAndStandardError(_ xs: [Double]) -> (mean: Double, se: Double) {
        let m = xs.reduce(0, +) / Double(xs.count)
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
        return (m, (v / Double(xs.count)).squareRoot())
    }

    static func spec(d: Int, grid: [Int], estimator: EstimatorChoice, samples: Int = 8,
                     limitTerm: LimitTermChoice = .sampled) -> ExperimentSpec {
        var spec = ExperimentSpec(name: "cv", geometry: .polyTail(kappa: 2, radius: .chi), d: d, n: .values(grid),
                                  students: [.linear(init: .zero)], solver: SolverSpec(kind: .closed), seed: 33,
                                  sampler: .gram)
        spec.estimator = estimator
        spec.limitSamples = samples
        spec.limitTerm = limitTerm
        return spec
    }

    /// Per n: the paired differences Y_t − R_t of the trials (mean 0 when Y is unbiased), with
    /// `limitScale` applied to the limit term (1 for the estimator as built).
    static func pairedDifferences(d: Int, grid: [Int], trials: Range<Int>, limitScale: Double,
                                  limitTerm: LimitTermChoice = .sampled) throws -> [Int: [Double]] {
        let cv = try DistillationTrial(spec: spec(d: d, grid: grid, estimator: .controlVariate, limitTerm: limitTerm),
                                       baseDirectory: nil)
        let plain = try DistillationTrial(spec: spec(d: d, grid: grid, estimator: .plain), baseDirectory: nil)
        var out: [Int: [Double]] = [:]
        for t in trials {
            let y = try cv.evaluate(trial: t)
            let r = try plain.evaluate(trial: t)
            for n in grid {
                let layout = cv.layout
                let estimate = y[layout.index("linear", n, .trialTerm)!] + limitScale * y[layout.index("linear", n, .limitTerm)!]
                let plainRisk = r[plain.layout.index("linear", n, .risk)!]
                // The control-variate trial keeps the plain risk of the same draw.
                #expect(y[layout.index("linear", n, .plainRisk)!] == plainRisk)
                #expect(abs(y[layout.index("linear", n, .risk)!] - (y[layout.index("linear", n, .trialTerm)!] + y[layout.index("linear", n, .limitTerm)!])) <= 1e-15)
                out[n, default: []].append(estimate - plainRisk)
            }
        }
        return out
    }

    /// Largest |z| of the mean paired difference over the grid.
    static func largestZ(_ differences: [Int: [Double]]) -> Double {
        differences.values.map { xs in
            let (m, se) = meanAndStandardError(xs)
            return abs(m) / se
        }.max()!
    }

    @Test(arguments: [(100, LimitTermChoice.sampled), (1000, .sampled), (100, .quadrature), (1000, .quadrature)])
    func agreesWithPlainMonteCarloOnTheSameTrials(d: Int, limitTerm: LimitTermChoice) throws {
        let grid = [1, 3, 10, 30]
        let z = Self.critical(level: Self.familyLevel / Double(grid.count))
        let differences = try Self.pairedDifferences(d: d, grid: grid, trials: 0..<3000, limitScale: 1, limitTerm: limitTerm)
        #expect(Self.largestZ(differences) < z)
        // Control: a limit expectation 30% too large is a bias the same test must see.
        let wrong = try Self.pairedDifferences(d: d, grid: grid, trials: 0..<3000, limitScale: 1.3, limitTerm: limitTerm)
        #expect(Self.largestZ(wrong) > z)
    }

    /// The quadrature's limit term is one number per n, the same in every trial, and it is
    /// what `limitTermQuadrature()` states (with an error estimate far below the value).
    @Test func quadratureLimitTermIsTheSameInEveryTrial() throws {
        let grid = [2, 8, 32]
        let trial = try DistillationTrial(spec: Self.spec(d: 1000, grid: grid, estimator: .controlVariate, limitTerm: .quadrature),
                                          baseDirectory: nil)
        let quadrature = try #require(trial.limitTermQuadrature())
        for t in [0, 7, 123] {
            let y = try trial.evaluate(trial: t)
            for (k, n) in grid.enumerated() {
                #expect(y[trial.layout.index("linear", n, .limitTerm)!] == quadrature.values[k])
            }
        }
        #expect(zip(quadrature.values, quadrature.errorEstimates).allSatisfy { $1 < 1e-3 * $0 })
        // The sampled limit term varies from trial to trial.
        let sampled = try DistillationTrial(spec: Self.spec(d: 1000, grid: grid, estimator: .controlVariate), baseDirectory: nil)
        #expect(sampled.limitTermQuadrature() == nil)
        let a = try sampled.evaluate(trial: 0), b = try sampled.evaluate(trial: 1)
        #expect(a[sampled.layout.index("linear", 8, .limitTerm)!] != b[sampled.layout.index("linear", 8, .limitTerm)!])
    }

    /// The limit term's β-only draws against the full teacher frame (sign, radius, s/t) of
    /// `sampleTeacherFrame`, a different code path to the same law of γ_∞.
    @Test func limitTermAgreesWithTheTeacherFrameDraw() throws {
        let geometry = try PolyTailGeometry(dimension: 1000, kappa: 2)
        let grid = [1, 4, 16, 64]
        let risk: (Double) -> Double = { geometry.boundaryMass($0) }
        var cheap: [[Double]] = Array(repeating: [], count: grid.count)
        for t in 0..<4000 {
            var stream = RandomStream(seed: 5, trial: UInt64(t), stream: .limitAngles)
            let means = LimitAngle.meanRisk(of: geometry, grid: grid, samples: 1, risk: risk, using: &stream)
            for k in grid.indices { cheap[k].append(means[k]) }
        }
        func frameSample(_ law: PolyTailGeometry) -> [[Double]] {
            var out: [[Double]] = Array(repeating: [], count: grid.count)
            for t in 0..<4000 {
                var stream = RandomStream(seed: 6, trial: UInt64(t), stream: .transferSet)
                let angles = LimitAngle.angles(frame: law.sampleTeacherFrame(count: grid.last!, using: &stream))
                for (k, n) in grid.enumerated() { out[k].append(risk(angles[n - 1])) }
            }
            return out
        }
        func largestZ(_ other: [[Double]]) -> Double {
            grid.indices.map { k in
                let a = Self.meanAndStandardError(cheap[k]), b = Self.meanAndStandardError(other[k])
                return abs(a.mean - b.mean) / (a.se * a.se + b.se * b.se).squareRoot()
            }.max()!
        }
        let z = Self.critical(level: Self.familyLevel / Double(grid.count))
        #expect(largestZ(frameSample(geometry)) < z)
        // Control: the frame of another law (κ = 2.3) must be told apart.
        #expect(largestZ(frameSample(try PolyTailGeometry(dimension: 1000, kappa: 2.3))) > z)
    }

    /// n = 1: γ_∞ = π/2 − β, so E[f(γ_∞)] = ∫ f(π/2 − θ) dp(θ); for f = p and p(θ) = (2θ/π)²
    /// that is ∫₀¹ (1 − u)² · 2u du = 1/6.
    @Test func limitTermAtOnePointMatchesItsIntegral() throws {
        let geometry = try PolyTailGeometry(dimension: 50, kappa: 2)
        var stream = RandomStream(seed: 9, trial: 0, stream: .limitAngles)
        let samples = 200_000
        let mean = LimitAngle.meanRisk(of: geometry, grid: [1], samples: samples,
                                       risk: { geometry.boundaryMass($0) }, using: &stream)[0]
        // sd of (1 − u)² under density 2u is below 0.25, so 5 se < 0.003.
        #expect(abs(mean - 1.0 / 6) < 0.003)
        #expect(abs(mean - 1.0 / 5) > 0.003, "the control value 1/5 must be out of reach")
    }

    @Test func limitAnglesOfADrawFollowTheOrthonormalFormula() {
        let angles = LimitAngle.angles(along: [1, -2, 0], across: [1, 1, 3])
        #expect(abs(angles[0] - .pi / 4) < 1e-15)
        #expect(abs(angles[1] - atan(1 / 5.0.squareRoot())) < 1e-15)
        #expect(abs(angles[2] - angles[1]) < 1e-15)
        // A point on the teacher axis (t = 0) gives γ_∞ = 0; an empty sum gives π/2.
        #expect(LimitAngle.angles(along: [1], across: [0])[0] == 0)
        #expect(abs(LimitAngle.angle(sumOfSquaredTangents: 0) - .pi / 2) < 1e-15)
    }

    @Test func trialSetupRefusesWhereTheEstimatorDoesNotApply() throws {
        var gaussian = Self.spec(d: 50, grid: [1, 2], estimator: .controlVariate)
        gaussian.geometry = .gaussian
        #expect(gaussian.controlVariateObstacles.count == 1)
        #expect(throws: TrialSetupError.self) { try DistillationTrial(spec: gaussian, baseDirectory: nil) }
        var flow = Self.spec(d: 50, grid: [1, 2], estimator: .controlVariate)
        flow.solver = SolverSpec(kind: .flow)
        #expect(flow.controlVariateObstacles.contains { $0.contains("closed") })
        var ambient = Self.spec(d: 50, grid: [1, 2], estimator: .controlVariate)
        ambient.sampler = .ambient
        #expect(ambient.controlVariateObstacles.contains { $0.contains("gram") })
        #expect(Self.spec(d: 50, grid: [1, 2], estimator: .controlVariate).controlVariateObstacles.isEmpty)
    }
}
