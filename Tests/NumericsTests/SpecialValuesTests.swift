import Foundation
import Testing
@testable import Numerics

/// Special values, documented edge behaviour and round trips.
@Suite struct SpecialValuesTests {
    typealias S = SpecialFunctions

    @Test func nanPropagates() {
        #expect(S.logBeta(.nan, 1).isNaN && S.logBeta(1, .nan).isNaN)
        #expect(S.regularizedIncompleteBeta(.nan, 1, 0.5).isNaN)
        #expect(S.regularizedIncompleteBeta(1, .nan, 0.5).isNaN)
        #expect(S.regularizedIncompleteBeta(1, 1, .nan).isNaN)
        #expect(S.regularizedIncompleteBetaComplement(1, 1, .nan).isNaN)
        #expect(S.inverseRegularizedIncompleteBeta(1, 1, .nan).isNaN)
        #expect(S.normalCDF(.nan).isNaN && S.normalQuantile(.nan).isNaN)
        #expect(S.studentTCDF(.nan, degreesOfFreedom: 3).isNaN)
        #expect(S.studentTCDF(1, degreesOfFreedom: .nan).isNaN)
        #expect(S.studentTQuantile(.nan, degreesOfFreedom: 3).isNaN)
        #expect(S.logGamma(.nan).isNaN)
    }

    @Test func invalidParametersGiveNaN() {
        for bad in [0.0, -1.0, -.infinity, .infinity] {
            #expect(S.logBeta(bad, 2).isNaN && S.logBeta(2, bad).isNaN)
            #expect(S.regularizedIncompleteBeta(bad, 2, 0.3).isNaN)
            #expect(S.regularizedIncompleteBeta(2, bad, 0.3).isNaN)
            #expect(S.inverseRegularizedIncompleteBeta(bad, 2, 0.3).isNaN)
        }
        #expect(S.inverseRegularizedIncompleteBeta(2, 2, -0.1).isNaN)
        #expect(S.inverseRegularizedIncompleteBeta(2, 2, 1.1).isNaN)
        #expect(S.normalQuantile(-1e-300).isNaN && S.normalQuantile(1.5).isNaN)
        #expect(S.studentTCDF(1, degreesOfFreedom: 0).isNaN)
        #expect(S.studentTCDF(1, degreesOfFreedom: -2).isNaN)
        #expect(S.studentTQuantile(0.3, degreesOfFreedom: 0).isNaN)
        #expect(S.studentTQuantile(1.2, degreesOfFreedom: 5).isNaN)
    }

    @Test func incompleteBetaEdges() {
        #expect(S.regularizedIncompleteBeta(2, 3, 0) == 0)
        #expect(S.regularizedIncompleteBeta(2, 3, -5) == 0)
        #expect(S.regularizedIncompleteBeta(2, 3, -.infinity) == 0)
        #expect(S.regularizedIncompleteBeta(2, 3, 1) == 1)
        #expect(S.regularizedIncompleteBeta(2, 3, .infinity) == 1)
        #expect(S.regularizedIncompleteBetaComplement(2, 3, 0) == 1)
        #expect(S.regularizedIncompleteBetaComplement(2, 3, 1) == 0)
        // Tiny and huge magnitudes stay finite and in [0, 1].
        let tiny = S.regularizedIncompleteBeta(0.5, 0.5, 1e-300)
        #expect(tiny > 0 && abs(tiny - 2 / Double.pi * 1e-150) <= 1e-12 * tiny)
        #expect(S.regularizedIncompleteBeta(1e-3, 1e6, Double.leastNonzeroMagnitude) > 0)
        let closeToOne = S.regularizedIncompleteBeta(3, 1e6, 0.5)
        #expect(closeToOne == 1)
        #expect(S.regularizedIncompleteBetaComplement(3, 1e6, 0.5) >= 0)
    }

