import Foundation

/// The figure of one experiment: transfer risk against n, on log–log axes for a polynomial law
/// and on semilog axes (linear n) for an exponential one, whose decay is then a straight line.
/// Each quantity has its own colour from the Okabe–Ito palette, which stays distinct for the
/// common forms of colour blindness: the Monte Carlo mean (line and markers) inside its
/// confidence band in the student's colour, the exact expectation in black, the bound B in
/// vermillion, the mean certificate in bluish green and the fitted decay law in reddish purple,
/// each with its own dash as well. The legend sits below the plot and the figure grows to hold
/// it. Log axes cannot show zero, negative or missing values; those points are left out and
/// each omission is listed in `notes` (and in the SVG's <desc>), never drawn as NaN.
package enum RiskFigure {
    package struct Rendered: Sendable, Equatable {
        /// A complete SVG document (with its namespace, so it stands alone as a .svg file and
        /// inlines into HTML as is).
        package var svg: String
        /// What could not be drawn and why, one sentence each.
        package var notes: [String]
    }

    /// How n is drawn: on a log axis (polynomial laws) or a linear one (exponential laws).
    package enum XScale: String, Sendable {
        case log
        case linear
    }

    static let width = 780.0
    static let plotLeft = 72.0
    static let plotTop = 44.0
    static let plotRight = 756.0
    static let plotBottom = 370.0
    /// Legend rows start below the x-axis title.
    static let legendTop = plotBottom + 66
    static let legendRow = 17.0
    /// Okabe–Ito colours of the Monte Carlo means, one per student (blue, orange, sky blue);
    /// beyond three students the marker shape tells them apart as well.
    static let palette = ["#0072B2", "#E69F00", "#56B4E9"]
    static let shapes = ["circle", "square", "triangle", "diamond"]

    /// The students in order of first appearance and the sizes n in increasing order, of the
    /// rows a side panel draws.
    static func studentsAndSizes(_ rows: [(student: String, n: Int)]) -> (students: [String], sizes: [Int]) {
        var students: [String] = [], sizes: Set<Int> = []
        for row in rows {
            if !students.contains(row.student) { students.append(row.student) }
            sizes.insert(row.n)
        }
        return (students, sizes.sorted())
    }

    /// The one-line legend of the side panels: a swatch in each student's colour and its name,
    /// left to right from `x`; also gives where the line ends, for a note after it.
    static func studentSwatches(_ students: [String], x: Double, baseline y: Double) -> (markup: String, end: Double) {
        var s = "", lx = x
        for (i, student) in students.enumerated() {
            s += "<rect x=\"\(Markup.coordinate(lx))\" y=\"\(Markup.coordinate(y - 8))\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\"/>\n"
            s += "<text class=\"legend-entry\" x=\"\(Markup.coordinate(lx + 14))\" y=\"\(Markup.coordinate(y))\">\(Markup.escape(student))</text>\n"
            lx += 24 + Double(student.count) * 6
        }
        return (s, lx)
    }

    /// The colour of each quantity the theory adds (Okabe–Ito black, vermillion, bluish green,
    /// reddish purple).
    static func colour(_ kind: Reference) -> String {
        switch kind {
        case .mean: return palette[0]
        case .exact: return "#000000"
        case .bound: return "#D55E00"
        case .certificate: return "#009E73"
        case .fit: return "#CC79A7"
        }
    }

    /// - Parameters:
    ///   - rows: the curve rows of this experiment (any order; grouped by student, sorted by n).
    ///   - fits: fitted decay laws of this experiment's students.
    ///   - confidence: the interval level, for the legend.
    ///   - xScale: `.linear` for an exponential claim (semilog axes), `.log` otherwise.
    package static func render(experiment: String, rows: [CurveRow], fits: [SummaryDocument.Fit] = [],
                              confidence: Double? = nil, xScale: XScale = .log) -> Rendered {
        var notes: [String] = []
        var students: [String] = []
        for row in rows where !students.contains(row.student) { students.append(row.student) }
        let curves = students.map { s in rows.filter { $0.student == s }.sorted { $0.n < $1.n } }

        let xs = rows.map { Double($0.n) }
        var ys: [Double] = []
        for row in rows {
            ys.append(row.mean)
            if row.trials > 1 { ys.append(row.ciHigh) }
            ys += [row.exact, row.bound, row.certificate].compactMap { $0 }
        }
        // A mean whose interval stays above 0 is an estimate, however small (importance sampling
        // resolves risks far below 1e-8 of the largest value): it keeps its place on the axis.
        let resolved = rows.filter { $0.trials > 1 && $0.mean > 0 && $0.ciLow > 0 }.map(\.mean)
        let title = "Transfer risk — \(experiment)"
        let xAxis: (any PlotAxis)? = xScale == .log ? LogAxis(covering: xs) : LinearAxis(covering: xs)
        guard let xAxis, let yAxis = LogAxis(covering: ys, resolved: resolved) else {
            notes.append(rows.isEmpty
                ? "no curve rows for this experiment"
                : "no positive finite values to draw on log axes (all means are 0, negative or missing)")
            return Rendered(svg: emptyFigure(experiment: experiment, title: title, message: notes[0], notes: notes),
                            notes: notes)
        }
        let frame = Frame(x: xAxis, y: yAxis)

        var body = ""
        var legend: [LegendEntry] = []
        for (index, curve) in curves.enumerated() {
            let student = students[index]
            let colour = palette[index % palette.count]
            let shape = students.count > palette.count ? shapes[(index / palette.count) % shapes.count] : "circle"
            var group = "<g class=\"series\" data-student=\"\(Markup.escape(student))\">\n"

            // The band: upper edge forward, lower edge back, one polygon per run of usable points.
            var clippedLow: [Int] = []
            let bandPoints: [(n: Double, low: Double, high: Double)?] = curve.map { row in
                guard row.trials > 1, row.ciHigh.isFinite, row.ciHigh > 0, row.ciLow.isFinite else { return nil }
                let high = min(row.ciHigh, yAxis.high)
                var low = row.ciLow
                if !(low > yAxis.low) {
                    low = yAxis.low
                    if row.ciLow <= 0 { clippedLow.append(row.n) }
                }
                guard high > low else { return nil }
                return (Double(row.n), low, high)
            }
            for run in runs(bandPoints) where run.count >= 2 {
                let upper = run.map { frame.point($0.n, $0.high) }
                let lower = run.reversed().map { frame.point($0.n, $0.low) }
                group += "<polygon class=\"band\" fill=\"\(colour)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\(pointList(upper + lower))\"/>\n"
            }
            let single = curve.filter { $0.trials == 1 }.map(\.n)
            if !single.isEmpty {
                notes.append("\(student): one trial only at n = \(list(single)), so no interval (no band there)")
            }
            if !clippedLow.isEmpty {
                notes.append("\(student): the interval's lower end is ≤ 0 at n = \(list(clippedLow)); the band is drawn down to the axis floor there")
            }

            // The mean, with markers; points that a log axis cannot show are listed.
            var zero: [Int] = [], negative: [Int] = [], missing: [Int] = [], below: [Int] = []
            let means: [(Double, Double)?] = curve.map { row in
                let m = row.mean
                if row.trials == 0 || m.isNaN { missing.append(row.n); return nil }
                if m == 0 { zero.append(row.n); return nil }
                if m < 0 { negative.append(row.n); return nil }
                if !m.isFinite { missing.append(row.n); return nil }
                if m < yAxis.low { below.append(row.n); return nil }
                return (Double(row.n), m)
            }
            for run in runs(means) {
                if run.count >= 2 {
                    group += "<polyline class=\"mean\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(pointList(run.map { frame.point($0.0, $0.1) }))\"/>\n"
                }
                for p in run {
                    let (x, y) = frame.point(p.0, p.1)
                    group += marker(shape, x: x, y: y, colour: colour, className: "marker")
                }
            }
            if !zero.isEmpty { notes.append("\(student): the mean risk is 0 at n = \(list(zero)) (not drawn on a log axis)") }
            if !negative.isEmpty { notes.append("\(student): the mean is negative at n = \(list(negative)) (not drawn on a log axis)") }
            if !missing.isEmpty { notes.append("\(student): no value at n = \(list(missing)) (empty or NaN cell, not drawn)") }
            if !below.isEmpty {
                notes.append("\(student): the mean lies below the axis at n = \(list(below)) (more than \(Int(LogAxis.maximumDecades)) decades below the largest value with an interval reaching 0, or more than \(Int(LogAxis.maximumResolvedDecades)) decades below it; not drawn)")
            }
            let level = confidence.map { " and \(Markup.number($0 * 100))% CI" } ?? " and CI"
            legend.append(LegendEntry(kind: .mean, colour: colour, shape: shape, text: "\(student): mean\(level)"))

            // The theory's curves for this student.
            let references: [(Reference, KeyPath<CurveRow, Double?>, String)] = [
                (.exact, \.exact, "exact E[R]"), (.bound, \.bound, "bound B"), (.certificate, \.certificate, "certificate p(γ)"),
            ]
            for (kind, path, name) in references {
                let values: [(Double, Double)?] = curve.map { row in
                    guard let v = row[keyPath: path] else { return nil }
                    return v.isFinite && v >= yAxis.low && v <= yAxis.high ? (Double(row.n), v) : nil
                }
                let present = curve.contains { $0[keyPath: path] != nil }
                guard present else { continue }
                let dropped = curve.filter { row in row[keyPath: path].map { !($0.isFinite && $0 >= yAxis.low) } ?? false }.map(\.n)
                if !dropped.isEmpty {
                    notes.append("\(student): \(name) is 0, negative or below the axis at n = \(list(dropped)) (not drawn)")
                }
                let tone = Self.colour(kind)
                for run in runs(values) {
                    let points = run.map { frame.point($0.0, $0.1) }
                    if run.count >= 2 {
                        group += "<polyline class=\"\(kind.rawValue)\" fill=\"none\" stroke=\"\(tone)\" stroke-width=\"1.6\" stroke-dasharray=\"\(kind.dash)\" points=\"\(pointList(points))\"/>\n"
                    } else if let p = points.first {
                        group += "<line class=\"\(kind.rawValue)\" x1=\"\(Markup.coordinate(p.0 - 6))\" y1=\"\(Markup.coordinate(p.1))\" x2=\"\(Markup.coordinate(p.0 + 6))\" y2=\"\(Markup.coordinate(p.1))\" stroke=\"\(tone)\" stroke-width=\"1.6\"/>\n"
                    }
                    // Several students: small hollow marks in the student's colour and shape say
                    // whose reference this is.
                    if students.count > 1 {
                        for p in points { group += marker(shape, x: p.0, y: p.1, colour: colour, className: "reference-mark", size: 2.5, hollow: true) }
                    }
                }
                legend.append(LegendEntry(kind: kind, colour: tone, shape: nil, text: "\(student): \(name)"))
            }

            // The fitted decay law, sampled densely between the first and last n.
            if let fit = fits.first(where: { $0.student == student }), let first = curve.first, let last = curve.last,
               last.n > first.n {
                let lo = Double(first.n), hi = Double(last.n)
                let samples: [(Double, Double)?] = (0...80).map { k in
                    let t = Double(k) / 80
                    let n = xScale == .log ? exp(log(lo) + (log(hi) - log(lo)) * t) : lo + (hi - lo) * t
                    let r = fit.fit.predict(n: n)
                    return yAxis.contains(r) ? (n, r) : nil
                }
                for run in runs(samples) where run.count >= 2 {
                    group += "<polyline class=\"fit\" fill=\"none\" stroke=\"\(Self.colour(.fit))\" stroke-width=\"1.6\" stroke-dasharray=\"\(Reference.fit.dash)\" points=\"\(pointList(run.map { frame.point($0.0, $0.1) }))\"/>\n"
                }
                let symbol = fit.fit.model == .exponential ? "q" : "κ"
                let predicted = fit.predicted.map { " (theory \(format4($0)))" } ?? ""
                legend.append(LegendEntry(kind: .fit, colour: Self.colour(.fit), shape: nil,
                                          text: "\(student): fit \(symbol) = \(format4(fit.fit.rate))\(predicted)"))
            }
            group += "</g>\n"
            body += group
        }

        let layout = legendLayout(legend)
        var svg = header(experiment: experiment, title: title, notes: notes, height: layout.height)
        svg += axes(frame, xScale: xScale)
        svg += "<g class=\"plot\" clip-path=\"url(#\(clipID(experiment)))\">\n" + body + "</g>\n"
        svg += legendMarkup(legend, layout)
        svg += "</svg>\n"
        return Rendered(svg: svg, notes: notes)
    }

    // MARK: - Pieces

    enum Reference: String {
        case mean, exact, bound, certificate, fit
        var dash: String {
            switch self {
            case .mean: return ""
            case .exact: return "6 3"
            case .bound: return "10 3 2 3"
            case .certificate: return "2 3"
            case .fit: return "4 4"
            }
        }
    }

    struct LegendEntry {
        var kind: Reference
        var colour: String
        /// The marker shape of a mean; nil for a reference line.
        var shape: String?
        var text: String
    }

    /// Maps data to pixels (y grows downwards in SVG).
    struct Frame {
        let x: any PlotAxis
        let y: LogAxis
        func point(_ n: Double, _ r: Double) -> (Double, Double) {
            (plotLeft + x.fraction(n) * (plotRight - plotLeft), plotBottom - y.fraction(r) * (plotBottom - plotTop))
        }
    }

    /// Splits a sequence at its gaps: lines are never drawn across a missing point.
    static func runs<T>(_ items: [T?]) -> [[T]] {
        var out: [[T]] = []
        var current: [T] = []
        for item in items {
            if let item { current.append(item) } else if !current.isEmpty { out.append(current); current = [] }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static func pointList(_ points: [(Double, Double)]) -> String {
        points.map { "\(Markup.coordinate($0.0)),\(Markup.coordinate($0.1))" }.joined(separator: " ")
    }

    static func list(_ ns: [Int]) -> String { ns.map(String.init).joined(separator: ", ") }

    static func format4(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : Markup.number(x) }

    /// An id for the clip path that stays unique when several figures share one HTML page.
    static func clipID(_ experiment: String) -> String {
        "plot-area-" + String(Array(experiment.utf8).map { String($0, radix: 16) }.joined())
    }

    /// A figure without a legend (an empty frame) ends below the x-axis title.
    static let bareHeight = plotBottom + 60

    static func header(experiment: String, title: String, notes: [String], height: Double = bareHeight) -> String {
        let w = Markup.coordinate(width), h = Markup.coordinate(height)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"risk-figure\" data-experiment=\"\(Markup.escape(experiment))\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n"
        s += "<title>\(Markup.escape(title))</title>\n"
        s += "<desc>\(Markup.escape(notes.isEmpty ? "All curve points are drawn." : notes.joined(separator: " ")))</desc>\n"
        s += "<defs><clipPath id=\"\(clipID(experiment))\"><rect x=\"\(Markup.coordinate(plotLeft))\" y=\"\(Markup.coordinate(plotTop))\" width=\"\(Markup.coordinate(plotRight - plotLeft))\" height=\"\(Markup.coordinate(plotBottom - plotTop))\"/></clipPath></defs>\n"
        s += "<rect width=\"\(w)\" height=\"\(h)\" fill=\"white\"/>\n"
        s += "<text class=\"figure-title\" x=\"\(Markup.coordinate(plotLeft))\" y=\"24\" font-size=\"15\" font-weight=\"bold\">\(Markup.escape(title))</text>\n"
        return s
    }

    static func emptyFigure(experiment: String, title: String, message: String, notes: [String]) -> String {
        var s = header(experiment: experiment, title: title, notes: notes)
        s += "<rect x=\"\(Markup.coordinate(plotLeft))\" y=\"\(Markup.coordinate(plotTop))\" width=\"\(Markup.coordinate(plotRight - plotLeft))\" height=\"\(Markup.coordinate(plotBottom - plotTop))\" fill=\"none\" stroke=\"#444\"/>\n"
        s += "<text class=\"empty\" x=\"\(Markup.coordinate((plotLeft + plotRight) / 2))\" y=\"\(Markup.coordinate((plotTop + plotBottom) / 2))\" text-anchor=\"middle\">\(Markup.escape(message))</text>\n"
        return s + "</svg>\n"
    }

    static func axes(_ frame: Frame, xScale: XScale) -> String {
        var s = "<g class=\"axes\" stroke=\"#444\">\n"
        s += "<rect x=\"\(Markup.coordinate(plotLeft))\" y=\"\(Markup.coordinate(plotTop))\" width=\"\(Markup.coordinate(plotRight - plotLeft))\" height=\"\(Markup.coordinate(plotBottom - plotTop))\" fill=\"none\"/>\n"
        for tick in frame.x.ticks {
            let (x, _) = frame.point(tick.value, frame.y.low)
            let length = tick.isMajor ? 6.0 : 3.0
            if tick.isMajor {
                s += "<line class=\"grid\" x1=\"\(Markup.coordinate(x))\" y1=\"\(Markup.coordinate(plotTop))\" x2=\"\(Markup.coordinate(x))\" y2=\"\(Markup.coordinate(plotBottom))\" stroke=\"#ddd\"/>\n"
            }
            s += "<line x1=\"\(Markup.coordinate(x))\" y1=\"\(Markup.coordinate(plotBottom))\" x2=\"\(Markup.coordinate(x))\" y2=\"\(Markup.coordinate(plotBottom + length))\"/>\n"
            if let label = tick.label {
                s += "<text class=\"x-tick\" x=\"\(Markup.coordinate(x))\" y=\"\(Markup.coordinate(plotBottom + 20))\" text-anchor=\"middle\" stroke=\"none\">\(tickText(label))</text>\n"
            }
        }
        for tick in frame.y.ticks {
            let (_, y) = frame.point(frame.x.low, tick.value)
            let length = tick.isMajor ? 6.0 : 3.0
            if tick.isMajor {
                s += "<line class=\"grid\" x1=\"\(Markup.coordinate(plotLeft))\" y1=\"\(Markup.coordinate(y))\" x2=\"\(Markup.coordinate(plotRight))\" y2=\"\(Markup.coordinate(y))\" stroke=\"#ddd\"/>\n"
            }
            s += "<line x1=\"\(Markup.coordinate(plotLeft - length))\" y1=\"\(Markup.coordinate(y))\" x2=\"\(Markup.coordinate(plotLeft))\" y2=\"\(Markup.coordinate(y))\"/>\n"
            if let label = tick.label {
                s += "<text class=\"y-tick\" x=\"\(Markup.coordinate(plotLeft - 9))\" y=\"\(Markup.coordinate(y + 4))\" text-anchor=\"end\" stroke=\"none\">\(tickText(label))</text>\n"
            }
        }
        s += "<text x=\"\(Markup.coordinate((plotLeft + plotRight) / 2))\" y=\"\(Markup.coordinate(plotBottom + 42))\" text-anchor=\"middle\" stroke=\"none\">n (transfer set size, \(xScale == .log ? "log scale" : "linear scale"))</text>\n"
        s += "<text x=\"18\" y=\"\(Markup.coordinate((plotTop + plotBottom) / 2))\" text-anchor=\"middle\" stroke=\"none\" transform=\"rotate(-90 18 \(Markup.coordinate((plotTop + plotBottom) / 2)))\">transfer risk (log scale)</text>\n"
        return s + "</g>\n"
    }

    /// "10^-3" becomes 10 with a raised exponent.
    static func tickText(_ label: String) -> String {
        guard let caret = label.firstIndex(of: "^") else { return Markup.escape(label) }
        let base = label[..<caret]
        let exponent = label[label.index(after: caret)...].replacingOccurrences(of: "-", with: "−")
        return "\(Markup.escape(String(base)))<tspan dy=\"-5\" font-size=\"9\">\(Markup.escape(exponent))</tspan>"
    }

    /// Legend entries in columns below the plot: two when every text fits half the width
    /// (about 6.2 px per character at 11 px), one otherwise; texts longer than a column are
    /// shortened with an ellipsis (the full text is in the entry's <title>).
    struct LegendLayout {
        var columns: Int
        var columnWidth: Double
        var charactersPerColumn: Int
        var height: Double
    }

    static let characterWidth = 6.2
    static let legendSwatch = 34.0

    static func legendLayout(_ entries: [LegendEntry]) -> LegendLayout {
        let full = plotRight - plotLeft
        let longest = entries.map(\.text.count).max() ?? 0
        let twoFit = Double(longest) * characterWidth + legendSwatch <= full / 2 - 8
        let columns = twoFit ? 2 : 1
        let columnWidth = full / Double(columns)
        let rows = (entries.count + columns - 1) / columns
        return LegendLayout(columns: columns, columnWidth: columnWidth,
                            charactersPerColumn: Int((columnWidth - legendSwatch - 8) / characterWidth),
                            height: legendTop + Double(rows) * legendRow + 8)
    }

    static func legendMarkup(_ entries: [LegendEntry], _ layout: LegendLayout) -> String {
        var s = "<g class=\"legend\" font-size=\"11\">\n"
        let rows = (entries.count + layout.columns - 1) / layout.columns
        for (i, entry) in entries.enumerated() {
            // Column-major, so one student's entries stay together.
            let column = i / max(rows, 1), row = i % max(rows, 1)
            let x = plotLeft + Double(column) * layout.columnWidth
            let y = legendTop + Double(row) * legendRow
            switch entry.kind {
            case .mean:
                s += "<rect x=\"\(Markup.coordinate(x))\" y=\"\(Markup.coordinate(y - 6))\" width=\"24\" height=\"12\" fill=\"\(entry.colour)\" fill-opacity=\"0.18\"/>\n"
                s += "<line x1=\"\(Markup.coordinate(x))\" y1=\"\(Markup.coordinate(y))\" x2=\"\(Markup.coordinate(x + 24))\" y2=\"\(Markup.coordinate(y))\" stroke=\"\(entry.colour)\" stroke-width=\"2\"/>\n"
                s += marker(entry.shape ?? "circle", x: x + 12, y: y, colour: entry.colour, className: "legend-marker")
            default:
                s += "<line x1=\"\(Markup.coordinate(x))\" y1=\"\(Markup.coordinate(y))\" x2=\"\(Markup.coordinate(x + 24))\" y2=\"\(Markup.coordinate(y))\" stroke=\"\(entry.colour)\" stroke-width=\"1.8\" stroke-dasharray=\"\(entry.kind.dash)\"/>\n"
            }
            let text = entry.text.count > layout.charactersPerColumn
                ? String(entry.text.prefix(max(layout.charactersPerColumn - 1, 1))) + "…" : entry.text
            s += "<text class=\"legend-entry\" data-kind=\"\(entry.kind.rawValue)\" x=\"\(Markup.coordinate(x + 30))\" y=\"\(Markup.coordinate(y + 4))\"><title>\(Markup.escape(entry.text))</title>\(Markup.escape(text))</text>\n"
        }
        return s + "</g>\n"
    }

    /// A marker of the given shape centred at (x, y).
    static func marker(_ shape: String, x: Double, y: Double, colour: String, className: String,
                       size r: Double = 3.5, hollow: Bool = false) -> String {
        let paint = hollow ? "fill=\"white\" stroke=\"\(colour)\" stroke-width=\"1\"" : "fill=\"\(colour)\""
        let c = Markup.coordinate
        switch shape {
        case "square":
            return "<rect class=\"\(className)\" x=\"\(c(x - r))\" y=\"\(c(y - r))\" width=\"\(c(2 * r))\" height=\"\(c(2 * r))\" \(paint)/>\n"
        case "triangle":
            return "<polygon class=\"\(className)\" points=\"\(c(x)),\(c(y - 1.2 * r)) \(c(x + 1.1 * r)),\(c(y + 0.8 * r)) \(c(x - 1.1 * r)),\(c(y + 0.8 * r))\" \(paint)/>\n"
        case "diamond":
            return "<polygon class=\"\(className)\" points=\"\(c(x)),\(c(y - 1.3 * r)) \(c(x + 1.3 * r)),\(c(y)) \(c(x)),\(c(y + 1.3 * r)) \(c(x - 1.3 * r)),\(c(y))\" \(paint)/>\n"
        default:
            return "<circle class=\"\(className)\" cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(r))\" \(paint)/>\n"
        }
    }
}
