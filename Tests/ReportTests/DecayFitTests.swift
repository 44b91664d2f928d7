import Foundation
import Testing
@testable import Report

@Suite struct DecayFitTests {
    /// A diagonal covariance of the means with the given relative standard error.
    func diagonal(_ mean: [Double], relative: Double) -> [Double] {
        let k = mean.count
        var c = [Double](repeating: 0, count: k * k)
        for i in 0..<k { c[i * k + i] = (relative * mean[i]) * (relative * mean[i]) }
        return c
    }

    @Test func recoversAnExponentialRate() throws {
        let n = [1, 2, 4, 8, 16, 32]
        let mean = n.map { 0.5 * exp(-0.3 * Double($0)) }
        let fit = try DecayFitter.fit(.exponential, n: n, mean: mean, covariance: diagonal(mean, relative: 0.01),
                                      trials: 1000).get()
        #expect(abs(fit.rate - 0.3) < 1e-10)
        #expect(abs(fit.logScale - log(0.5)) < 1e-9)
        #expect(fit.rateLow <= fit.rate && fit.rate <= fit.rateHigh)
        #expect(abs(fit.predict(n: 3) - 0.5 * exp(-0.9)) < 1e-12)
        #expect(fit.n == n && fit.method == .covariance)
        #expect(abs(fit.chiSquare) < 1e-12)
    }

    @Test func recoversAPolynomialExponentWithNoise() throws {
        // Multiplicative wiggles of ±2% around n^{-2}: the exponent stays within its interval.
        let n = [5, 10, 20, 40, 80, 160]
        let wiggle = [1.02, 0.98, 1.01, 0.99, 1.02, 0.98]
        let mean = zip(n, wiggle).map { 3 * pow(Double($0.0), -2) * $0.1 }
        let fit = try DecayFitter.fit(.polynomial, n: n, mean: mean, covariance: diagonal(mean, relative: 0.02),
                                      trials: 1000).get()
        #expect(abs(fit.rate - 2) < 0.05)
        #expect(fit.rateLow < 2 && 2 < fit.rateHigh)
        #expect(fit.points == 6)
    }

    @Test func usesPointsBeforeTheFirstZeroAndNeedsThree() throws {
        // A zero mean ends the curve: the later positive point is not used.
        let n = [1, 2, 3, 4, 5]
        let mean = [0.5, 0.25, 0.125, 0, 0.03]
        let cov = diagonal(mean.map { max($0, 1e-3) }, relative: 0.01)
        let fit = try DecayFitter.fit(.exponential, n: n, mean: mean, covariance: cov, trials: 100).get()
        #expect(fit.points == 3)
        #expect(fit.n == [1, 2, 3])
        #expect(abs(fit.rate - log(2)) < 1e-10)
        // Two usable points are not a law; nor is a point whose relative error is large.
        let two = DecayFitter.fit(.exponential, n: [1, 2, 3], mean: [0.5, 0.25, 0], covariance: diagonal([0.5, 0.25, 1], relative: 0.01), trials: 100)
        #expect(two == .failure(.tooFewPoints(usable: 2)))
        let noisy = DecayFitter.fit(.exponential, n: [1, 2, 3], mean: [0.5, 0.25, 0.1], covariance: diagonal([0.5, 0.25, 0.1], relative: 0.5), trials: 100)
        #expect(noisy == .failure(.tooFewPoints(usable: 0)))
        // A noisy point in the middle is left out; the curve goes on after it.
        var c = diagonal([0.5, 0.25, 0.125, 0.0625], relative: 0.01)
        c[5] = pow(0.5 * 0.25, 2)
        let skipped = try DecayFitter.fit(.exponential, n: [1, 2, 3, 4], mean: [0.5, 0.25, 0.125, 0.0625], covariance: c, trials: 100).get()
        #expect(skipped.n == [1, 3, 4])
        // A mean whose variance underflowed (zero spread at 1e-205) ends the curve like a zero;
        // the control just above the threshold keeps its point.
        let tiny = [1e-40, 1e-80, 1e-120, 1e-205]
        let underflowed = diagonal(tiny, relative: 0.01)
        let ended = try DecayFitter.fit(.exponential, n: [1, 2, 3, 4], mean: tiny, covariance: underflowed, trials: 100).get()
        #expect(ended.n == [1, 2, 3])
        let resolved = [1e-40, 1e-80, 1e-120, 1e-150]
        let kept = try DecayFitter.fit(.exponential, n: [1, 2, 3, 4], mean: resolved,
                                       covariance: diagonal(resolved, relative: 0.01), trials: 100).get()
        #expect(kept.n == [1, 2, 3, 4])
    }

    @Test func aSingularCovarianceIsNoFit() {
        // Two points with identical draws: the covariance has rank 1.
        let n = [1, 2, 3]
        let mean = [0.5, 0.25, 0.125]
        let s = [0.01, 0.005, 0.0025]
        var c = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { c[i * 3 + j] = s[i] * s[j] } }
        #expect(DecayFitter.fit(.exponential, n: n, mean: mean, covariance: c, trials: 100) == .failure(.singularCovariance))
    }

    @Test func correlationChangesTheInterval() throws {
        // Strongly positively correlated points (a common level shift) leave the slope better
        // determined than independent points with the same variances: GLS sees the shift.
        let n = [1, 2, 4, 8]
        let mean = n.map { 0.5 * pow(Double($0), -1) }
        let relative = 0.05
        var c = [Double](repeating: 0, count: 16)
        for i in 0..<4 { for j in 0..<4 { c[i * 4 + j] = (i == j ? 1 : 0.95) * relative * relative * mean[i] * mean[j] } }
        let correlated = try DecayFitter.fit(.polynomial, n: n, mean: mean, covariance: c, trials: 500).get()
        let independent = try DecayFitter.fitIndependent(.polynomial, n: n, mean: mean,
                                                         standardError: mean.map { relative * $0 }, trials: 500).get()
        #expect(independent.method == .independent)
        #expect(abs(correlated.rate - 1) < 1e-10 && abs(independent.rate - 1) < 1e-10)
        #expect(correlated.rateHigh - correlated.rateLow < 0.5 * (independent.rateHigh - independent.rateLow))
    }
}
