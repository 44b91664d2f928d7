import Foundation

/// The small panel beside each risk figure: how the per-trial risk is spread at the first, a
/// middle and the last n (distributions.csv), one bar chart per n, bars per bin coloured by
/// student, each non-empty bar labelled with its count. It shows what an interval of the mean
/// hides: a mass of draws at exactly 0 and a few large ones, or a shift of the whole law.
package enum DistributionFigure {
    static let width = 780.0
    static let panelTop = 40.0
    static let panelHeight = 130.0
    static let gap = 18.0
    static let left = 48.0
    /// At most this many students are drawn (the first ones of the experiment).
    static let maximumStudents = 3

    /// Bin labels along each panel's x axis.
    static func binLabel(_ low: Double, _ high: Double) -> String {
        if high == 0 { return "0" }
        return "≤" + (high < 0.001 ? "1e-4" : String(format: "%g", high))
    }

    /// Nil when there is nothing to draw (no rows for this experiment).
    package static func render(experiment: String, rows: [DistributionRow]) -> String? {
        let mine = rows.filter { $0.experiment == experiment }
        guard !mine.isEmpty else { return nil }
        let (students, ns) = RiskFigure.studentsAndSizes(mine.map { ($0.student, $0.n) })
        let shown = Array(students.prefix(maximumStudents))
        let binCount = RiskDistribution.binCount
        let panelWidth = (width - left - 16 - gap * Double(ns.count - 1)) / Double(ns.count)
        let height = panelTop + panelHeight + 62
        let c = Markup.coordinate
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"distribution-figure\" data-experiment=\"\(Markup.escape(experiment))\" width=\"\(c(width))\" height=\"\(c(height))\" viewBox=\"0 0 \(c(width)) \(c(height))\" font-family=\"sans-serif\" font-size=\"10\" role=\"img\">\n"
        s += "<title>\(Markup.escape("Per-trial risk — \(experiment)"))</title>\n"
        s += "<rect width=\"\(c(width))\" height=\"\(c(height))\" fill=\"white\"/>\n"
        s += "<text x=\"\(c(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(Markup.escape("Per-trial risk at three n — \(experiment)"))</text>\n"
        s += "<text x=\"14\" y=\"\(c(panelTop + panelHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(c(panelTop + panelHeight / 2)))\">fraction of trials</text>\n"
        for (p, n) in ns.enumerated() {
            let x0 = left + Double(p) * (panelWidth + gap)
            s += "<g class=\"distribution-panel\" data-n=\"\(n)\">\n"
            s += "<rect x=\"\(c(x0))\" y=\"\(c(panelTop))\" width=\"\(c(panelWidth))\" height=\"\(c(panelHeight))\" fill=\"none\" stroke=\"#444\"/>\n"
            s += "<text x=\"\(c(x0 + panelWidth / 2))\" y=\"\(c(panelTop - 6))\" text-anchor=\"middle\" font-weight=\"bold\">n = \(n)</text>\n"
            for tick in [0.0, 0.5, 1.0] {
                let y = panelTop + panelHeight * (1 - tick)
                s += "<line x1=\"\(c(x0 - 3))\" y1=\"\(c(y))\" x2=\"\(c(x0))\" y2=\"\(c(y))\" stroke=\"#444\"/>\n"
                if p == 0 { s += "<text x=\"\(c(x0 - 5))\" y=\"\(c(y + 3))\" text-anchor=\"end\">\(String(format: "%g", tick))</text>\n" }
            }
            let slot = panelWidth / Double(binCount)
            let barWidth = (slot - 2) / Double(max(shown.count, 1))
            for k in 0..<binCount {
                let (low, high) = RiskDistribution.bounds(ofBin: k)
                let sx = x0 + Double(k) * slot
                for (i, student) in shown.enumerated() {
                    guard let row = mine.first(where: { $0.student == student && $0.n == n && $0.binLow == low && $0.binHigh == high }),
                          row.trials > 0 else { continue }
                    let fraction = Double(row.count) / Double(row.trials)
                    let h = panelHeight * fraction
                    let bx = sx + 1 + Double(i) * barWidth
                    let colour = RiskFigure.palette[i % RiskFigure.palette.count]
                    s += "<rect class=\"bar\" data-student=\"\(Markup.escape(student))\" data-count=\"\(row.count)\" x=\"\(c(bx))\" y=\"\(c(panelTop + panelHeight - h))\" width=\"\(c(max(barWidth - 0.5, 0.5)))\" height=\"\(c(h))\" fill=\"\(colour)\"><title>\(Markup.escape("\(student), n = \(n): \(row.count) of \(row.trials) trials with risk in \(high == 0 ? "{0}" : "(\(low), \(high)]")"))</title></rect>\n"
                    // Counts where a bar is too short to read (the rare events), or where bars
                    // are wide enough to hold their number; inside a bar that reaches the top.
                    if row.count > 0 && (h < 8 || barWidth >= 11) {
                        let inside = h > panelHeight - 10
                        let y = inside ? panelTop + 9 : panelTop + panelHeight - h - 2
                        s += "<text class=\"bar-count\" x=\"\(c(bx + barWidth / 2))\" y=\"\(c(y))\" text-anchor=\"middle\" font-size=\"8\"\(inside ? " fill=\"white\"" : "")>\(row.count)</text>\n"
                    }
                }
                if p == 0 || k % 2 == 0 || binCount <= 6 {
                    let lx = sx + slot / 2, ly = panelTop + panelHeight + 10
                    s += "<text class=\"bin-label\" x=\"\(c(lx))\" y=\"\(c(ly))\" text-anchor=\"end\" font-size=\"8\" transform=\"rotate(-45 \(c(lx)) \(c(ly)))\">\(Markup.escape(binLabel(low, high)))</text>\n"
                }
            }
            s += "</g>\n"
        }
        // Legend: one swatch per student shown.
        let ly = height - 10
        let (swatches, lx) = RiskFigure.studentSwatches(shown, x: left, baseline: ly)
        s += swatches
        let rest = students.count - shown.count
        s += "<text x=\"\(c(lx + 8))\" y=\"\(c(ly))\" fill=\"#555\">risk bins: 0, then (previous, edge]\(rest > 0 ? "; \(rest) more students in distributions.csv" : "")</text>\n"
        return s + "</svg>\n"
    }
}