    /// Closed forms: I_x(1, 1) = x, I_x(a, 1) = x^a, I_x(1, b) = 1 − (1 − x)^b,
    /// I_x(½, ½) = (2/π) arcsin √x.
    @Test(arguments: [1e-12, 1e-5, 0.01, 0.3, 0.5, 0.77, 0.999, 1 - 1e-9])
    func incompleteBetaClosedForms(x: Double) {
        #expect(abs(S.regularizedIncompleteBeta(1, 1, x) - x) <= 1e-14 * x)
        let a = 3.7
        #expect(relativeError(S.regularizedIncompleteBeta(a, 1, x), pow(x, a)) <= 1e-13)
        let b = 2.3
        #expect(relativeError(S.regularizedIncompleteBetaComplement(1, b, x), pow(1 - x, b)) <= 1e-13)
        // For x ≥ ½ the complement (2/π) arcsin √(1 − x) is the well-conditioned side (1 − x exact).
        if x < 0.5 {
            #expect(relativeError(S.regularizedIncompleteBeta(0.5, 0.5, x), 2 / Double.pi * asin(x.squareRoot())) <= 1e-13)
        } else {
            #expect(relativeError(S.regularizedIncompleteBetaComplement(0.5, 0.5, x),
                                  2 / Double.pi * asin((1 - x).squareRoot())) <= 1e-13)
        }
    }

    @Test func incompleteBetaSymmetry() {
        // Dyadic x, so that 1 − x is exact and both sides see the same point.
        for (a, b, x) in [(2.5, 7.0, 0.3125), (0.5, 499_999.5, 0x1p-20), (50.0, 10.0, 0.875), (1e-3, 0.1, 0.5)] {
            let lower = S.regularizedIncompleteBeta(a, b, x)
            let mirrored = S.regularizedIncompleteBetaComplement(b, a, 1 - x)
            #expect(relativeError(lower, mirrored) <= 1e-13, "I_\(x)(\(a), \(b))")
            #expect(abs(lower + S.regularizedIncompleteBetaComplement(a, b, x) - 1) <= 1e-15)
        }
    }

    /// With x = sin²θ and 1 − x = cos²θ given separately, both tails keep full precision even
    /// where 1 − x would round (θ near π/2 for the upper tail of I(½, (d − 1)/2)).
    @Test func tailsFromSeparateComplement() {
        let d = 1e4
        let theta = 1e-3
        let x = pow(sin(theta), 2), y = pow(cos(theta), 2)
        let tails = S.regularizedIncompleteBetaTails(0.5, (d - 1) / 2, x: x, oneMinusX: y)
        #expect(relativeError(tails.lower, S.regularizedIncompleteBeta(0.5, (d - 1) / 2, x)) <= 1e-12)
        #expect(abs(tails.lower + tails.upper - 1) <= 1e-15)
        // x rounds to 1 but 1 − x = 1e-20 is known: closed form 1 − I_x(2, 3) = (1 − x)³(1 + 3x).
        let tiny = 1e-20
        let near = S.regularizedIncompleteBetaTails(2, 3, x: 1 - tiny, oneMinusX: tiny)
        #expect(relativeError(near.upper, pow(tiny, 3) * (1 + 3 * (1 - tiny))) <= 1e-13)
        let edges = S.regularizedIncompleteBetaTails(2, 3, x: 0, oneMinusX: 1)
        #expect(edges.lower == 0 && edges.upper == 1)
        #expect(S.regularizedIncompleteBetaTails(2, 3, x: 0.5, oneMinusX: .nan).lower.isNaN)
    }

    /// p(θ) = I_{sin²θ}(½, (d−1)/2) at d = 10^6 (docs/THEORY.md §4) is monotone in θ and tends to 1.
    @Test func marginMassAtLargeDimension() {
        let d = 1e6
        var previous = 0.0
        for theta in stride(from: 1e-5, through: 0.01, by: 1e-5) {
            let p = S.regularizedIncompleteBeta(0.5, (d - 1) / 2, pow(sin(theta), 2))
            #expect(p >= previous && p <= 1)
            previous = p
        }
        #expect(previous > 1 - 1e-12)
    }

    @Test(arguments: [(0.5, 0.5), (2.0, 3.0), (1e-3, 1.0), (0.5, 499_999.5), (5.0, 45.0), (1e4, 1e4), (1e6, 10.0)])
    func inverseIncompleteBetaRoundTrip(a: Double, b: Double) {
        for p in [1e-12, 1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-6] {
            let x = S.inverseRegularizedIncompleteBeta(a, b, p)
            #expect(x >= 0 && x <= 1)
            guard x > Double.leastNormalMagnitude && x < 1 else { continue }
            // Compare on the smaller tail, which carries the information.
            let back = p <= 0.5 ? S.regularizedIncompleteBeta(a, b, x) : S.regularizedIncompleteBetaComplement(a, b, x)
            let target = p <= 0.5 ? p : 1 - p
            // x is rounded to a double: allow one ulp of x times the local slope.
            let slope = exp((a - 1) * log(x) + (b - 1) * log1p(-x) - S.logBeta(a, b))
            let allowed = 1e-11 * target + 4 * x.ulp * slope
            #expect(abs(back - target) <= allowed, "I⁻¹(\(a), \(b), \(p)) = \(x), back \(back)")
        }
        #expect(S.inverseRegularizedIncompleteBeta(a, b, 0) == 0)
        #expect(S.inverseRegularizedIncompleteBeta(a, b, 1) == 1)
    }

    @Test func normalSpecialValues() {
        #expect(S.normalCDF(0) == 0.5)
        #expect(S.normalCDF(.infinity) == 1 && S.normalCDF(-.infinity) == 0)
        #expect(S.normalCDF(-40) == 0 || S.normalCDF(-40) < 1e-300)
        #expect(S.normalCDF(1e300) == 1)
        #expect(S.normalQuantile(0) == -.infinity && S.normalQuantile(1) == .infinity)
        #expect(S.normalQuantile(0.5) == 0)
        #expect(abs(S.normalQuantile(0.975) - 1.959963984540054) <= 1e-15)
        #expect(S.normalQuantile(Double.leastNormalMagnitude).isFinite)
        #expect(S.normalQuantile(Double.leastNormalMagnitude) < -37)
    }

    @Test func normalRoundTrip() {
        for p in [1e-300, 1e-50, 1e-8, 0.001, 0.1, 0.25, 0.5, 0.6, 0.9, 0.999] {
            let x = S.normalQuantile(p)
            #expect(relativeError(S.normalCDF(x), p) <= 1e-13 * max(1, abs(x)), "p = \(p)")
            if p >= 0.5 { #expect(S.normalQuantile(p) == -S.normalQuantile(1 - p)) }
        }
    }

    @Test func studentTSpecialValues() {
        #expect(S.studentTCDF(0, degreesOfFreedom: 3) == 0.5)
        #expect(S.studentTCDF(.infinity, degreesOfFreedom: 3) == 1)
        #expect(S.studentTCDF(-.infinity, degreesOfFreedom: 3) == 0)
        #expect(S.studentTCDF(1e300, degreesOfFreedom: 3) == 1)
        #expect(S.studentTCDF(-1e300, degreesOfFreedom: 3) >= 0)
        #expect(S.studentTQuantile(0, degreesOfFreedom: 3) == -.infinity)
        #expect(S.studentTQuantile(1, degreesOfFreedom: 3) == .infinity)
        #expect(S.studentTQuantile(0.5, degreesOfFreedom: 3) == 0)
        // ν = ∞ is the normal.
        #expect(S.studentTCDF(1.3, degreesOfFreedom: .infinity) == S.normalCDF(1.3))
        #expect(S.studentTQuantile(0.975, degreesOfFreedom: .infinity) == S.normalQuantile(0.975))
        // ν = 1 is Cauchy: F(t) = ½ + atan(t)/π; ν = 2: t = (2p − 1)·√(2 / (4p(1 − p))).
        for t in [-50.0, -2, -0.1, 0.7, 3] {
            #expect(relativeError(S.studentTCDF(t, degreesOfFreedom: 1), 0.5 + atan(t) / Double.pi) <= 1e-14)
        }
        for p in [0.01, 0.3, 0.9] {
            let exact = (2 * p - 1) * (2 / (4 * p * (1 - p))).squareRoot()
            #expect(relativeError(S.studentTQuantile(p, degreesOfFreedom: 2), exact) <= 1e-13)
        }
        // The usual 95% critical values.
        // scipy.special.stdtrit(10, 0.975); mpmath tan(π·0.475) for ν = 1.
        #expect(abs(S.studentTQuantile(0.975, degreesOfFreedom: 10) - 2.228138851986274) <= 1e-13)
        #expect(relativeError(S.studentTQuantile(0.975, degreesOfFreedom: 1), 12.706204736174696) <= 1e-13)
    }

    @Test(arguments: [0.7, 1, 4.5, 30, 999, 1e5, 1e8, 1e12])
    func studentTRoundTrip(nu: Double) {
        for p in [1e-10, 1e-4, 0.025, 0.4, 0.6, 0.975, 1 - 1e-4] {
            let t = S.studentTQuantile(p, degreesOfFreedom: nu)
            #expect(t.isFinite)
            let back = S.studentTCDF(t, degreesOfFreedom: nu)
            #expect(relativeError(back, p) <= 1e-10, "ν = \(nu), p = \(p): t = \(t), back \(back)")
        }
    }

    /// The two ν regimes meet continuously at the switch to the 1/ν expansion.
    @Test func studentTContinuousAcrossLargeNuSwitch() {
        let below = SpecialFunctions.largeDegreesOfFreedom * (1 - 1e-9)
        let at = SpecialFunctions.largeDegreesOfFreedom
        for t in [-8.0, -2, 0.5, 3] {
            let left = S.studentTCDF(t, degreesOfFreedom: below)
            let right = S.studentTCDF(t, degreesOfFreedom: at)
            #expect(relativeError(left, right) <= 5e-12, "t = \(t)")
        }
        #expect(relativeError(S.studentTQuantile(0.975, degreesOfFreedom: below),
                              S.studentTQuantile(0.975, degreesOfFreedom: at)) <= 1e-12)
    }

    @Test func logGammaAndBetaSpecialValues() {
        #expect(S.logGamma(1) == 0 && S.logGamma(2) == 0)
        #expect(S.logGamma(0) == .infinity)
        #expect(S.logGamma(.infinity) == .infinity)
        #expect(abs(S.logGamma(0.5) - 0.5 * log(Double.pi)) <= 1e-15)
        #expect(abs(S.logBeta(1, 1)) <= 1e-15)
        #expect(relativeError(S.logBeta(0.5, 0.5), log(Double.pi)) <= 1e-15)
        // B(a, b) = B(b, a) in every branch.
        for (a, b) in [(0.3, 7.0), (2.0, 25.0), (12.0, 300.0), (1e-3, 1e6)] {
            #expect(S.logBeta(a, b) == S.logBeta(b, a))
        }
        // ln B(a, 1) = −ln a exactly, including the large-argument branches.
        for a in [1e-300, 1e-3, 3.0, 50.0, 1e6, 1e300] {
            #expect(abs(S.logBeta(a, 1) + log(a)) <= 1e-14 * max(1, abs(log(a))), "a = \(a)")
        }
    }
}
