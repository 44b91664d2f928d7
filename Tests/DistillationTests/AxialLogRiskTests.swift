import Foundation
import Testing
import Numerics
@testable import Distillation

/// ln R(γ) without the quadrature's cut-off (``AxialLogRisk``) and the risk table's use of it,
/// against mpmath at 40 digits (Fixtures/make_log_risk_reference.py): margin θ0 = 0.2 from
/// 1e-7 above the margin to γ = 1.5 at d = 100 … 10^8, poly-tail κ = 2 and 0.5 down to γ = 1e-12.
@Suite struct AxialLogRiskTests {
    struct Row {
        var margin: Bool
        var parameter: Double
        var d: Int
        var gamma: Double
        var logRisk: Double
    }

    static func rows() throws -> [Row] {
        try GeometryTestSupport.fixtureRows("log_risk_reference").map {
            Row(margin: $0[0] == 0, parameter: $0[1], d: Int($0[2]), gamma: $0[3], logRisk: $0[4])
        }
    }

    /// The row's boundary mass p and its kinks (the geometries' own formulas; a geometry
    /// object would hold a teacher of d numbers, 800 MB at d = 10^8).
    struct Mass {
        var kinks: [Double]
        var p: @Sendable (Double) -> Double
        func table(_ d: Int) -> AxialRiskTable { AxialRiskTable(dimension: d, kinks: kinks, boundaryMass: p) }
    }

    static func margin(_ theta0: Double) -> Mass {
        Mass(kinks: [theta0]) { theta in
            theta.isNaN ? .nan : theta >= .pi / 2 ? 1 : max(0, (theta - theta0) / (.pi / 2 - theta0))
        }
    }

    static func mass(_ row: Row) -> Mass {
        if row.margin { return margin(row.parameter) }
        let kappa = row.parameter
        return Mass(kinks: []) { theta in
            theta.isNaN ? .nan : theta <= 0 ? 0 : theta >= .pi / 2 ? 1 : pow(2 * theta / .pi, kappa)
        }
    }

    @Test func theMassesAreTheGeometriesOwn() throws {
        let margin = try MarginGeometry(dimension: 50, margin: 0.2), poly = try PolyTailGeometry(dimension: 50, kappa: 0.5)
        for theta in stride(from: 0.0, through: 1.6, by: 0.01) {
            #expect(abs(Self.margin(0.2).p(theta) - margin.boundaryMass(theta)) < 1e-15)
            #expect(abs(Self.mass(Row(margin: false, parameter: 0.5, d: 50, gamma: 0, logRisk: 0)).p(theta) - poly.boundaryMass(theta)) < 1e-15)
        }
    }

    /// Accepted |Δ ln R|: 1e-11 (a relative error in R), plus the rounding of ln R's own size
    /// (|ln R| ~ 10^9 at d = 10^8 has an ulp of 1e-7), plus, just above a margin, the
    /// conditioning of ln R in the angle: ln R ≈ ½(d − 3) ln(γ − θ0) + …, so the rounding of
    /// θ(φ) − θ0 in the integrand moves it by about d·γ/(γ − θ0) ulps.
    static func accepted(_ computed: Double, _ row: Row) -> Bool {
        let conditioning = row.margin ? 4 * Double(row.d) * row.gamma / (row.gamma - row.parameter) : 0
        return abs(computed - row.logRisk) <= 1e-11 + (64 * abs(row.logRisk) + conditioning) * Double.ulpOfOne
    }

