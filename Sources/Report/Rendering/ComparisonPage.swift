import Foundation

/// `compare.html` of `kdmc compare RUN_A RUN_B`: per experiment the two runs' risk figures side
/// by side, the difference A − B per point with its interval (a figure on a linear difference
/// axis with the zero line, and a table), self-contained like report.html.
package enum ComparisonPage {
    package static let fileName = "compare.html"
    package static let tableName = "compare.csv"

    package static func build(_ comparison: RunComparison, a: ReportContent, b: ReportContent,
                             nameA: String, nameB: String) -> String {
        let level = Markup.number(comparison.confidence * 100)
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>kdmc compare: \(Markup.escape(nameA)) against \(Markup.escape(nameB))</title>\n"
        h += "<style>\n\(ReportPage.style)div.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5em; } div.pair svg { width: 100%; height: auto; }\n</style>\n</head>\n<body>\n"
        h += "<header>\n<h1>kdmc compare</h1>\n<p>A = <code id=\"run-a\">\(Markup.escape(nameA))</code>, B = <code id=\"run-b\">\(Markup.escape(nameB))</code>. "
        let significant = comparison.points.filter(\.isSignificant).count
        h += "<span id=\"comparison-count\">\(comparison.points.count) common points, \(significant) with a \(level)% interval of A − B that excludes 0</span>. "
        h += "Intervals treat the runs as independent (Welch); runs that share their draws (same experiment and seed) give conservative intervals.</p>\n"
        if !comparison.onlyInA.isEmpty || !comparison.onlyInB.isEmpty {
            h += "<p class=\"note\">Points in one run only: \(comparison.onlyInA.count) in A, \(comparison.onlyInB.count) in B (not compared).</p>\n"
        }
        h += "</header>\n"
        var experiments: [String] = []
        for p in comparison.points where !experiments.contains(p.experiment) { experiments.append(p.experiment) }
        for (index, name) in experiments.enumerated() {
            let points = comparison.points.filter { $0.experiment == name }
            let info = a.experiments.first { $0.name == name }
            let exponential = info?.geometry == "margin"
            let scale: RiskFigure.XScale = exponential ? .linear : .log
            h += "<section class=\"comparison\" id=\"comparison-\(index + 1)\" data-experiment=\"\(Markup.escape(name))\">\n<h2>\(Markup.escape(name))</h2>\n"
            h += "<div class=\"pair\">\n"
            for (label, content) in [("A", a), ("B", b)] {
                let rows = content.rows.filter { $0.experiment == name }
                let fits = content.summary.fits.filter { $0.experiment == name }
                let figure = RiskFigure.render(experiment: "\(label): \(name)", rows: rows, fits: fits,
                                               confidence: content.experiments.first { $0.name == name }?.confidence, xScale: scale)
                h += "<figure data-run=\"\(label)\">\(figure.svg)</figure>\n"
            }
            h += "</div>\n"
            h += differenceFigure(experiment: name, points, xScale: scale, level: level)
            h += "<table class=\"differences\">\n<thead><tr><th>Student</th><th>n</th><th>Mean A (trials)</th><th>Mean B (trials)</th><th>A − B</th><th>\(level)% interval</th></tr></thead>\n<tbody>\n"
            for p in points {
                h += "<tr class=\"difference\(p.isSignificant ? " significant" : "")\" data-student=\"\(Markup.escape(p.student))\" data-n=\"\(p.n)\">"
                h += "<td>\(Markup.escape(p.student))</td><td>\(p.n)</td><td>\(Markup.number(p.a.mean)) (\(p.a.trials))</td><td>\(Markup.number(p.b.mean)) (\(p.b.trials))</td>"
                h += "<td>\(Markup.number(p.difference))</td><td>[\(Markup.number(p.low)), \(Markup.number(p.high))]\(p.isSignificant ? " *" : "")</td></tr>\n"
            }
            h += "</tbody>\n</table>\n</section>\n"
        }
        h += "<footer>Written by kdmc compare. Beside this page: \(tableName).</footer>\n</body>\n</html>\n"
        return h
    }

    /// A − B against n with its interval as an error bar, one colour per student, the zero line
    /// dashed. Points with an infinite interval are drawn without a bar and listed below it.
    static func differenceFigure(experiment: String, _ points: [RunComparison.Point], xScale: RiskFigure.XScale,
                                 level: String) -> String {
        let width = 780.0, height = 300.0, left = 80.0, right = 756.0, top = 36.0, bottom = 250.0
        let c = Markup.coordinate
        let xs = points.map { Double($0.n) }
        let ys = points.flatMap { [$0.difference, $0.low, $0.high] }.filter(\.isFinite) + [0]
        let xAxis: (any PlotAxis)? = xScale == .log ? LogAxis(covering: xs) : LinearAxis(covering: xs)
        guard let xAxis, let yAxis = LinearAxis(covering: ys.count > 1 ? ys : [-1, 1]) else { return "" }
        func px(_ n: Double) -> Double { left + xAxis.fraction(n) * (right - left) }
        func py(_ v: Double) -> Double { bottom - yAxis.fraction(v) * (bottom - top) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"difference-figure\" data-experiment=\"\(Markup.escape(experiment))\" width=\"\(c(width))\" height=\"\(c(height))\" viewBox=\"0 0 \(c(width)) \(c(height))\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n"
        s += "<rect width=\"\(c(width))\" height=\"\(c(height))\" fill=\"white\"/>\n"
        s += "<text x=\"\(c(left))\" y=\"22\" font-size=\"13\" font-weight=\"bold\">\(Markup.escape("A − B with its \(level)% interval — \(experiment)"))</text>\n"
        s += "<rect x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(right - left))\" height=\"\(c(bottom - top))\" fill=\"none\" stroke=\"#444\"/>\n"
        for tick in yAxis.ticks {
            s += "<line x1=\"\(c(left - 4))\" y1=\"\(c(py(tick.value)))\" x2=\"\(c(left))\" y2=\"\(c(py(tick.value)))\" stroke=\"#444\"/>\n"
            s += "<text class=\"y-tick\" x=\"\(c(left - 7))\" y=\"\(c(py(tick.value) + 4))\" text-anchor=\"end\">\(Markup.escape(tick.label ?? ""))</text>\n"
        }
        for tick in xAxis.ticks where tick.label != nil {
            s += "<text class=\"x-tick\" x=\"\(c(px(tick.value)))\" y=\"\(c(bottom + 16))\" text-anchor=\"middle\">\(RiskFigure.tickText(tick.label!))</text>\n"
        }
        s += "<text x=\"\(c((left + right) / 2))\" y=\"\(c(bottom + 36))\" text-anchor=\"middle\">n (\(xScale == .log ? "log scale" : "linear scale"))</text>\n"
        if yAxis.contains(0) {
            s += "<line class=\"zero\" x1=\"\(c(left))\" y1=\"\(c(py(0)))\" x2=\"\(c(right))\" y2=\"\(c(py(0)))\" stroke=\"#000000\" stroke-dasharray=\"6 3\"/>\n"
        }
        var students: [String] = []
        for p in points where !students.contains(p.student) { students.append(p.student) }
        for p in points {
            let i = students.firstIndex(of: p.student)!
            let colour = RiskFigure.palette[i % RiskFigure.palette.count]
            let offset = (Double(i) - Double(students.count - 1) / 2) * 4
            let x = px(Double(p.n)) + offset
            if p.low.isFinite && p.high.isFinite {
                s += "<line class=\"interval\" x1=\"\(c(x))\" y1=\"\(c(py(p.low)))\" x2=\"\(c(x))\" y2=\"\(c(py(p.high)))\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>\n"
            }
            s += RiskFigure.marker(p.isSignificant ? "square" : "circle", x: x, y: py(p.difference), colour: colour, className: "difference")
        }
        var lx = left
        for (i, student) in students.enumerated() {
            let colour = RiskFigure.palette[i % RiskFigure.palette.count]
            s += RiskFigure.marker("circle", x: lx + 5, y: height - 12, colour: colour, className: "legend-marker")
            s += "<text class=\"legend-entry\" x=\"\(c(lx + 14))\" y=\"\(c(height - 8))\">\(Markup.escape(student))</text>\n"
            lx += 30 + Double(student.count) * 6.2
        }
        s += "<text x=\"\(c(lx + 10))\" y=\"\(c(height - 8))\" fill=\"#555\">square: the interval excludes 0</text>\n"
        return s + "</svg>\n"
    }
}
