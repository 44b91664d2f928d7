import Foundation

/// The second small panel of each experiment: the running estimate (running.csv) of the risk
/// at the first, a middle and the last n against the trials merged so far (log axis), with its
/// confidence band and the final mean as a dashed line. An estimate that has settled stays
/// inside its band and near the line; one still drifting shows a trend.
package enum RunningFigure {
    static let width = 780.0
    static let panelTop = 40.0
    static let panelHeight = 120.0
    static let gap = 30.0
    static let left = 56.0

    package static func render(experiment: String, rows: [RunningRow]) -> String? {
        let mine = rows.filter { $0.experiment == experiment && $0.trials > 0 }
        guard !mine.isEmpty else { return nil }
        let (students, ns) = RiskFigure.studentsAndSizes(mine.map { ($0.student, $0.n) })
        let shown = Array(students.prefix(DistributionFigure.maximumStudents))
        guard let xAxis = LogAxis(covering: mine.map { Double($0.trials) }) else { return nil }
        let panelWidth = (width - left - 16 - gap * Double(ns.count - 1)) / Double(ns.count)
        let height = panelTop + panelHeight + 52
        let c = Markup.coordinate
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"running-figure\" data-experiment=\"\(Markup.escape(experiment))\" width=\"\(c(width))\" height=\"\(c(height))\" viewBox=\"0 0 \(c(width)) \(c(height))\" font-family=\"sans-serif\" font-size=\"10\" role=\"img\">\n"
        s += "<title>\(Markup.escape("Running estimate — \(experiment)"))</title>\n"
        s += "<rect width=\"\(c(width))\" height=\"\(c(height))\" fill=\"white\"/>\n"
        s += "<text x=\"\(c(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(Markup.escape("Running estimate against trials — \(experiment)"))</text>\n"
        s += "<text x=\"12\" y=\"\(c(panelTop + panelHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 12 \(c(panelTop + panelHeight / 2)))\">mean risk</text>\n"
        for (p, n) in ns.enumerated() {
            let x0 = left + Double(p) * (panelWidth + gap)
            let here = mine.filter { $0.n == n && shown.contains($0.student) }
            let finite = here.flatMap { [$0.mean, $0.ciLow, $0.ciHigh] }.filter(\.isFinite)
            guard let yAxis = LinearAxis(covering: finite.isEmpty ? [0, 1] : finite) else { continue }
            func px(_ t: Double) -> Double { x0 + xAxis.fraction(t) * panelWidth }
            func py(_ v: Double) -> Double {
                panelTop + panelHeight - min(max(yAxis.fraction(v), 0), 1) * panelHeight
            }
            s += "<g class=\"running-panel\" data-n=\"\(n)\">\n"
            s += "<rect x=\"\(c(x0))\" y=\"\(c(panelTop))\" width=\"\(c(panelWidth))\" height=\"\(c(panelHeight))\" fill=\"none\" stroke=\"#444\"/>\n"
            s += "<text x=\"\(c(x0 + panelWidth / 2))\" y=\"\(c(panelTop - 6))\" text-anchor=\"middle\" font-weight=\"bold\">n = \(n)</text>\n"
            for tick in yAxis.ticks where tick.label != nil {
                s += "<text class=\"y-tick\" x=\"\(c(x0 - 3))\" y=\"\(c(py(tick.value) + 3))\" text-anchor=\"end\" font-size=\"8\">\(Markup.escape(tick.label!))</text>\n"
            }
            for tick in xAxis.ticks where tick.isMajor && tick.label != nil {
                s += "<text class=\"x-tick\" x=\"\(c(px(tick.value)))\" y=\"\(c(panelTop + panelHeight + 12))\" text-anchor=\"middle\" font-size=\"8\">\(RiskFigure.tickText(tick.label!))</text>\n"
            }
            for (i, student) in shown.enumerated() {
                let series = here.filter { $0.student == student }.sorted { $0.trials < $1.trials }
                guard let last = series.last else { continue }
                let colour = RiskFigure.palette[i % RiskFigure.palette.count]
                let banded = series.filter { $0.ciLow.isFinite && $0.ciHigh.isFinite }
                if banded.count >= 2 {
                    let upper = banded.map { "\(c(px(Double($0.trials)))),\(c(py($0.ciHigh)))" }
                    let lower = banded.reversed().map { "\(c(px(Double($0.trials)))),\(c(py($0.ciLow)))" }
                    s += "<polygon class=\"band\" fill=\"\(colour)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
                }
                let line = series.filter(\.mean.isFinite).map { "\(c(px(Double($0.trials)))),\(c(py($0.mean)))" }
                if line.count >= 2 {
                    s += "<polyline class=\"running-mean\" data-student=\"\(Markup.escape(student))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(line.joined(separator: " "))\"/>\n"
                }
                if last.mean.isFinite {
                    s += "<line class=\"final-mean\" x1=\"\(c(x0))\" y1=\"\(c(py(last.mean)))\" x2=\"\(c(x0 + panelWidth))\" y2=\"\(c(py(last.mean)))\" stroke=\"\(colour)\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n"
                }
            }
            s += "</g>\n"
        }
        s += "<text x=\"\(c(left + (width - left) / 2))\" y=\"\(c(panelTop + panelHeight + 28))\" text-anchor=\"middle\">trials merged (log scale)</text>\n"
        let ly = height - 8
        let (swatches, lx) = RiskFigure.studentSwatches(shown, x: left, baseline: ly)
        s += swatches
        s += "<text x=\"\(c(lx + 8))\" y=\"\(c(ly))\" fill=\"#555\">line: mean so far; shaded: its interval; dashed: the final mean</text>\n"
        return s + "</svg>\n"
    }
}
