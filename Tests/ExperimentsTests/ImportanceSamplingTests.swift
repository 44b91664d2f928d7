import Distillation
import Foundation
import Numerics
import Testing
import Experiments

/// The importance estimator (docs/THEORY.md §9) on the margin geometry: the tilted law is a
/// density, the weighted values agree with plain Monte Carlo where plain Monte Carlo is
/// precise, and a weight with a wrong normalising constant is caught by the same test. The
/// z-tests run at the family level 0.001, split by Bonferroni over the n's they test.
@Suite struct ImportanceSamplingTests {
    static let familyLevel = 0.001
    static let grid = [1, 2, 3, 4, 6]

    static func spec(d: Int = 100, grid: [Int] = grid, estimator: EstimatorChoice) -> ExperimentSpec {
        var spec = ExperimentSpec(name: "is", geometry: .margin(theta0: 0.2, radius: .chi), d: d, n: .values(grid),
                                  students: [.linear(init: .zero)], solver: SolverSpec(kind: .closed), seed: 41,
                                  sampler: .gram)
        spec.estimator = estimator
        return spec
    }

    /// Per n: the trials' values of `quantity`, with the weight of prefix n multiplied by
    /// e^{n·logFactor} (0 for the estimator as built; a wrong normalising constant otherwise).
    static func values(_ trial: DistillationTrial, _ quantity: CurveLayout.Quantity = .risk,
                       trials: Range<Int>, logFactor: Double = 0) throws -> [Int: [Double]] {
        var out: [Int: [Double]] = [:]
        for t in trials {
            let y = try trial.evaluate(trial: t)
            for n in trial.grid {
                let value = y[trial.layout.index("linear", n, quantity)!]
                out[n, default: []].append(value * exp(Double(n) * logFactor))
            }
        }
        return out
    }

    /// Largest |z| of the difference of two independent samples' means over the grid.
    static func largestZ(_ a: [Int: [Double]], _ b: [Int: [Double]]) -> Double {
        a.keys.map { n in
            let x = ControlVariateTests.meanAndStandardError(a[n]!), y = ControlVariateTests.meanAndStandardError(b[n]!)
            return abs(x.mean - y.mean) / (x.se * x.se + y.se * y.se).squareRoot()
        }.max()!
    }

