import Distillation
import Foundation
import Numerics
import Testing

/// The limit term's quadrature E[R(γ_∞,n)] (``LimitRiskQuadrature``) against computations that
/// share none of its code: closed forms and nested adaptive quadratures at n = 1 and 2, and a
/// large plain β-only sample at n up to 200 (z-test at family level 0.001, with a control of
/// another law that the same test must reject).
@Suite struct LimitRiskQuadratureTests {
    /// The boundary mass at the limit angle as the "risk": for n = 1 and p(θ) = (2θ/π)², E[p(π/2 − β)]
    /// = ∫₀¹ (1 − u)² 2u du = 1/6.
    @Test func onePointPolyTailMatchesItsClosedForm() throws {
        let geometry = try PolyTailGeometry(dimension: 50, kappa: 2)
        let q = LimitRiskQuadrature(law: geometry, grid: [1], dimension: 50, risk: { geometry.boundaryMass($0) })
        #expect(abs(q.values[0] - 1.0 / 6) < 1e-6)
        #expect(abs(q.values[0] - 1.0 / 6) <= q.errorEstimates[0])
        #expect(q.errorEstimates[0] < 1e-4 / 6)
        // Control: another law (κ = 1) gives a value far away.
        let other = LimitRiskQuadrature(law: try PolyTailGeometry(dimension: 50, kappa: 1), grid: [1], dimension: 50,
                                        risk: { geometry.boundaryMass($0) })
        #expect(abs(other.values[0] - 1.0 / 6) > 1e-2)
    }

    /// Margin θ₀: E[p(π/2 − β)] = (π/2 − 2θ₀)² / (2(π/2 − θ₀)²) with β uniform on [θ₀, π/2].
    @Test func onePointMarginMatchesItsClosedForm() throws {
        let theta0 = 0.2
        let geometry = try MarginGeometry(dimension: 50, margin: theta0)
        let q = LimitRiskQuadrature(law: geometry, grid: [1], dimension: 50, risk: { geometry.boundaryMass($0) })
        let half = Double.pi / 2
        let exact = (half - 2 * theta0) * (half - 2 * theta0) / (2 * (half - theta0) * (half - theta0))
        // g has a kink at tan²β = cot²θ₀ (p's at θ₀), which costs the cell-mean rule its order
        // there; the estimate still covers the error.
        #expect(abs(q.values[0] - exact) < 1e-5)
        #expect(abs(q.values[0] - exact) <= q.errorEstimates[0])
    }

    /// n = 2 with the risk table of d = 100: ∫∫ R(arctan 1/√(tan²θ₁ + tan²θ₂)) dp(θ₁) dp(θ₂) by
    /// nested adaptive Gauss–Kronrod.
    @Test(arguments: [2.0, 1.0])
    func twoPointsMatchANestedQuadrature(kappa: Double) throws {
        let geometry = try PolyTailGeometry(dimension: 100, kappa: kappa)
        let table = geometry.riskTable()
        let risk: (Double) -> Double = { table.risk(angle: $0) }
        let q = LimitRiskQuadrature(law: geometry, grid: [1, 2], dimension: 100, risk: risk)
        func g(_ s: Double) -> Double { risk(LimitAngle.angle(sumOfSquaredTangents: s)) }
        // In u = (2θ/π)^κ the angle law is uniform on [0, 1].
        func theta(_ u: Double) -> Double { .pi / 2 * pow(u, 1 / kappa) }
        let nested = Quadrature.integrate({ u1 in
            let t1 = tan(theta(u1))
            return Quadrature.integrate({ u2 in
                let t2 = tan(theta(u2))
                return g(t1 * t1 + t2 * t2)
            }, from: 0, to: 1, relativeTolerance: 1e-10, absoluteTolerance: 1e-13, maxIntervals: 400)
        }, from: 0, to: 1, relativeTolerance: 1e-9, absoluteTolerance: 1e-12, maxIntervals: 400)
        let single = Quadrature.integrate({ u in let t = tan(theta(u)); return g(t * t) },
                                          from: 0, to: 1, relativeTolerance: 1e-11, absoluteTolerance: 1e-14, maxIntervals: 400)
        #expect(abs(q.values[0] - single) < 1e-6 * single, "n = 1: \(q.values[0]) vs \(single)")
        #expect(abs(q.values[1] - nested) < 1e-5 * nested, "n = 2: \(q.values[1]) vs \(nested)")
        #expect(abs(q.values[1] - nested) <= q.errorEstimates[1])
        #expect(q.errorEstimates[1] < 1e-3 * nested)
        // Control: the same integral one point short is far away.
        #expect(abs(q.values[1] - single) > 1e-2 * nested)
    }

