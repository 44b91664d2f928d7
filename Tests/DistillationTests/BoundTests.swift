import Foundation
import Testing
@testable import Distillation

@Suite struct BoundTests {
    @Test func boundDominatesGaussianExpectation() throws {
        let g = try GaussianGeometry(dimension: 20)
        for n in [1, 5, 10, 19] {
            let b = g.riskBound(count: n)
            let exact = GaussianExpectation.expectedRisk(count: n, dimension: 20)
            #expect(b.value >= exact, "n = \(n): bound \(b.value) < E[R] \(exact)")
            // The value is the objective at the returned θ (a valid bound in itself).
            let p = g.boundaryMass
            #expect(abs(b.value - (p(b.argument) + pow(p(.pi / 2 - b.argument), Double(n)))) < 1e-14)
        }
    }

    /// With p(θ) = (2θ/π)^κ the objective of B is that of C2 with t = 2θ/π, so they agree.
    @Test(arguments: [0.5, 1.0, 2.0])
    func polyTailBoundEqualsC2(kappa: Double) throws {
        let g = try PolyTailGeometry(dimension: 10, kappa: kappa)
        var previous = Double.infinity
        for n in [1, 3, 10, 100, 1000] {
            let b = g.riskBound(count: n), c2 = RiskBound.polynomial(count: n, kappa: kappa)
            #expect(b.value <= c2.value + 1e-9, "κ = \(kappa), n = \(n)")
            #expect(abs(b.value - c2.value) <= 1e-9, "κ = \(kappa), n = \(n): \(b.value) vs \(c2.value)")
            if n > 1 {  // at n = 1, κ = 1 the objective is flat and the argument not unique
                #expect(abs(b.argument * 2 / .pi - c2.argument) <= 1e-4, "κ = \(kappa), n = \(n)")
            }
            #expect(b.value <= previous + 1e-15)
            previous = b.value
        }
    }

    @Test func c2ByHand() {
        // κ = 1, n = 1: t + (1 − t) = 1 for every t.
        #expect(abs(RiskBound.polynomial(count: 1, kappa: 1).value - 1) < 1e-15)
        // κ = 1, n = 2: t + (1 − t)², minimum 3/4 at t = 1/2.
        let b = RiskBound.polynomial(count: 2, kappa: 1)
        #expect(abs(b.value - 0.75) < 1e-14)
        #expect(abs(b.argument - 0.5) < 1e-6)
    }

    @Test func c1ByHand() throws {
        let c1 = RiskBound.margin(count: 10, axisMass: 0.3)
        #expect(abs(c1.power - 0.0282475249) < 1e-15)
        #expect(abs(c1.exponential - 0.049787068367863944) < 1e-15)
        #expect(RiskBound.margin(count: 0, axisMass: 0.3).power == 1)
        // The margin geometry: q = θ₀/(π/2 − θ₀) and B ≤ (1 − q)^n (take θ = θ₀ in B).
        let g = try MarginGeometry(dimension: 50, margin: 0.3)
        #expect(abs(g.axisMass - 0.3 / (.pi / 2 - 0.3)) < 1e-15)
        for n in [1, 10, 100] {
            let power = RiskBound.margin(count: n, axisMass: g.axisMass).power
            #expect(g.riskBound(count: n).value <= power + 1e-12)
        }
    }

    /// A step p (as for a dataset) is minimised robustly: p(θ) = 1[θ ≥ 1] gives B = 0 on
    /// θ ∈ (π/2 − 1, 1).
    @Test func discontinuousBoundaryMass() {
        let b = RiskBound.minimum(count: 5) { $0 >= 1 ? 1 : 0 }
        #expect(b.value == 0)
        #expect(b.argument > .pi / 2 - 1 && b.argument < 1)
        // A flat p ≡ 1 on (0, π/2]: the bound is vacuous.
        let flat = RiskBound.minimum(count: 5) { $0 > 0 ? 1 : 0 }
        #expect(abs(flat.value - 1) < 1e-15)
    }

    @Test func certificateIsBoundaryMassAtTheAngle() throws {
        let g = try PolyTailGeometry(dimension: 4, kappa: 2)
        #expect(abs(g.certificate(angle: 0.5) - pow(1 / Double.pi, 2)) < 1e-15)
        #expect(g.certificate(angle: .nan).isNaN)
        // The certificate bounds the risk: R(γ) ≤ p(γ).
        for gamma in [0.1, 0.5, 1.0, 1.5] {
            #expect(g.risk(angle: gamma) <= g.certificate(angle: gamma) + 1e-12)
        }
    }
}
