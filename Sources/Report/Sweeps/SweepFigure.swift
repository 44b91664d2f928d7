import Experiments
import Foundation
import MonteCarlo

/// The figure of one sweep, two panels side by side:
/// - left, the fitted rate of each point with its interval against the swept parameter (log
///   axis for d, linear otherwise), one colour per value of the other axis, and the predicted
///   rate as a dashed line (flat along d: the theory's rate does not depend on d);
/// - right, the risk curves of every point overlaid on log–log axes, one colour per point,
///   with a legend naming the points.
/// What cannot be drawn (a point without a fitted rate, a mean of 0 on a log axis) is listed
/// in `notes` and in the SVG's <desc>.
package enum SweepFigure {
    static let width = 1200.0
    static let height = 470.0
    static let top = 44.0
    static let bottom = 390.0
    static let rateLeft = 72.0
    static let rateRight = 390.0
    static let curvesLeft = 680.0
    static let curvesRight = 990.0
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                          "#7f7f7f", "#bcbd22", "#393b79", "#ad494a", "#637939", "#843c39", "#5254a3", "#6b6ecf"]

    package static func render(_ summary: SweepSummary, rows: [CurveRow]) -> RiskFigure.Rendered {
        var notes: [String] = []
        let title = "Sweep — \(summary.sweep)"
        var svg = header(summary.sweep, title: title)
        var body = ""

        // Left panel: fitted rate against the parameter.
        let axis = summary.parameters.contains(.d) ? SweepParameter.d : (summary.parameters.first ?? .d)
        let other = summary.parameters.first { $0 != axis }
        let rateRows = summary.rows.filter { $0.value(axis) != nil }
        let unfitted = rateRows.filter { $0.fitted == nil }.map(\.experiment)
        if !unfitted.isEmpty { notes.append("no fitted rate at \(unfitted.joined(separator: ", ")) (not drawn)") }
        let fitted = rateRows.filter { $0.fitted?.isFinite == true }
        var rateLegend: [(colour: String, text: String, dashed: Bool)] = []
        if fitted.isEmpty {
            body += emptyPanel(rateLeft, rateRight, message: summary.rows.isEmpty ? "no rate claim in this sweep" : "no fitted rate")
        } else {
            let xs = fitted.compactMap { $0.value(axis) }
            var ys = fitted.flatMap { [$0.fitted, $0.fittedLow, $0.fittedHigh].compactMap { $0 } }
            ys += fitted.compactMap(\.predicted)
            let xAxis = PanelAxis(axis.isLogarithmic ? .log : .linear, covering: xs)
            let yAxis = PanelAxis(.linear, covering: ys.filter(\.isFinite))
            let frame = PanelFrame(x: xAxis, y: yAxis, left: rateLeft, right: rateRight)
            body += frame.axes(xLabel: axis.isLogarithmic ? "d (log scale)" : axis.rawValue,
                               yLabel: "fitted rate (\(fitted[0].claim == "C1" ? "q" : "κ"))")
            let groups = Dictionary(grouping: fitted) { r -> Double? in other.flatMap { r.value($0) } }
            let keys = groups.keys.sorted { ($0 ?? -Double.infinity) < ($1 ?? -Double.infinity) }
            for (index, key) in keys.enumerated() {
                let colour = palette[index % palette.count]
                let series = groups[key]!.sorted { ($0.value(axis) ?? 0) < ($1.value(axis) ?? 0) }
                let name = other.flatMap { o in key.map { "\(o.shortName)=\(SweepCoordinate.format($0))" } } ?? "\(series[0].student)"
                var g = "<g class=\"rate-series\" data-series=\"\(Markup.escape(name))\">\n"
                let offset = keys.count > 1 ? (Double(index) - Double(keys.count - 1) / 2) * 4 : 0
                var line: [(Double, Double)] = []
                for row in series {
                    let x = row.value(axis)!
                    let (px, py) = frame.point(x, row.fitted!)
                    line.append((px + offset, py))
                    if let lo = row.fittedLow, let hi = row.fittedHigh, lo.isFinite, hi.isFinite {
                        let (_, y0) = frame.point(x, max(lo, yAxis.low))
                        let (_, y1) = frame.point(x, min(hi, yAxis.high))
                        g += "<line class=\"rate-interval\" x1=\"\(Markup.coordinate(px + offset))\" y1=\"\(Markup.coordinate(y0))\" x2=\"\(Markup.coordinate(px + offset))\" y2=\"\(Markup.coordinate(y1))\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
                    }
                    g += "<circle class=\"rate-marker\" data-experiment=\"\(Markup.escape(row.experiment))\" cx=\"\(Markup.coordinate(px + offset))\" cy=\"\(Markup.coordinate(py))\" r=\"4\" fill=\"\(colour)\"/>\n"
                }
                if line.count >= 2 {
                    g += "<polyline class=\"rate-line\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1\" stroke-opacity=\"0.6\" points=\"\(RiskFigure.pointList(line))\"/>\n"
                }
                let predicted = series.compactMap { r in r.predicted.map { (r.value(axis)!, $0) } }
                if predicted.count >= 2 {
                    g += "<polyline class=\"predicted\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\" points=\"\(RiskFigure.pointList(predicted.map { frame.point($0.0, $0.1) }))\"/>\n"
                } else if let p = predicted.first {
                    let (px, py) = frame.point(p.0, p.1)
                    g += "<line class=\"predicted\" x1=\"\(Markup.coordinate(px - 10))\" y1=\"\(Markup.coordinate(py))\" x2=\"\(Markup.coordinate(px + 10))\" y2=\"\(Markup.coordinate(py))\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>\n"
                }
                body += g + "</g>\n"
                rateLegend.append((colour, "\(name): fitted, \(Markup.number((series[0].confidence ?? 0.95) * 100))% CI", false))
                rateLegend.append((colour, "\(name): predicted", true))
            }
        }
        body += legend(rateLegend, x: rateRight + 12, width: curvesLeft - rateRight - 70)

        // Right panel: every point's risk curves.
        var curveLegend: [(colour: String, text: String, dashed: Bool)] = []
        let names = summary.points.map(\.experiment)
        let mine = rows.filter { names.contains($0.experiment) }
        let positive = mine.filter { $0.mean > 0 && $0.mean.isFinite }
        // All points' curves, however many decades apart (κ = 4 at large d lies far below κ = 1).
        let means = positive.map(\.mean)
        if let xAxis = LogAxis(covering: positive.map { Double($0.n) }), let top = means.max(), let bottom = means.min(),
           let yAxis = bottom < top / 10 ? LogAxis(low: bottom / pow(10, 0.1), high: top * pow(10, 0.1)) : LogAxis(covering: means) {
            let frame = PanelFrame(x: PanelAxis(log: xAxis), y: PanelAxis(log: yAxis), left: curvesLeft, right: curvesRight)
            body += frame.axes(xLabel: "n (log scale)", yLabel: "transfer risk (log scale)")
            var students: [String] = []
            for r in mine where !students.contains(r.student) { students.append(r.student) }
            for (index, point) in summary.points.enumerated() {
                let colour = palette[index % palette.count]
                var g = "<g class=\"point-curves\" data-experiment=\"\(Markup.escape(point.experiment))\">\n"
                var dropped: [Int] = []
                for (si, student) in students.enumerated() {
                    let curve = mine.filter { $0.experiment == point.experiment && $0.student == student }.sorted { $0.n < $1.n }
                    let values: [(Double, Double)?] = curve.map { r in
                        guard r.mean > 0, r.mean.isFinite, yAxis.contains(r.mean) else { dropped.append(r.n); return nil }
                        return frame.point(Double(r.n), r.mean)
                    }
                    let dash = si == 0 ? "" : " stroke-dasharray=\"4 3\""
                    for run in RiskFigure.runs(values) {
                        if run.count >= 2 {
                            g += "<polyline class=\"point-mean\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.6\"\(dash) points=\"\(RiskFigure.pointList(run))\"/>\n"
                        }
                        for p in run {
                            g += "<circle class=\"point-marker\" cx=\"\(Markup.coordinate(p.0))\" cy=\"\(Markup.coordinate(p.1))\" r=\"2.5\" fill=\"\(colour)\"/>\n"
                        }
                    }
                }
                if !dropped.isEmpty {
                    notes.append("\(point.experiment): the mean risk is 0 or below the axis at n = \(RiskFigure.list(dropped)) (not drawn)")
                }
                body += g + "</g>\n"
                curveLegend.append((colour, point.label, false))
            }
            if students.count > 1 {
                notes.append("risk curves: \(students[0]) solid, \(students.dropFirst().joined(separator: ", ")) dashed")
            }
        } else {
            body += emptyPanel(curvesLeft, curvesRight, message: "no positive mean risk to draw on log axes")
            notes.append("no curve of this sweep has a positive mean risk")
        }
        body += legend(curveLegend, x: curvesRight + 12, width: width - curvesRight - 16)

        svg += "<desc>\(Markup.escape(notes.isEmpty ? "Every point is drawn." : notes.joined(separator: " ")))</desc>\n"
        svg += "<rect width=\"\(Markup.coordinate(width))\" height=\"\(Markup.coordinate(height))\" fill=\"white\"/>\n"
        svg += "<text class=\"figure-title\" x=\"\(Markup.coordinate(rateLeft))\" y=\"24\" font-size=\"15\" font-weight=\"bold\">\(Markup.escape(title))</text>\n"
        svg += body + "</svg>\n"
        return RiskFigure.Rendered(svg: svg, notes: notes)
    }

    static func header(_ sweep: String, title: String) -> String {
        let w = Markup.coordinate(width), h = Markup.coordinate(height)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"sweep-figure\" data-sweep=\"\(Markup.escape(sweep))\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n<title>\(Markup.escape(title))</title>\n"
    }

    static func emptyPanel(_ left: Double, _ right: Double, message: String) -> String {
        "<rect x=\"\(Markup.coordinate(left))\" y=\"\(Markup.coordinate(top))\" width=\"\(Markup.coordinate(right - left))\" height=\"\(Markup.coordinate(bottom - top))\" fill=\"none\" stroke=\"#444\"/>\n"
            + "<text class=\"empty\" x=\"\(Markup.coordinate((left + right) / 2))\" y=\"\(Markup.coordinate((top + bottom) / 2))\" text-anchor=\"middle\">\(Markup.escape(message))</text>\n"
    }

    static func legend(_ entries: [(colour: String, text: String, dashed: Bool)], x: Double, width: Double) -> String {
        var s = "<g class=\"legend\" font-size=\"11\">\n"
        let step = min(18, (bottom - top) / Double(max(entries.count, 1)))
        for (i, e) in entries.enumerated() {
            let y = top + 8 + Double(i) * step
            s += "<line x1=\"\(Markup.coordinate(x))\" y1=\"\(Markup.coordinate(y))\" x2=\"\(Markup.coordinate(x + 22))\" y2=\"\(Markup.coordinate(y))\" stroke=\"\(e.colour)\" stroke-width=\"2\"\(e.dashed ? " stroke-dasharray=\"6 3\"" : "")/>\n"
            if !e.dashed {
                s += "<circle cx=\"\(Markup.coordinate(x + 11))\" cy=\"\(Markup.coordinate(y))\" r=\"3\" fill=\"\(e.colour)\"/>\n"
            }
            s += "<text class=\"legend-entry\" x=\"\(Markup.coordinate(x + 28))\" y=\"\(Markup.coordinate(y + 4))\">\(Markup.escape(e.text))</text>\n"
        }
        return s + "</g>\n"
    }
}

