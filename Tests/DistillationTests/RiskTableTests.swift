import Foundation
import Testing
@testable import Distillation

/// The cached axial risk against the adaptive quadrature it interpolates: ≤ 1e-10 relative at
/// angles spread over every regime (tiny γ, the transition near tan γ ~ √d, γ → π/2, γ > π/2),
/// at small, moderate and huge d, plus the special values.
@Suite struct RiskTableTests {
    static let tolerance = 1e-10

    /// Angles from 1e-9 to π/2 − 1e-12 (log-spaced in both tan γ and π/2 − γ), and their
    /// mirror images above π/2.
    static func angles(count: Int) -> [Double] {
        var out: [Double] = []
        for k in 0..<count {
            let u = (Double(k) + 0.5) / Double(count)
            out.append(atan(exp(-20.7 + 48 * u)))      // tan γ from 1e-9 to 7e11
        }
        out += [1e-6, 0.01, 0.5, 1, .pi / 4, .pi / 2 - 1e-6, .pi / 2 - 1e-9]
        return out + out.prefix(6).map { .pi - $0 }
    }

    static func worstRelativeError(_ table: AxialRiskTable, angles: [Double]) -> (Double, Double) {
        var worst = 0.0, at = 0.0
        for g in angles {
            let exact = table.quadrature(g)
            let cached = table.risk(angle: g)
            let error = exact == 0 ? abs(cached) : abs(cached / exact - 1)
            if error > worst { worst = error; at = g }
        }
        print("RiskTable d=\(table.dimension): worst relative error \(worst) at γ = \(at)")
        return (worst, at)
    }

    /// Angles the interpolants answer (not the fallback): the whole range between tan γ = 1e-9
    /// and 1e6·√d for a poly-tail geometry.
    static func interpolatedShare(_ table: AxialRiskTable, angles: [Double]) -> Double {
        let inside = angles.filter { $0 > 0 && $0 < .pi / 2 && tan($0) > 1e-9 && tan($0) < 1e6 * Double(table.dimension).squareRoot() }
        return Double(inside.filter { table.interpolated($0) != nil }.count) / Double(inside.count)
    }

    @Test(arguments: [(2.0, 3), (2.0, 1000), (2.0, 1_000_000), (0.5, 100_000), (3.7, 20), (1.0, 100_000_000)])
    func polyTailTableMatchesTheQuadrature(kappa: Double, d: Int) throws {
        let g = try PolyTailGeometry(dimension: d, kappa: kappa)
        let table = g.riskTable()
        let (worst, at) = Self.worstRelativeError(table, angles: Self.angles(count: 24))
        #expect(worst <= Self.tolerance, "κ = \(kappa), d = \(d): relative error \(worst) at γ = \(at)")
        #expect(Self.interpolatedShare(table, angles: Self.angles(count: 24)) == 1)
        // The table is the geometry's risk function: the public quadrature agrees too.
        #expect(abs(table.risk(angle: 0.7) / g.risk(angle: 0.7) - 1) < 1e-9)
    }

    @Test func marginTableMatchesTheQuadratureAndIsZeroBelowTheMargin() throws {
        let g = try MarginGeometry(dimension: 200, margin: 0.3)
        let table = g.riskTable()
        let (worst, at) = Self.worstRelativeError(table, angles: Self.angles(count: 16) + [0.29, 0.31, 0.35])
        #expect(worst <= Self.tolerance, "relative error \(worst) at γ = \(at)")
        #expect(table.risk(angle: 0.2) == 0)
        // Above the margin, where R is positive and smooth, the interpolants answer.
        #expect(table.interpolated(1.0) != nil && table.interpolated(0.2) == nil)
    }

    @Test func specialValues() throws {
        let table = try PolyTailGeometry(dimension: 1_000_000, kappa: 2).riskTable()
        #expect(table.risk(angle: 0) == 0)
        #expect(table.risk(angle: -1) == 0)
        #expect(table.risk(angle: .nan).isNaN)
        #expect(table.risk(angle: .pi) == 1)
        #expect(abs(table.risk(angle: .pi / 2) - 0.5) < 1e-12)
        #expect(abs(table.risk(angle: .pi / 2) / table.quadrature(.pi / 2) - 1) <= Self.tolerance)
        // γ → 0: R vanishes like tan^κ γ (κ = 2), the table follows it over decades.
        let small = [1e-3, 1e-4, 1e-5].map { table.risk(angle: $0) }
        #expect(abs(small[0] / small[1] - 100) < 1e-3 && abs(small[1] / small[2] - 100) < 1e-5)
        // Symmetry R(π − γ) = 1 − R(γ).
        for g in [0.1, 1.2, 1.5707] { #expect(abs(table.risk(angle: .pi - g) - (1 - table.risk(angle: g))) < 1e-15) }
        // Small dimensions take the closed forms.
        let d2 = try PolyTailGeometry(dimension: 2, kappa: 2).riskTable()
        #expect(abs(d2.risk(angle: 0.4) - 0.5 * pow(0.8 / .pi, 2)) < 1e-15)
    }

    /// A control: the check that guards each piece rejects an interpolant of the wrong function
    /// (the same table for another κ misses by far more than the tolerance).
    @Test func aTableOfAnotherGeometryIsRejected() throws {
        let table = try PolyTailGeometry(dimension: 1000, kappa: 2).riskTable()
        let other = try PolyTailGeometry(dimension: 1000, kappa: 2.001)
        let (worst, _) = Self.worstRelativeError(table, angles: [0.3, 1.0])
        #expect(worst <= Self.tolerance)
        #expect(abs(table.risk(angle: 1.0) / other.risk(angle: 1.0) - 1) > 100 * Self.tolerance)
    }
}
