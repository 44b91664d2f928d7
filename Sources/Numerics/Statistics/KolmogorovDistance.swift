import Foundation

/// Kolmogorov–Smirnov distances and their asymptotic critical values, for the statistical tests
/// of samplers and geometries (one- and two-sample, checked on both sides of every jump).
package enum KolmogorovDistance {
    /// sup_x |F_N(x) − F(x)| of a sample against a continuous law F.
    package static func oneSample(_ sample: [Double], cdf: (Double) -> Double) -> Double {
        let sorted = sample.sorted()
        let n = Double(sorted.count)
        var largest = 0.0
        for (k, x) in sorted.enumerated() {
            let f = cdf(x)
            largest = max(largest, abs(Double(k + 1) / n - f), abs(Double(k) / n - f))
        }
        return largest
    }

    /// sup_x |F_a(x) − F_b(x)| of two samples (ties advance both empirical laws together).
    package static func twoSample(_ a: [Double], _ b: [Double]) -> Double {
        let x = a.sorted(), y = b.sorted()
        var i = 0, j = 0, largest = 0.0
        while i < x.count && j < y.count {
            let v = min(x[i], y[j])
            while i < x.count && x[i] <= v { i += 1 }
            while j < y.count && y[j] <= v { j += 1 }
            largest = max(largest, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        return largest
    }

    /// The asymptotic critical value at `level`, c(α) = √(−ln(α/2)/2), over √n for one sample
    /// of n, or times √((n + m)/(n m)) for two samples of n and m.
    package static func critical(level: Double, _ n: Int, _ m: Int? = nil) -> Double {
        let c = (-log(level / 2) / 2).squareRoot()
        guard let m else { return c / Double(n).squareRoot() }
        return c * (Double(n + m) / Double(n * m)).squareRoot()
    }
}
