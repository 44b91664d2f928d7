import Distillation
import Foundation
import Numerics

/// A fitted decay law of a risk curve: exponential R ≈ C·e^{−q n} (C1, angular margin) or
/// polynomial R ≈ C·n^{−κ} (C2, polynomial angular tail).
package struct DecayFit: Sendable, Codable, Equatable {
    package enum Model: String, Sendable, Codable {
        case exponential
        case polynomial
    }

    /// How the points were weighted.
    package enum Method: String, Sendable, Codable {
        /// Generalized least squares with the covariance of the curve's means across n (the
        /// points come from the same trials, on nested prefixes).
        case covariance
        /// Each point on its own variance, as if the points were independent (kept for
        /// comparison; its interval does not have its stated coverage).
        case independent
    }

    package var model: Model
    /// q for the exponential model, κ for the polynomial one (positive means decay).
    package var rate: Double
    package var rateLow: Double
    package var rateHigh: Double
    /// log C.
    package var logScale: Double
    /// Curve points used.
    package var points: Int
    package var confidence: Double
    package var method: Method
    /// The sizes n the fit used (see `DecayFitter`).
    package var n: [Int]
    /// Generalized residual sum of squares rᵀV⁻¹r and its degrees of freedom (points − 2): a
    /// χ² far above its degrees of freedom says the law does not fit the curve's shape.
    package var chiSquare: Double
    package var degreesOfFreedom: Int

    package init(model: Model, rate: Double, rateLow: Double, rateHigh: Double, logScale: Double,
                points: Int, confidence: Double, method: Method = .covariance, n: [Int] = [],
                chiSquare: Double = .nan, degreesOfFreedom: Int = 0) {
        self.model = model
        self.rate = rate
        self.rateLow = rateLow
        self.rateHigh = rateHigh
        self.logScale = logScale
        self.points = points
        self.confidence = confidence
        self.method = method
        self.n = n
        self.chiSquare = chiSquare
        self.degreesOfFreedom = degreesOfFreedom
    }

    package func predict(n: Double) -> Double {
        switch model {
        case .exponential: return exp(logScale - rate * n)
        case .polynomial: return exp(logScale - rate * log(n))
        }
    }

    /// The abscissa of the law: n (exponential) or log n (polynomial).
    package static func abscissa(_ model: Model, _ n: Int) -> Double {
        model == .exponential ? Double(n) : log(Double(n))
    }
}

