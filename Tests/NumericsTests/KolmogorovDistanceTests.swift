import Testing
import Numerics

/// The distances the statistical tests of other suites rely on, on samples whose answer is known.
@Suite struct KolmogorovDistanceTests {
    @Test func oneSampleAgainstTheUniformLaw() {
        let uniform = { (x: Double) in min(max(x, 0), 1) }
        #expect(abs(KolmogorovDistance.oneSample([0.5], cdf: uniform) - 0.5) < 1e-15)
        // The midpoints of n equal cells sit 1/(2n) from the law on both sides of each jump.
        let midpoints = (0..<10).map { (Double($0) + 0.5) / 10 }
        #expect(abs(KolmogorovDistance.oneSample(midpoints, cdf: uniform) - 0.05) < 1e-15)
        // A sample entirely beyond the law's support is at distance 1.
        #expect(abs(KolmogorovDistance.oneSample([2, 3, 4], cdf: uniform) - 1) < 1e-15)
        #expect(abs(KolmogorovDistance.oneSample([-.infinity, .infinity], cdf: uniform) - 0.5) < 1e-15)
    }

    @Test func twoSamples() {
        let a = [0.1, 0.4, 0.2, 0.9]
        #expect(KolmogorovDistance.twoSample(a, a.reversed()) < 1e-15, "the same sample in another order")
        #expect(abs(KolmogorovDistance.twoSample([1, 2], [3, 4]) - 1) < 1e-15, "disjoint samples")
        // Ties move both empirical laws at once: {1, 2} against {2, 3} differ by 1/2 at most.
        #expect(abs(KolmogorovDistance.twoSample([1, 2], [2, 3]) - 0.5) < 1e-15)
    }

    @Test func criticalValues() {
        // c(0.05) = 1.3581 (the tabulated asymptotic value).
        #expect(abs(KolmogorovDistance.critical(level: 0.05, 100) - 0.13581) < 1e-4)
        #expect(abs(KolmogorovDistance.critical(level: 0.05, 100, 100) - 1.3581 * (0.02).squareRoot()) < 1e-4)
        #expect(KolmogorovDistance.critical(level: 0.001, 100) > KolmogorovDistance.critical(level: 0.05, 100))
    }
}