    @Test func agreesWithPlainMonteCarloWherePlainIsPrecise() throws {
        let plain = try DistillationTrial(spec: Self.spec(estimator: .plain), baseDirectory: nil)
        let importance = try DistillationTrial(spec: Self.spec(estimator: .importance), baseDirectory: nil)
        // Disjoint trials, so the two samples are independent.
        let reference = try Self.values(plain, trials: 0..<6000)
        let z = ControlVariateTests.critical(level: Self.familyLevel / Double(Self.grid.count))
        #expect(Self.largestZ(try Self.values(importance, trials: 6000..<9000), reference) < z)
        // The certificate p(γ) is weighted as well and stays unbiased.
        #expect(Self.largestZ(try Self.values(importance, .certificate, trials: 6000..<9000),
                              try Self.values(plain, .certificate, trials: 0..<6000)) < z)
        // Control: the weight without the tilted density's normalising constant 1 − e^{−λL}
        // (a factor (1 − e^{−λL})^n too small) is a bias the same test must see.
        let tilt = try #require(importance.importance?.tilt)
        let missing = log(-expm1(-tilt.rate * tilt.width))
        #expect(Self.largestZ(try Self.values(importance, trials: 6000..<9000, logFactor: missing), reference) > z)
    }

    /// Flow-trained and deep students carry their draw's weight. The flow from 0 and a balanced
    /// deep start end at the closed form's limit (L1, L2), so on the same tilted draws their
    /// weighted risks are the closed-form estimator's, and a random deep start keeps the same
    /// weights.
    @Test func flowTrainedAndDeepStudentsTakeTheirDrawsWeights() throws {
        let grid = [1, 2]
        var flowSpec = Self.spec(d: 12, grid: grid, estimator: .importance)
        flowSpec.solver = SolverSpec(kind: .flow)
        flowSpec.students = [.linear(init: .zero), .deepLinear(depth: 2, widths: [3], init: .balanced(scale: 0.5)),
                             .deepLinear(depth: 2, widths: [3], init: .random(scale: 0.5))]
        let flow = try DistillationTrial(spec: flowSpec, baseDirectory: nil)
        let closed = try DistillationTrial(spec: Self.spec(d: 12, grid: grid, estimator: .importance), baseDirectory: nil)
        let labels = flow.students.map(\.label)
        for t in 0..<8 {
            let y = try flow.evaluate(trial: t), c = try closed.evaluate(trial: t)
            for n in grid {
                let reference = c[closed.layout.index("linear", n, .risk)!]
                let weight = c[closed.layout.index("linear", n, .logWeight)!]
                for label in labels {
                    #expect(abs(y[flow.layout.index(label, n, .logWeight)!] - weight) <= 1e-12)
                }
                for label in labels.prefix(2) {
                    let risk = y[flow.layout.index(label, n, .risk)!]
                    #expect(abs(risk - reference) <= 1e-6 * max(reference, 1e-300), "\(label), trial \(t), n = \(n)")
                }
            }
        }
    }

    /// A student with a random start of its own (the linear limit P w* + (I − P) w(0), whose risk
    /// is not the zero start's) is unbiased against plain Monte Carlo under the weights of its
    /// draw (z-test at the family level, Bonferroni over n); the estimate without the tilt's
    /// normalising constant is rejected by the same test.
    @Test func aStudentWithItsOwnRandomStartIsUnbiased() throws {
        var plainSpec = Self.spec(estimator: .plain)
        plainSpec.students = [.linear(init: .random(scale: 1))]
        var tiltedSpec = plainSpec
        tiltedSpec.estimator = .importance
        let plain = try DistillationTrial(spec: plainSpec, baseDirectory: nil)
        let tilted = try DistillationTrial(spec: tiltedSpec, baseDirectory: nil)
        let label = plain.students[0].label
        func risks(_ trial: DistillationTrial, _ trials: Range<Int>, logFactor: Double = 0) throws -> [Int: [Double]] {
            var out: [Int: [Double]] = [:]
            for t in trials {
                let y = try trial.evaluate(trial: t)
                for n in trial.grid {
                    out[n, default: []].append(y[trial.layout.index(label, n, .risk)!] * exp(Double(n) * logFactor))
                }
            }
            return out
        }
        let reference = try risks(plain, 0..<6000)
        let z = ControlVariateTests.critical(level: Self.familyLevel / Double(Self.grid.count))
        #expect(Self.largestZ(try risks(tilted, 6000..<9000), reference) < z)
        let tilt = try #require(tilted.importance?.tilt)
        let missing = log(-expm1(-tilt.rate * tilt.width))
        #expect(Self.largestZ(try risks(tilted, 6000..<9000, logFactor: missing), reference) > z)
    }

    @Test func stepsAreDifferencesOfTheWeightedRisksAndWeightsAreNested() throws {
        let trial = try DistillationTrial(spec: Self.spec(estimator: .importance), baseDirectory: nil)
        let tilt = try #require(trial.importance?.tilt)
        for t in 0..<50 {
            let y = try trial.evaluate(trial: t)
            func v(_ n: Int, _ q: CurveLayout.Quantity) -> Double { y[trial.layout.index("linear", n, q)!] }
            for (previous, n) in zip(Self.grid, Self.grid.dropFirst()) {
                #expect(abs(v(n, .step) - (v(n, .risk) - v(previous, .risk))) <= 1e-15 * max(1, abs(v(previous, .risk))))
            }
            // Prefix 1's weight is point 1's own ratio, from the same stream as the draw.
            var stream = RandomStream(seed: 41, trial: UInt64(t), stream: .transferSet)
            let geometry = try MarginGeometry(dimension: 100, margin: 0.2)
            let drawn = geometry.sampleTiltedGramTransferSet(count: Self.grid.last!, tilt: tilt, using: &stream)
            for n in Self.grid { #expect(abs(v(n, .logWeight) - drawn.logWeights[n - 1]) <= 1e-12) }
            let beta = atan2(abs(drawn.set.frame.along[0]), drawn.set.frame.across[0])
            #expect(abs(drawn.logWeights[0] - tilt.logLikelihoodRatio(angle: beta)) < 1e-9)
        }
    }

    /// E_q[p/q] = 1 by quadrature, and the inversion maps [0, 1) onto [θ₀, π/2).
    @Test(arguments: [0.5, 5.0, 40.0])
    func tiltIsADensityWithTheStatedRatio(rate: Double) {
        let tilt = MarginTilt(rate: rate, margin: 0.2)
        // ∫ q(β) dβ = ∫ p(β) e^{−log p/q} dβ over [θ₀, π/2], p = 1/L.
        let m = 20_000
        var integral = 0.0
        for k in 0..<m {
            let beta = tilt.margin + tilt.width * (Double(k) + 0.5) / Double(m)
            integral += exp(-tilt.logLikelihoodRatio(angle: beta)) / Double(m)
        }
        #expect(abs(integral - 1) < 1e-6)
        #expect(abs(tilt.angle(uniform: 0) - 0.2) < 1e-15)
        #expect(abs(tilt.angle(uniform: 1) - .pi / 2) < 1e-12)
        // The median under q: half the mass below it.
        let median = tilt.angle(uniform: 0.5)
        let below = (1 - exp(-rate * (median - 0.2))) / -expm1(-rate * tilt.width)
        #expect(abs(below - 0.5) < 1e-12)
    }

    @Test func logSpaceProductsKeepTheirRangeAndSpecialValues() {
        // e^{800} overflows a double, 1e-300 · e^{800} does not.
        let big = LogSpace.weighted(1e-300, logWeight: 800)
        #expect(big.isFinite && abs(log(big) - (log(1e-300) + 800)) < 1e-9)
        #expect(LogSpace.weighted(0, logWeight: 1000) == 0)
        #expect(LogSpace.weighted(0, logWeight: .infinity) == 0)
        #expect(LogSpace.weighted(.nan, logWeight: 0).isNaN)
        #expect(LogSpace.weighted(1, logWeight: .nan).isNaN)
        #expect(abs(LogSpace.weighted(-2, logWeight: log(3)) + 6) < 1e-14)
        #expect(LogSpace.weighted(1e-300, logWeight: -800) == 0, "below the smallest subnormal")
        #expect(LogSpace.log10OfMean(0) == -.infinity)
        #expect(LogSpace.log10OfMean(-1e-20).isNaN)
        #expect(LogSpace.log10OfMean(.nan).isNaN)
        #expect(abs(LogSpace.log10OfMean(1e-300) + 300) < 1e-12)
    }

    @Test func refusedWhereTheEstimatorDoesNotApply() throws {
        var poly = Self.spec(estimator: .importance)
        poly.geometry = .polyTail(kappa: 2, radius: .chi)
        #expect(poly.importanceObstacles.contains { $0.contains("margin") })
        #expect(throws: TrialSetupError.self) { try DistillationTrial(spec: poly, baseDirectory: nil) }
        // Flow-trained and deep students take the weights of their draw like the closed form.
        var flow = Self.spec(estimator: .importance)
        flow.solver = SolverSpec(kind: .flow)
        flow.students = [.linear(init: .zero), .deepLinear(depth: 2, widths: [4], init: .random(scale: 0.1))]
        #expect(flow.importanceObstacles.isEmpty)
        var ambient = Self.spec(estimator: .importance)
        ambient.sampler = .ambient
        #expect(ambient.importanceObstacles.contains { $0.contains("gram") })
        #expect(Self.spec(estimator: .importance).importanceObstacles.isEmpty)
    }

    @Test func tiltRateIsReadValidatedAndUsed() throws {
        let base = #"{"name": "is", "geometry": {"kind": "margin", "theta0": 0.2}, "d": 100, "n": [1, 20], "students": ["linear"], "solver": "closed""#
        let validator = ExperimentValidator()
        let given = try validator.validate(data: Data((base + #", "estimator": "importance", "tilt_rate": 7.5}"#).utf8))
        #expect(given.experiments[0].tiltRate == 7.5)
        #expect(try DistillationTrial(spec: given.experiments[0], baseDirectory: nil).importance?.tilt.rate == 7.5)
        // Without it, the formula of the experiment's N and d: 20·√100/40 = 5.
        let formula = try validator.validate(data: Data((base + #", "estimator": "importance"}"#).utf8))
        #expect(try DistillationTrial(spec: formula.experiments[0], baseDirectory: nil).importance?.tilt.rate == 5)
        for bad in [#", "tilt_rate": 5}"#, #", "estimator": "importance", "tilt_rate": 0}"#, #", "estimator": "importance", "tilt_rate": 1e9}"#] {
            #expect(throws: (any Error).self) { try validator.validate(data: Data((base + bad).utf8)) }
        }
    }
}