/// An axis of a sweep panel: logarithmic (``LogAxis``) or linear with round ticks.
struct PanelAxis {
    enum Scale { case log, linear }
    let scale: Scale
    let low: Double
    let high: Double
    let log: LogAxis?

    init(log axis: LogAxis) {
        scale = .log
        low = axis.low
        high = axis.high
        log = axis
    }

    init(_ scale: Scale, covering values: [Double]) {
        if scale == .log, let axis = LogAxis(covering: values) {
            self.init(log: axis)
        } else {
            var lo = values.min() ?? 0, hi = values.max() ?? 1
            if !(hi > lo) { lo -= 0.5; hi += 0.5 }
            let pad = (hi - lo) * 0.08
            self.init(linearFrom: lo - pad, to: hi + pad)
        }
    }

    init(linearFrom low: Double, to high: Double) {
        scale = .linear
        self.low = low
        self.high = high
        log = nil
    }

    func fraction(_ x: Double) -> Double {
        if let log { return log.fraction(x) }
        return (x - low) / (high - low)
    }

    var ticks: [(value: Double, label: String?)] {
        if let log {
            // Over many decades, label every k-th decade only (and drop the minor ticks).
            let decades = log10(log.high / log.low)
            guard decades > 9 else { return log.ticks.map { ($0.value, $0.label) } }
            let step = Int((decades / 8).rounded(.up))
            return log.ticks.filter(\.isMajor).map { tick in
                let exponent = Int(log10(tick.value).rounded())
                return (tick.value, exponent % step == 0 ? tick.label : nil)
            }
        }
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [(Double, String?)] = []
        var v = (low / step).rounded(.up) * step
        while v <= high + step * 1e-9 {
            out.append((v, String(format: "%g", abs(v) < step * 1e-9 ? 0 : v)))
            v += step
        }
        return out
    }
}

