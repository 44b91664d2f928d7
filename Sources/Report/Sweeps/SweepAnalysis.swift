import Distillation
import Numerics
import Experiments
import Foundation
import MonteCarlo

/// One line of sweeps.csv for a point: the fitted rate of one claim at one sweep point.
package struct SweepRow: Sendable, Codable, Equatable {
    package var sweep: String
    /// The point's experiment, e.g. `large-d-polynomial[d=1000,kappa=2]`.
    package var experiment: String
    /// "C1" (exponential rate q) or "C2" (polynomial exponent κ).
    package var claim: String
    package var student: String
    package var coordinates: [SweepCoordinate]
    /// Nil when no decay law could be fitted at this point.
    package var fitted: Double?
    package var fittedLow: Double?
    package var fittedHigh: Double?
    package var confidence: Double?
    package var predicted: Double?
    /// The point's own verdict on the claim.
    package var status: VerdictStatus

    package init(sweep: String, experiment: String, claim: String, student: String, coordinates: [SweepCoordinate],
                fitted: Double?, fittedLow: Double?, fittedHigh: Double?, confidence: Double?, predicted: Double?,
                status: VerdictStatus) {
        self.sweep = sweep
        self.experiment = experiment
        self.claim = claim
        self.student = student
        self.coordinates = coordinates
        self.fitted = fitted
        self.fittedLow = fittedLow
        self.fittedHigh = fittedHigh
        self.confidence = confidence
        self.predicted = predicted
        self.status = status
    }

    package func value(_ parameter: SweepParameter) -> Double? {
        coordinates.first { $0.parameter == parameter }?.value
    }

    enum CodingKeys: String, CodingKey {
        case sweep, experiment, claim, student, coordinates, fitted, confidence, predicted, status
        case fittedLow = "fitted_low"
        case fittedHigh = "fitted_high"
    }
}

/// An across-sweep verdict: along one axis (the other held fixed), the fitted rate relative to
/// the predicted one does not drift with the parameter.
package struct SweepTrend: Sendable, Codable, Equatable {
    /// "C2-vs-d", "C1-vs-theta0", …
    package var claim: String
    package var sweep: String
    /// The sweep with the fixed coordinate, e.g. `large-d-polynomial[kappa=2]`, or the sweep.
    package var experiment: String
    package var student: String
    package var parameter: SweepParameter
    /// The other axis's value for this line (empty for a one-axis sweep).
    package var fixed: [SweepCoordinate]
    package var status: VerdictStatus
    /// Slope of fitted/predicted against the axis (log10 d for d), and its interval.
    package var slope: Double?
    package var slopeLow: Double?
    package var slopeHigh: Double?
    package var confidence: Double
    package var resolution: Double
    /// Points with a fitted rate (of `total` on the axis).
    package var points: Int
    package var total: Int
    package var detail: String
    package var rule: String

    enum CodingKeys: String, CodingKey {
        case claim, sweep, experiment, student, parameter, fixed, status, slope, confidence, resolution, points, total,
             detail, rule
        case slopeLow = "slope_low"
        case slopeHigh = "slope_high"
    }
}

/// Everything a run reports about one sweep: summary.json's `"sweeps"` member and sweeps.csv.
package struct SweepSummary: Sendable, Codable, Equatable {
    /// One experiment of the sweep (whether or not it has a rate claim).
    package struct Point: Sendable, Codable, Equatable {
        package var experiment: String
        package var coordinates: [SweepCoordinate]
        package var seed: UInt64

        package init(experiment: String, coordinates: [SweepCoordinate], seed: UInt64) {
            self.experiment = experiment
            self.coordinates = coordinates
            self.seed = seed
        }

        package var label: String { SweepCoordinate.label(coordinates) }
    }

    package var sweep: String
    package var parameters: [SweepParameter]
    package var resolution: Double
    package var points: [Point]
    package var rows: [SweepRow]
    package var trends: [SweepTrend]

    package init(sweep: String, parameters: [SweepParameter], resolution: Double, points: [Point], rows: [SweepRow],
                trends: [SweepTrend]) {
        self.sweep = sweep
        self.parameters = parameters
        self.resolution = resolution
        self.points = points
        self.rows = rows
        self.trends = trends
    }
}

/// The slope of a drift fit and its decision.
package struct SweepDrift: Sendable, Equatable {
    package var slope: Double
    package var low: Double
    package var high: Double
    /// χ² of the points about the line and its degrees of freedom (k − 2).
    package var chiSquare: Double
    package var degreesOfFreedom: Int
    package var status: VerdictStatus
}

