import Foundation
import Testing
@testable import Report

@Suite struct DecayFitTests {
    @Test func recoversAnExponentialRate() throws {
        let n = [1, 2, 4, 8, 16, 32]
        let mean = n.map { 0.5 * exp(-0.3 * Double($0)) }
        let se = mean.map { 0.01 * $0 }
        let fit = try #require(DecayFitter.fit(.exponential, n: n, mean: mean, standardError: se))
        #expect(abs(fit.rate - 0.3) < 1e-10)
        #expect(abs(fit.logScale - log(0.5)) < 1e-9)
        #expect(fit.rateLow <= fit.rate && fit.rate <= fit.rateHigh)
        #expect(abs(fit.predict(n: 3) - 0.5 * exp(-0.9)) < 1e-12)
    }

    @Test func recoversAPolynomialExponentWithNoise() throws {
        // Multiplicative wiggles of ±2% around n^{-2}: the exponent stays within its interval.
        let n = [5, 10, 20, 40, 80, 160]
        let wiggle = [1.02, 0.98, 1.01, 0.99, 1.02, 0.98]
        let mean = zip(n, wiggle).map { 3 * pow(Double($0.0), -2) * $0.1 }
        let se = mean.map { 0.02 * $0 }
        let fit = try #require(DecayFitter.fit(.polynomial, n: n, mean: mean, standardError: se))
        #expect(abs(fit.rate - 2) < 0.05)
        #expect(fit.rateLow < 2 && 2 < fit.rateHigh)
        #expect(fit.points == 6)
    }

    @Test func skipsPointsWithoutPositiveMeanAndNeedsThree() {
        #expect(DecayFitter.fit(.exponential, n: [1, 2, 3], mean: [0.5, 0, .nan], standardError: [0.1, 0, 0]) == nil)
        let fit = DecayFitter.fit(.exponential, n: [1, 2, 3, 4], mean: [0.5, 0.25, 0.125, 0],
                                  standardError: [0, 0, 0, 0])
        #expect(fit?.points == 3)
        #expect(abs((fit?.rate ?? 0) - log(2)) < 1e-10)
    }

    @Test func aBadModelGetsAWideInterval() throws {
        // A polynomial curve fitted with the exponential law misfits: the χ² inflation widens
        // the interval beyond what the error bars alone give.
        let n = [1, 2, 4, 8, 16, 32, 64]
        let mean = n.map { 1 / Double($0) }
        let se = mean.map { 0.001 * $0 }
        let fit = try #require(DecayFitter.fit(.exponential, n: n, mean: mean, standardError: se))
        let nominalHalfWidth = 0.001 * 2.6 / 30
        #expect((fit.rateHigh - fit.rateLow) / 2 > 100 * nominalHalfWidth)
    }
}