    /// The stated error estimate covers the distance to a finer computation: the estimate at
    /// 20 cells per decade bounds its distance to the values at 40, and at 40 (the default) it
    /// is below 2·10⁻³ of the value at d = 10⁴, n up to 200.
    @Test func errorEstimateCoversARefinement() throws {
        let geometry = try PolyTailGeometry(dimension: 10_000, kappa: 2)
        let table = geometry.riskTable()
        let grid = [5, 24, 70, 200]
        let coarse = LimitRiskQuadrature(law: geometry, grid: grid, dimension: 10_000, cellsPerDecade: 20,
                                         risk: { table.risk(angle: $0) })
        let fine = LimitRiskQuadrature(law: geometry, grid: grid, dimension: 10_000, cellsPerDecade: 40,
                                       risk: { table.risk(angle: $0) })
        for k in grid.indices {
            #expect(abs(coarse.values[k] - fine.values[k]) <= coarse.errorEstimates[k], "n = \(grid[k])")
            #expect(fine.errorEstimates[k] < 2e-3 * fine.values[k], "n = \(grid[k]): \(fine.errorEstimates[k]) vs \(fine.values[k])")
        }
    }

    static func meanAndStandardError(_ xs: [Double]) -> (mean: Double, se: Double) {
        let m = xs.reduce(0, +) / Double(xs.count)
        let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)
        return (m, (v / Double(xs.count)).squareRoot())
    }

    /// 40 000 independent β-only sets of `law` (one per stream, keyed by `seed`): at each n of
    /// `grid`, the risk at the limit angle of each set.
    static func plainSample(_ law: some BoundaryAngleLaw, grid: [Int], seed: UInt64,
                            risk: (Double) -> Double) -> [[Double]] {
        var sample: [[Double]] = Array(repeating: [], count: grid.count)
        for t in 0..<40_000 {
            var stream = RandomStream(seed: seed, trial: UInt64(t), stream: .limitAngles)
            let means = LimitAngle.meanRisk(of: law, grid: grid, samples: 1, risk: risk, using: &stream)
            for k in grid.indices { sample[k].append(means[k]) }
        }
        return sample
    }

    /// The largest |z| over the grid of the quadrature against the sample, its error estimate
    /// added in quadrature to the sample's standard error.
    static func largestZ(_ q: LimitRiskQuadrature, against sample: [[Double]]) -> Double {
        sample.indices.map { k in
            let (m, se) = meanAndStandardError(sample[k])
            return abs(m - q.values[k]) / (se * se + q.errorEstimates[k] * q.errorEstimates[k]).squareRoot()
        }.max()!
    }

    /// Against 40 000 independent β-only sets (`LimitAngle.meanRisk`, one set per stream) at
    /// d = 1000, n up to 200: two-sided z at family level 0.001 (Bonferroni over the grid,
    /// |z| < 3.48). Control: the quadrature of κ = 2.3 must be rejected by the same test.
    @Test func largeNAgreesWithAPlainSample() throws {
        let d = 1000
        let geometry = try PolyTailGeometry(dimension: d, kappa: 2)
        let table = geometry.riskTable()
        let risk: (Double) -> Double = { table.risk(angle: $0) }
        let grid = [5, 20, 80, 200]
        let sample = Self.plainSample(geometry, grid: grid, seed: 71, risk: risk)
        let z = 3.48
        let q = LimitRiskQuadrature(law: geometry, grid: grid, dimension: d, risk: risk)
        #expect(Self.largestZ(q, against: sample) < z)
        let other = try PolyTailGeometry(dimension: d, kappa: 2.3)
        #expect(Self.largestZ(LimitRiskQuadrature(law: other, grid: grid, dimension: d, risk: risk), against: sample) > z)
    }

    /// Margin θ₀ = 0.2 at d = 100, n = 1 … 8, against 40 000 plain β-only sets (|z| < 3.48,
    /// family level 0.001 over the four n, the quadrature's error estimate added in quadrature
    /// to the sample's standard error); control: θ₀ = 0.25's quadrature is rejected.
    @Test func marginAgreesWithAPlainSample() throws {
        let d = 100
        let geometry = try MarginGeometry(dimension: d, margin: 0.2)
        let table = geometry.riskTable()
        let risk: (Double) -> Double = { table.risk(angle: $0) }
        let grid = [1, 2, 4, 8]
        let sample = Self.plainSample(geometry, grid: grid, seed: 72, risk: risk)
        let q = LimitRiskQuadrature(law: geometry, grid: grid, dimension: d, risk: risk)
        #expect(Self.largestZ(q, against: sample) < 3.48)
        // The margin's S_n sits at its lower edge n·tan²θ₀, where R is a steep rare event, so the
        // stated error grows with n (to about 1% at n = 8 here): bounded, not negligible.
        #expect(zip(q.values, q.errorEstimates).allSatisfy { $1 < 2e-2 * $0 }, "\(q.values) ± \(q.errorEstimates)")
        let other = LimitRiskQuadrature(law: try MarginGeometry(dimension: d, margin: 0.25), grid: grid, dimension: d, risk: risk)
        #expect(Self.largestZ(other, against: sample) > 3.48)
    }
}