/// Across-sweep verdicts (docs/EXPERIMENT-SCHEMA.md, "sweep").
///
/// Along an axis x (log10 d for d, the value itself otherwise), each point's fitted rate r_i is
/// divided by its predicted rate p_i, y_i = r_i/p_i, with standard error s_i/p_i, where s_i is
/// recovered from the rate's interval with the normal quantile (a Student-t interval with few
/// degrees of freedom gives a larger s_i, never a smaller one). The points have independent
/// trials (each its own seed), so y is fitted by weighted least squares against x with weights
/// 1/s_i²; when three or more points scatter about the line more than their errors allow, the
/// slope's standard error is widened by √(χ²/(k − 2)). The slope's interval at the experiments'
/// confidence level is then compared with ±δ, the sweep's resolution:
/// holds when the interval lies inside [−δ, δ] (the rate is independent of the parameter to δ
/// per unit, per decade of d), fails when it lies wholly outside, inconclusive otherwise (and
/// with fewer than two fitted points).
package enum SweepAnalysis {
    package static let rateClaims = ["C1", "C2"]

    /// One point of a sweep as the runner holds it after the point's analysis.
    package struct PointResult: Sendable {
        package var point: SweepPoint
        package var experiment: String
        package var seed: UInt64
        package var fits: [SummaryDocument.Fit]
        package var verdicts: [Verdict]

        package init(point: SweepPoint, experiment: String, seed: UInt64, fits: [SummaryDocument.Fit], verdicts: [Verdict]) {
            self.point = point
            self.experiment = experiment
            self.seed = seed
            self.fits = fits
            self.verdicts = verdicts
        }
    }

    /// The point's own verdict.
    static func status(_ v: Verdict) -> VerdictStatus { v.status }

    /// The across-sweep verdicts as verdicts of the run (verdict table, summary.json's
    /// `"verdicts"`, exit status), each expected as the sweep's experiment says in `"expect"`.
    package static func verdicts(_ summaries: [SweepSummary], specs: [ExperimentSpec]) -> [Verdict] {
        summaries.flatMap { summary -> [Verdict] in
            let expect = specs.first { $0.name == summary.sweep }?.expect ?? [:]
            return summary.trends.map { t in
                var numbers: [String: Double] = ["resolution": t.resolution, "points": Double(t.points),
                                                 "points_on_axis": Double(t.total)]
                if let slope = t.slope, let low = t.slopeLow, let high = t.slopeHigh {
                    numbers["slope"] = slope
                    numbers["slope_low"] = low
                    numbers["slope_high"] = high
                }
                return Verdict(claim: t.claim, experiment: t.experiment, student: t.student, status: t.status,
                               numbers: numbers, detail: t.detail, rule: t.rule)
            }.expecting(expect)
        }
    }

    /// Groups point results by sweep, in the order of `specs` (the file's experiments).
    package static func summaries(_ points: [PointResult], specs: [ExperimentSpec]) -> [SweepSummary] {
        specs.compactMap { spec -> SweepSummary? in
            guard let sweep = spec.sweep else { return nil }
            let mine = points.filter { $0.point.sweep == spec.name }
            guard !mine.isEmpty else { return nil }
            return summary(sweep: spec.name, spec: sweep, points: mine)
        }
    }

    package static func summary(sweep name: String, spec: SweepSpec, points: [PointResult]) -> SweepSummary {
        var rows: [SweepRow] = []
        for p in points {
            for v in p.verdicts where rateClaims.contains(v.claim) && v.experiment == p.experiment {
                let student = v.student ?? ""
                let fit = p.fits.first { $0.experiment == p.experiment && $0.student == student }
                rows.append(SweepRow(
                    sweep: name, experiment: p.experiment, claim: v.claim, student: student,
                    coordinates: p.point.coordinates, fitted: fit?.fit.rate, fittedLow: fit?.fit.rateLow,
                    fittedHigh: fit?.fit.rateHigh, confidence: fit?.fit.confidence,
                    predicted: fit?.predicted ?? v.numbers["predicted"], status: status(v)))
            }
        }
        let parameters = spec.axes.map(\.parameter)
        var trends: [SweepTrend] = []
        for parameter in parameters {
            let others = parameters.filter { $0 != parameter }
            var groups: [[SweepRow]] = []
            for row in rows {
                let key = { (r: SweepRow) in
                    [r.claim, r.student] + others.map { p in r.value(p).map(SweepCoordinate.format) ?? "" }
                }
                if let i = groups.firstIndex(where: { key($0[0]) == key(row) }) {
                    groups[i].append(row)
                } else {
                    groups.append([row])
                }
            }
            for group in groups {
                let fixed = others.compactMap { p in group[0].value(p).map { SweepCoordinate(parameter: p, value: $0) } }
                trends.append(trend(sweep: name, parameter: parameter, fixed: fixed, rows: group,
                                    resolution: spec.resolution))
            }
        }
        let listed = points.map { SweepSummary.Point(experiment: $0.experiment, coordinates: $0.point.coordinates, seed: $0.seed) }
        return SweepSummary(sweep: name, parameters: parameters, resolution: spec.resolution, points: listed, rows: rows,
                            trends: trends)
    }

    /// The across-sweep verdict of one line of points along `parameter`.
    package static func trend(sweep: String, parameter: SweepParameter, fixed: [SweepCoordinate], rows: [SweepRow],
                             resolution: Double) -> SweepTrend {
        let claim = rows.first?.claim ?? "rate"
        let student = rows.first?.student ?? ""
        let confidence = rows.compactMap(\.confidence).first ?? 0.95
        let unit = parameter.isLogarithmic ? "per decade of d" : "per unit of \(parameter.shortName)"
        let axis = parameter.isLogarithmic ? "log10 d" : parameter.shortName
        let rule = "the slope of fitted/predicted rate against \(axis) (weighted least squares over the points, each point's own trials) holds when its \(Markup.number(confidence * 100))% interval lies inside ±\(Markup.number(resolution)) \(unit), fails when it lies wholly outside, inconclusive otherwise"
        var x: [Double] = [], y: [Double] = [], s: [Double] = []
        let z = SpecialFunctions.normalQuantile(0.5 + confidence / 2)
        for row in rows {
            guard let v = row.value(parameter), let r = row.fitted, let lo = row.fittedLow, let hi = row.fittedHigh,
                  let p = row.predicted, p > 0, r.isFinite, lo.isFinite, hi.isFinite else { continue }
            x.append(parameter.isLogarithmic ? log10(v) : v)
            y.append(r / p)
            s.append((hi - lo) / (2 * z) / p)
        }
        let experiment = fixed.isEmpty ? sweep : "\(sweep)[\(fixed.map(\.label).joined(separator: ","))]"
        var result = SweepTrend(
            claim: "\(claim)-vs-\(parameter.shortName)", sweep: sweep, experiment: experiment, student: student,
            parameter: parameter, fixed: fixed, status: .inconclusive, slope: nil, slopeLow: nil, slopeHigh: nil,
            confidence: confidence, resolution: resolution, points: x.count, total: rows.count, detail: "", rule: rule)
        guard Set(x).count >= 2, let d = drift(x: x, ratio: y, standardError: s, confidence: confidence, resolution: resolution) else {
            result.detail = "\(x.count) of \(rows.count) points have a fitted rate; the drift needs two at different \(parameter.shortName)"
            return result
        }
        result.status = d.status
        result.slope = d.slope
        result.slopeLow = d.low
        result.slopeHigh = d.high
        let verb = switch d.status {
        case .holds: "inside"
        case .fails: "wholly outside"
        case .inconclusive: "across the edge of"
        }
        result.detail = "fitted/predicted rate drifts by \(VerdictRules.format(d.slope)) [\(VerdictRules.format(d.low)), \(VerdictRules.format(d.high))] \(unit) over \(x.count) points, \(verb) ±\(VerdictRules.format(resolution))"
        return result
    }

    /// Weighted least squares of `ratio` on `x`; nil when the x do not vary.
    package static func drift(x: [Double], ratio: [Double], standardError: [Double], confidence: Double,
                             resolution: Double) -> SweepDrift? {
        precondition(x.count == ratio.count && x.count == standardError.count, "drift: lengths differ")
        let k = x.count
        guard k >= 2 else { return nil }
        // A point without spread (every draw the same) gets the weight of a 0.1% error.
        let w = standardError.map { 1 / max($0 * $0, 1e-6) }
        let sw = w.reduce(0, +)
        let xBar = zip(w, x).map(*).reduce(0, +) / sw
        let yBar = zip(w, ratio).map(*).reduce(0, +) / sw
        var sxx = 0.0, sxy = 0.0
        for i in 0..<k {
            sxx += w[i] * (x[i] - xBar) * (x[i] - xBar)
            sxy += w[i] * (x[i] - xBar) * (ratio[i] - yBar)
        }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        let intercept = yBar - slope * xBar
        var chi2 = 0.0
        for i in 0..<k {
            let r = ratio[i] - intercept - slope * x[i]
            chi2 += w[i] * r * r
        }
        let dof = k - 2
        let inflation = dof > 0 ? max(1, chi2 / Double(dof)) : 1
        let half = SpecialFunctions.normalQuantile(0.5 + confidence / 2) * (inflation / sxx).squareRoot()
        let low = slope - half, high = slope + half
        let status: VerdictStatus = low >= -resolution && high <= resolution ? .holds
            : (low > resolution || high < -resolution ? .fails : .inconclusive)
        return SweepDrift(slope: slope, low: low, high: high, chiSquare: chi2, degreesOfFreedom: dof, status: status)
    }
}