    @Test func logRiskMatchesTheHighPrecisionReference() throws {
        let rows = try Self.rows()
        #expect(rows.count > 70)
        var worst = 0.0
        for row in rows {
            let g = Self.mass(row)
            let direct = AxialLogRisk.logRisk(angle: row.gamma, dimension: row.d, kinks: g.kinks, boundaryMass: g.p)
            let cached = g.table(row.d).logRisk(angle: row.gamma)
            worst = max(worst, abs(direct - row.logRisk) / (1 + abs(row.logRisk)))
            #expect(Self.accepted(direct, row),
                    "d = \(row.d), γ = \(row.gamma): ln R \(direct), reference \(row.logRisk)")
            #expect(Self.accepted(cached, row) || abs(cached - row.logRisk) < 1e-10,
                    "table, d = \(row.d), γ = \(row.gamma): ln R \(cached), reference \(row.logRisk)")
        }
        print("AxialLogRisk: worst |Δ ln R|/(1 + |ln R|) = \(worst)")
    }

    /// The control: the cut quadrature fails the same acceptance at tail points (R = 0 where the
    /// error region starts beyond the cut, short where part of it does), so the comparison can
    /// reject, and it is the cut-off that the log-space quadrature repairs.
    @Test func theCutQuadratureFailsTheReferenceInTheTail() throws {
        let rows = try Self.rows().filter { $0.margin && (($0.d == 1000 && $0.gamma == 0.5) || ($0.d == 10_000 && $0.gamma == 0.8)) }
        #expect(rows.count == 2)
        for row in rows {
            let g = Self.mass(row)
            let cut = AxialRisk.risk(angle: row.gamma, dimension: row.d, kinks: g.kinks, massTolerance: 0, boundaryMass: g.p)
            #expect(!Self.accepted(log(cut), row), "d = \(row.d): the cut value \(cut) passed")
            // … while above the threshold the cut quadrature is the reference to its tolerance.
        }
        let near = try Self.rows().first { $0.margin && $0.d == 1000 && $0.gamma == 1.2 }!
        let g = Self.mass(near)
        let cut = AxialRisk.risk(angle: near.gamma, dimension: near.d, kinks: g.kinks, massTolerance: 0, boundaryMass: g.p)
        #expect(Self.accepted(log(cut), near))
    }

    /// Where the cut quadrature is accurate (R ≥ 10^13·½·p(γ)·τ_d) the table returns exactly what
    /// it returned before the log-space path existed; below, R = e^{ln R}.
    @Test(arguments: [100, 1000, 10_000, 1_000_000])
    func aboveTheThresholdTheTableIsUnchanged(d: Int) throws {
        let mass = Self.margin(0.2)
        let table = mass.table(d)
        var above = 0, below = 0
        for k in 0..<200 {
            let gamma = 0.2 + 1.37 * pow(Double(k) / 199, 2)
            let old = table.interpolated(gamma) ?? table.quadrature(gamma)
            let (r, l) = table.riskAndLogarithm(angle: gamma)
            if old >= table.cutoffThreshold * mass.p(gamma) && mass.p(gamma) > 0 {
                above += 1
                #expect(r.bitPattern == old.bitPattern && l == log(old), "d = \(d), γ = \(gamma)")
            } else if mass.p(gamma) > 0 {
                below += 1
                #expect(r == exp(l) && l < log(table.cutoffThreshold * mass.p(gamma)) + 1e-6)
            }
        }
        #expect(above > 0)
        if d >= 1000 { #expect(below > 0) }
    }

    /// The two paths meet at the threshold: bisect γ to where the cut value crosses it and
    /// compare the log-space value with the cut quadrature's on both sides.
    @Test(arguments: [1000, 10_000])
    func continuousAcrossTheThreshold(d: Int) throws {
        let mass = Self.margin(0.2)
        let table = mass.table(d)
        func excess(_ gamma: Double) -> Double {
            log(table.quadrature(gamma)) - log(table.cutoffThreshold * mass.p(gamma))
        }
        var (lo, hi) = (0.21, 1.5)
        #expect(excess(lo) < 0 && excess(hi) > 0)
        for _ in 0..<60 {
            let mid = 0.5 * (lo + hi)
            if excess(mid) < 0 { lo = mid } else { hi = mid }
        }
        for gamma in [lo - 1e-3, lo, hi, hi + 1e-3] {
            let quadrature = log(table.quadrature(gamma))
            let logSpace = table.tailLogRisk(gamma)
            #expect(abs(logSpace - quadrature) < 1e-11, "d = \(d), γ = \(gamma): \(logSpace) vs \(quadrature)")
        }
        #expect(abs(table.logRisk(angle: lo) - table.logRisk(angle: hi)) < 1e-9 * max(1, abs(table.logRisk(angle: hi))))
    }

    /// The plain risk is the cut quadrature's, short of the log-space value by at most
    /// ½·p(γ)·τ_d; the bound on ln R holds for the log-space value.
    @Test(arguments: [1000, 10_000])
    func plainRiskIsTheCutQuadratureWithinItsStatedShortfall(d: Int) throws {
        let mass = Self.margin(0.2)
        let table = mass.table(d)
        var below = 0
        for k in 1..<80 {
            let gamma = 0.2 + 1.37 * pow(Double(k) / 80, 2)
            let (r, l) = table.riskAndLogarithm(angle: gamma)
            let bound = try #require(table.logUpperBound(gamma))
            #expect(l <= bound + 1e-9, "d = \(d), γ = \(gamma): ln R \(l) above its bound \(bound)")
            let plain = table.risk(angle: gamma)
            let cut = table.interpolated(gamma) ?? table.quadrature(gamma)
            #expect(plain.bitPattern == cut.bitPattern)
            let shortfall = 0.5 * mass.p(gamma) * table.cutoffTailFraction
            #expect(r - plain <= shortfall + 1e-10 * r && plain - r <= 1e-10 * r,  // the table's stated accuracy
                    "d = \(d), γ = \(gamma): plain \(plain), log-space \(r), shortfall bound \(shortfall)")
            if plain < r { below += 1 }
        }
        #expect(below > 0, "some angles lie where the cut loses part of R")
    }

    @Test func specialValues() throws {
        let g = Self.margin(0.2)
        let table = g.table(10_000)
        #expect(table.logRisk(angle: 0) == -.infinity && table.risk(angle: 0) == 0)
        // At the margin itself p(γ) = 0, so R = 0; 1e-12 above it R > 0 but far below a double.
        // (Within a few ulps of the margin θ(φ) − θ0 is not resolved and ln R may be −∞.)
        #expect(table.logRisk(angle: 0.2) == -.infinity)
        let justAbove = AxialLogRisk.logRisk(angle: 0.2 + 1e-12, dimension: 10_000, kinks: [0.2], boundaryMass: g.p)
        #expect(justAbove.isFinite && justAbove < -1e5 && justAbove < table.logRisk(angle: 0.2000001))
        #expect(table.logRisk(angle: .nan).isNaN && table.risk(angle: .nan).isNaN)
        // Above π/2, R = 1 − R(π − γ) ≥ ½: its plain logarithm.
        #expect(abs(table.logRisk(angle: 2.0) - log(table.risk(angle: 2.0))) < 1e-15)
        #expect(abs(table.logRisk(angle: .pi) - 0) < 1e-15 && table.logRisk(angle: .pi / 2) > log(0.5) - 1e-12)
        // ln R decreases towards the margin, and is finite at huge d.
        let huge = AxialLogRisk.logRisk(angle: 0.3, dimension: 1_000_000_000, kinks: [0.2], boundaryMass: g.p)
        #expect(huge.isFinite && huge < -2e8)
        #expect(table.logRisk(angle: 0.25) < table.logRisk(angle: 0.3))
        // d = 3 (no weight) and small d (no cut): the log-space value is the quadrature's log.
        for d in [3, 4, 50] {
            let q = AxialRisk.risk(angle: 0.4, dimension: d, kinks: [0.2], massTolerance: 0, boundaryMass: g.p)
            let l = AxialLogRisk.logRisk(angle: 0.4, dimension: d, kinks: [0.2], boundaryMass: g.p)
            #expect(abs(l - log(q)) < 1e-11, "d = \(d)")
        }
        #expect(AxialLogRisk.cutoffTailFraction(dimension: 50) == 0)
        let tail = AxialLogRisk.cutoffTailFraction(dimension: 1000)
        #expect(tail > 0 && tail < 1e-35)
    }

    /// The importance estimator's product from ln R: the same bits as the product from R where
    /// R is a double, and finite where R is not.
    @Test func weightedFromTheLogarithmKeepsTheBits() {
        var stream = RandomStream(seed: 5, trial: 0, stream: .transferSet)
        for _ in 0..<1000 {
            let value = exp(-700 * stream.uniform())
            let logWeight = 40 * (stream.uniform() - 0.5)
            #expect(LogSpace.weighted(logValue: log(value), logWeight: logWeight).bitPattern
                    == LogSpace.weighted(value, logWeight: logWeight).bitPattern)
        }
        #expect(LogSpace.weighted(logValue: -800, logWeight: 100) > 0)
        #expect(LogSpace.weighted(logValue: -.infinity, logWeight: 100) == 0)
        #expect(LogSpace.weighted(logValue: .nan, logWeight: 1).isNaN)
    }
}
