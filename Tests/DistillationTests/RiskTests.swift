import Foundation
import Testing
@testable import Distillation

@Suite struct RiskTests {
    @Test(arguments: [2, 3, 4, 10, 1000, 1_000_000])
    func axialQuadratureMatchesAngleFormulaForGaussian(dimension d: Int) throws {
        let geometry = try GaussianGeometry(dimension: d)
        for gamma in [0, 1e-6, 0.01, 0.3, 1.0, Double.pi / 2, 2.0, 3.0, Double.pi] {
            let r = geometry.risk(angle: gamma)
            #expect(abs(r - gamma / .pi) <= 1e-9, "d = \(d), γ = \(gamma): \(r) vs \(gamma / .pi)")
        }
    }

    @Test func axialRiskSpecialValues() throws {
        let geometry = try PolyTailGeometry(dimension: 5, kappa: 0.5)
        #expect(geometry.risk(angle: 0) == 0)
        #expect(abs(geometry.risk(angle: .pi / 2) - 0.5) < 1e-12)
        #expect(abs(geometry.risk(angle: .pi) - 1) < 1e-12)
        #expect(geometry.risk(angle: .nan).isNaN)
        // Angles outside [0, π] are clamped.
        #expect(geometry.risk(angle: -1) == 0)
        #expect(abs(geometry.risk(angle: 4) - 1) < 1e-12)
        // Symmetry R(π − γ) = 1 − R(γ) and monotonicity in γ.
        let r1 = geometry.risk(angle: 0.4), r2 = geometry.risk(angle: .pi - 0.4)
        #expect(abs(r1 + r2 - 1) < 1e-12)
        #expect(geometry.risk(angle: 0.3) < r1)
    }

    @Test func gaussianExpectationReproducesTheory() {
        #expect(abs(GaussianExpectation.expectedRisk(count: 10, dimension: 100) - 0.39968) < 1e-5)
        #expect(abs(GaussianExpectation.expectedRisk(count: 50, dimension: 100) - 0.25) < 1e-10)
        #expect(abs(GaussianExpectation.expectedRisk(count: 90, dimension: 100) - 0.10032) < 1e-5)
        #expect(GaussianExpectation.expectedRisk(count: 100, dimension: 100) == 0)
        #expect(GaussianExpectation.expectedRisk(count: 500, dimension: 100) == 0)
    }

    @Test func gaussianExpectationMatchesSciPy() throws {
        for row in try GeometryTestSupport.fixtureRows("risk_gaussian_expectation") {
            let (d, n, reference) = (Int(row[0]), Int(row[1]), row[2])
            let value = GaussianExpectation.expectedRisk(count: n, dimension: d)
            #expect(abs(value - reference) < 1e-10, "d = \(d), n = \(n): \(value) vs \(reference)")
        }
    }
}

@Suite struct RiskSpecialValueTests {
    /// A zero student has no direction: the exact evaluators return NaN rather than a number.
    @Test func zeroStudentGivesNaN() throws {
        let zero = [Double](repeating: 0, count: 4)
        #expect(try GaussianGeometry(dimension: 4).risk(of: zero).value.isNaN)
        #expect(try PolyTailGeometry(dimension: 4, kappa: 1).risk(of: zero).value.isNaN)
        #expect(VectorAngle.between(zero, [1, 0, 0, 0]).isNaN)
    }

    /// Angles of nearly parallel huge or tiny vectors stay accurate (no arccos of a rounded cosine).
    @Test func vectorAngleAtExtremeMagnitudes() {
        for scale in [1e-300, 1.0, 1e300] {
            let a = [scale, 0, 0], b = [scale, scale * 1e-9, 0]
            #expect(abs(VectorAngle.between(a, b) - 1e-9) < 1e-20)
            #expect(abs(VectorAngle.between(a, a.map { -$0 }) - .pi) < 1e-15)
        }
    }

    /// A student at a tiny angle: R(γ) ≈ γ/π also for the quadrature path.
    @Test func tinyAngle() throws {
        let g = try PolyTailGeometry(dimension: 50, kappa: 1)
        let r = g.risk(angle: 1e-12)
        #expect(r >= 0 && r < 1e-10)
        #expect(!GaussianExpectation.expectedRisk(count: 1, dimension: 1_000_000).isNaN)
    }
}