/// Fits a decay law to log R by generalized least squares.
///
/// The means of one curve are computed on nested prefixes of the same trials, so they are
/// correlated; `covariance` is the covariance matrix of the means (the trials' sample
/// co-moments over N trials, divided by N). By the delta method log m_i has covariance
/// V_ij = Σ_ij / (m_i m_j), and β = (XᵀV⁻¹X)⁻¹XᵀV⁻¹ log m with covariance (XᵀV⁻¹X)⁻¹; the rate's
/// interval is ±t_{N−1}·se. Its target is the slope that the same weighting gives on the exact
/// expectations log E[R_n] (the best law on this grid, whether or not the curve is exactly one).
///
/// The fit uses the points before the first n whose mean is not positive (past it the curve is
/// below the run's resolution, and a later positive mean would be chosen by chance) that have a
/// relative standard error of at most `maximumRelativeError` (the delta method needs the log of
/// a mean to be close to linear in the mean; a heavy-tailed point whose estimate rests on a few
/// draws is left out rather than ending the curve). A mean below `smallestResolvedMean` ends the
/// curve as a zero does: its variance, of the order of its square, lies below the smallest
/// normal double, so a zero variance there says nothing about its precision.
package enum DecayFitter {
    package static let maximumRelativeError = 0.25
    package static let minimumPoints = 3
    /// √(smallest normal double) ≈ 1.5e-154.
    package static let smallestResolvedMean = Double.leastNormalMagnitude.squareRoot()

    /// Why no fit was possible, in words for the verdict.
    package enum Failure: Error, Equatable, CustomStringConvertible {
        case tooFewPoints(usable: Int)
        case singularCovariance

        package var description: String {
            switch self {
            case .tooFewPoints(let usable):
                return "only \(usable) n (before the first zero or unresolved mean) with a positive mean of relative standard error ≤ \(DecayFitter.maximumRelativeError); a fit needs \(DecayFitter.minimumPoints)"
            case .singularCovariance:
                return "the covariance of the curve's points is singular (too few trials for the number of points, or a point without spread)"
            }
        }
    }

    /// - Parameters:
    ///   - covariance: k×k covariance of the k means (row-major, k = n.count).
    ///   - trials: number of trials behind the means (for Student's t; N − 1 degrees of freedom).
    package static func fit(
        _ model: DecayFit.Model, n: [Int], mean: [Double], covariance: [Double], trials: Int,
        confidence: Double = 0.95
    ) -> Result<DecayFit, Failure> {
        let k = n.count
        precondition(mean.count == k && covariance.count == k * k, "fit: lengths differ")
        precondition(confidence > 0 && confidence < 1, "fit: confidence must lie in (0, 1)")
        let used = usablePoints(n: n, mean: mean, variance: (0..<k).map { covariance[$0 * k + $0] })
        let m = used.count
        guard m >= minimumPoints, trials >= 2 else { return .failure(.tooFewPoints(usable: m)) }
        var v = [Double](repeating: 0, count: m * m)
        for (a, i) in used.enumerated() {
            for (b, j) in used.enumerated() { v[a * m + b] = covariance[i * k + j] / (mean[i] * mean[j]) }
        }
        let xs = used.map { DecayFit.abscissa(model, n[$0]) }
        let ys = used.map { log(mean[$0]) }
        guard let solution = generalizedLeastSquares(xs: xs, ys: ys, covariance: v) else {
            return .failure(.singularCovariance)
        }
        let t = SpecialFunctions.studentTQuantile(0.5 + confidence / 2, degreesOfFreedom: Double(trials - 1))
        let rate = -solution.slope
        let half = t * solution.slopeVariance.squareRoot()
        return .success(DecayFit(model: model, rate: rate, rateLow: rate - half, rateHigh: rate + half,
                                 logScale: solution.intercept, points: m, confidence: confidence,
                                 method: .covariance, n: used.map { n[$0] },
                                 chiSquare: solution.chiSquare, degreesOfFreedom: m - 2))
    }

    /// The same law with each point weighted by its own variance only, as if the points were
    /// independent; the comparison the covariance fit is measured against.
    package static func fitIndependent(
        _ model: DecayFit.Model, n: [Int], mean: [Double], standardError: [Double], trials: Int,
        confidence: Double = 0.95
    ) -> Result<DecayFit, Failure> {
        let k = n.count
        var covariance = [Double](repeating: 0, count: k * k)
        for i in 0..<k { covariance[i * k + i] = standardError[i] * standardError[i] }
        return fit(model, n: n, mean: mean, covariance: covariance, trials: trials, confidence: confidence)
            .map { var f = $0; f.method = .independent; return f }
    }

    /// Indices of the points a fit uses: before the first mean that is not positive and
    /// resolved (`smallestResolvedMean`), those with a
    /// finite mean and a small enough relative error.
    static func usablePoints(n: [Int], mean: [Double], variance: [Double]) -> [Int] {
        var used: [Int] = []
        for i in n.indices {
            guard mean[i] >= smallestResolvedMean, mean[i].isFinite else { break }
            if n[i] > 0, variance[i] >= 0, variance[i].isFinite,
               variance[i].squareRoot() <= maximumRelativeError * mean[i] {
                used.append(i)
            }
        }
        return used
    }

    struct Solution {
        var intercept: Double
        var slope: Double
        var slopeVariance: Double
        var chiSquare: Double
    }

    /// β = (XᵀV⁻¹X)⁻¹XᵀV⁻¹y for the design X = [1, x]; nil when V is not positive definite.
    static func generalizedLeastSquares(xs: [Double], ys: [Double], covariance v: [Double]) -> Solution? {
        let k = xs.count
        guard let l = cholesky(v, k) else { return nil }
        // Whiten: L⁻¹·[1, x, y], then ordinary least squares on the whitened columns.
        let ones = forwardSubstitute(l, k, [Double](repeating: 1, count: k))
        let x = forwardSubstitute(l, k, xs)
        let y = forwardSubstitute(l, k, ys)
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        let a11 = dot(ones, ones), a12 = dot(ones, x), a22 = dot(x, x)
        let b1 = dot(ones, y), b2 = dot(x, y)
        let det = a11 * a22 - a12 * a12
        guard det > 0, det.isFinite else { return nil }
        let intercept = (a22 * b1 - a12 * b2) / det
        let slope = (a11 * b2 - a12 * b1) / det
        var chi2 = 0.0
        for i in 0..<k {
            let r = y[i] - intercept * ones[i] - slope * x[i]
            chi2 += r * r
        }
        return Solution(intercept: intercept, slope: slope, slopeVariance: a11 / det, chiSquare: chi2)
    }

    /// Lower Cholesky factor of a k×k row-major matrix; nil unless positive definite.
    static func cholesky(_ a: [Double], _ k: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: k * k)
        for j in 0..<k {
            var d = a[j * k + j]
            for p in 0..<j { d -= l[j * k + p] * l[j * k + p] }
            // Relative pivot test: a pivot lost to cancellation means V is (near) singular.
            guard d > 1e-13 * abs(a[j * k + j]), d.isFinite, d > 0 else { return nil }
            let ljj = d.squareRoot()
            l[j * k + j] = ljj
            for i in (j + 1)..<max(j + 1, k) {
                var s = a[i * k + j]
                for p in 0..<j { s -= l[i * k + p] * l[j * k + p] }
                l[i * k + j] = s / ljj
            }
        }
        return l
    }

    static func forwardSubstitute(_ l: [Double], _ k: Int, _ b: [Double]) -> [Double] {
        var x = b
        for i in 0..<k {
            var s = x[i]
            for p in 0..<i { s -= l[i * k + p] * x[p] }
            x[i] = s / l[i * k + i]
        }
        return x
    }

    /// Ordinary least-squares slope of y on x (the bound's own rate on the fit's grid).
    package static func slope(xs: [Double], ys: [Double]) -> Double {
        let k = Double(xs.count)
        let xBar = xs.reduce(0, +) / k, yBar = ys.reduce(0, +) / k
        var sxx = 0.0, sxy = 0.0
        for i in xs.indices {
            sxx += (xs[i] - xBar) * (xs[i] - xBar)
            sxy += (xs[i] - xBar) * (ys[i] - yBar)
        }
        return sxy / sxx
    }
}