struct PanelFrame {
    let x: PanelAxis
    let y: PanelAxis
    let left: Double
    let right: Double

    func point(_ a: Double, _ b: Double) -> (Double, Double) {
        (left + x.fraction(a) * (right - left), SweepFigure.bottom - y.fraction(b) * (SweepFigure.bottom - SweepFigure.top))
    }

    func axes(xLabel: String, yLabel: String) -> String {
        let top = SweepFigure.top, bottom = SweepFigure.bottom
        var s = "<g class=\"axes\" stroke=\"#444\">\n"
        s += "<rect x=\"\(Markup.coordinate(left))\" y=\"\(Markup.coordinate(top))\" width=\"\(Markup.coordinate(right - left))\" height=\"\(Markup.coordinate(bottom - top))\" fill=\"none\"/>\n"
        for tick in x.ticks {
            let px = left + x.fraction(tick.value) * (right - left)
            guard px >= left - 0.01 && px <= right + 0.01 else { continue }
            s += "<line x1=\"\(Markup.coordinate(px))\" y1=\"\(Markup.coordinate(bottom))\" x2=\"\(Markup.coordinate(px))\" y2=\"\(Markup.coordinate(bottom + (tick.label == nil ? 3 : 6)))\"/>\n"
            if let label = tick.label {
                s += "<text class=\"x-tick\" x=\"\(Markup.coordinate(px))\" y=\"\(Markup.coordinate(bottom + 20))\" text-anchor=\"middle\" stroke=\"none\">\(RiskFigure.tickText(label))</text>\n"
            }
        }
        for tick in y.ticks {
            let py = bottom - y.fraction(tick.value) * (bottom - top)
            guard py >= top - 0.01 && py <= bottom + 0.01 else { continue }
            if tick.label != nil {
                s += "<line class=\"grid\" x1=\"\(Markup.coordinate(left))\" y1=\"\(Markup.coordinate(py))\" x2=\"\(Markup.coordinate(right))\" y2=\"\(Markup.coordinate(py))\" stroke=\"#ddd\"/>\n"
            }
            s += "<line x1=\"\(Markup.coordinate(left - (tick.label == nil ? 3 : 6)))\" y1=\"\(Markup.coordinate(py))\" x2=\"\(Markup.coordinate(left))\" y2=\"\(Markup.coordinate(py))\"/>\n"
            if let label = tick.label {
                s += "<text class=\"y-tick\" x=\"\(Markup.coordinate(left - 9))\" y=\"\(Markup.coordinate(py + 4))\" text-anchor=\"end\" stroke=\"none\">\(RiskFigure.tickText(label))</text>\n"
            }
        }
        let mid = (top + bottom) / 2
        s += "<text x=\"\(Markup.coordinate((left + right) / 2))\" y=\"\(Markup.coordinate(bottom + 42))\" text-anchor=\"middle\" stroke=\"none\">\(Markup.escape(xLabel))</text>\n"
        s += "<text x=\"\(Markup.coordinate(left - 52))\" y=\"\(Markup.coordinate(mid))\" text-anchor=\"middle\" stroke=\"none\" transform=\"rotate(-90 \(Markup.coordinate(left - 52)) \(Markup.coordinate(mid)))\">\(Markup.escape(yLabel))</text>\n"
        return s + "</g>\n"
    }
}
