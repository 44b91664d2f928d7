import Experiments
import Foundation
import MonteCarlo

/// The sweeps' part of report.html: per sweep its figure, the fitted rate at every point and
/// the across-sweep verdicts with their rule.
enum SweepSection {
    static func render(_ content: ReportContent) -> (html: String, figures: [(name: String, svg: String)]) {
        guard let sweeps = content.summary.sweeps, !sweeps.isEmpty else { return ("", []) }
        var h = "<section id=\"sweeps\">\n<h2>Sweeps</h2>\n"
        h += "<p class=\"legend-note\">Left: the fitted rate of each point with its confidence interval against the swept parameter; dashed: the predicted rate. Right: the risk curves of every point, one colour per point.</p>\n"
        var figures: [(name: String, svg: String)] = []
        for (index, sweep) in sweeps.enumerated() {
            let figure = SweepFigure.render(sweep, rows: content.rows)
            let file = "sweep-\(Markup.fileName(sweep.sweep)).svg"
            figures.append((file, figure.svg))
            h += "<section class=\"sweep\" id=\"sweep-\(index + 1)\" data-sweep=\"\(Markup.escape(sweep.sweep))\">\n"
            h += "<h3>\(Markup.escape(sweep.sweep)): \(Markup.escape(sweep.parameters.map(\.rawValue).joined(separator: " × "))), \(sweep.points.count) points</h3>\n"
            h += "<figure>\n\(figure.svg)<figcaption>\n"
            for note in figure.notes { h += "<p class=\"note\">\(Markup.escape(note))</p>\n" }
            h += "<p class=\"file\">Also as <a href=\"\(ReportPage.figuresFolder)/\(Markup.escape(file))\">\(ReportPage.figuresFolder)/\(Markup.escape(file))</a>; the numbers are in sweeps.csv.</p>\n"
            h += "</figcaption>\n</figure>\n"
            if !sweep.rows.isEmpty {
                h += "<table class=\"sweep-points\">\n<thead><tr><th>Point</th><th>Claim</th><th>Student</th><th>Fitted rate</th><th>Interval</th><th>Predicted</th><th>Status</th></tr></thead>\n<tbody>\n"
                for row in sweep.rows {
                    let interval = row.fittedLow.flatMap { lo in row.fittedHigh.map { "[\(Markup.number(lo)), \(Markup.number($0))]" } } ?? "—"
                    h += "<tr class=\"sweep-point \(row.status.rawValue)\" data-experiment=\"\(Markup.escape(row.experiment))\" data-claim=\"\(Markup.escape(row.claim))\">"
                    h += "<td>\(Markup.escape(row.coordinates.map(\.label).joined(separator: ", ")))</td><td>\(Markup.escape(row.claim))</td>"
                    h += "<td>\(Markup.escape(row.student))</td><td class=\"fitted\">\(row.fitted.map(Markup.number) ?? "no fit")</td>"
                    h += "<td>\(interval)</td><td>\(row.predicted.map(Markup.number) ?? "—")</td><td class=\"result\">\(row.status.rawValue)</td></tr>\n"
                }
                h += "</tbody>\n</table>\n"
            }
            h += "<table class=\"sweep-verdicts\">\n<thead><tr><th>Along</th><th>Claim</th><th>Student</th><th>Result</th><th>Slope</th><th>Detail</th><th>Rule</th></tr></thead>\n<tbody>\n"
            for trend in sweep.trends {
                let slope = trend.slope.map { s in "\(Markup.number(s)) [\(trend.slopeLow.map(Markup.number) ?? "?"), \(trend.slopeHigh.map(Markup.number) ?? "?")]" } ?? "—"
                h += "<tr class=\"sweep-verdict \(trend.status.rawValue)\" data-experiment=\"\(Markup.escape(trend.experiment))\" data-claim=\"\(Markup.escape(trend.claim))\">"
                h += "<td>\(Markup.escape(trend.experiment))</td><td class=\"claim\">\(Markup.escape(trend.claim))</td><td>\(Markup.escape(trend.student))</td>"
                h += "<td class=\"result\">\(trend.status.rawValue)</td><td class=\"slope\">\(slope)</td>"
                h += "<td class=\"detail\">\(Markup.escape(trend.detail))</td><td class=\"rule\">\(Markup.escape(trend.rule))</td></tr>\n"
            }
            if sweep.trends.isEmpty { h += "<tr><td colspan=\"7\">No rate claim to follow along this sweep.</td></tr>\n" }
            h += "</tbody>\n</table>\n</section>\n"
        }
        h += "</section>\n"
        return (h, figures)
    }

    static let style = """
    svg.sweep-figure { max-width: 100%; height: auto; border: 1px solid #eee; }
    tr.holds .result { color: #1b6e1b; font-weight: bold; }
    tr.inconclusive .result { color: #a15c00; font-weight: bold; }
    td.rule { font-size: 0.85em; color: #555; }

    """
}
