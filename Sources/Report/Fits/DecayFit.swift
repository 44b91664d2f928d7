import Distillation
import Foundation
import Numerics

/// A fitted decay law of a risk curve: exponential R ≈ C·e^{−q n} (C1, angular margin) or
/// polynomial R ≈ C·n^{−κ} (C2, polynomial angular tail).
public struct DecayFit: Sendable, Codable, Equatable {
    public enum Model: String, Sendable, Codable {
        case exponential
        case polynomial
    }

    public var model: Model
    /// q for the exponential model, κ for the polynomial one (positive means decay).
    public var rate: Double
    public var rateLow: Double
    public var rateHigh: Double
    /// log C.
    public var logScale: Double
    /// Curve points used (those with a positive mean).
    public var points: Int
    public var confidence: Double

    public func predict(n: Double) -> Double {
        switch model {
        case .exponential: return exp(logScale - rate * n)
        case .polynomial: return exp(logScale - rate * log(n))
        }
    }
}

/// Weighted least squares on log R, each point weighted by the inverse variance of its log
/// mean (delta method, (se/mean)²). The slope's interval uses Student's t with k − 2 degrees
/// of freedom and is widened by the root of the reduced χ² when the law fits worse than the
/// error bars say, so a wrong model shows up as a wide interval rather than a false precision.
public enum DecayFitter {
    public static func fit(
        _ model: DecayFit.Model, n: [Int], mean: [Double], standardError: [Double],
        confidence: Double = 0.95
    ) -> DecayFit? {
        precondition(n.count == mean.count && n.count == standardError.count, "fit: lengths differ")
        precondition(confidence > 0 && confidence < 1, "fit: confidence must lie in (0, 1)")
        var xs: [Double] = []
        var ys: [Double] = []
        var ws: [Double] = []
        for i in n.indices where mean[i] > 0 && mean[i].isFinite && n[i] > 0 {
            let x = model == .exponential ? Double(n[i]) : log(Double(n[i]))
            let relative = standardError[i] / mean[i]
            // A point whose draws were all equal has no spread; give it the weight of a 0.1%
            // relative error instead of an infinite one.
            let variance = max(relative * relative, 1e-6)
            xs.append(x)
            ys.append(log(mean[i]))
            ws.append(1 / variance)
        }
        let k = xs.count
        guard k >= 3 else { return nil }
        let sw = ws.reduce(0, +)
        let xBar = zip(ws, xs).map(*).reduce(0, +) / sw
        let yBar = zip(ws, ys).map(*).reduce(0, +) / sw
        var sxx = 0.0, sxy = 0.0
        for i in 0..<k {
            sxx += ws[i] * (xs[i] - xBar) * (xs[i] - xBar)
            sxy += ws[i] * (xs[i] - xBar) * (ys[i] - yBar)
        }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        let intercept = yBar - slope * xBar
        var chi2 = 0.0
        for i in 0..<k {
            let r = ys[i] - (intercept + slope * xs[i])
            chi2 += ws[i] * r * r
        }
        let dof = Double(k - 2)
        let inflation = max(1, chi2 / dof)
        let se = (inflation / sxx).squareRoot()
        let t = SpecialFunctions.studentTQuantile(0.5 + confidence / 2, degreesOfFreedom: dof)
        let rate = -slope
        return DecayFit(model: model, rate: rate, rateLow: rate - t * se, rateHigh: rate + t * se,
                        logScale: intercept, points: k, confidence: confidence)
    }
}
