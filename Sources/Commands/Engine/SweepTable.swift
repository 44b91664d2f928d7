import Foundation
import Report

/// The sweeps' part of the end-of-run summary: each point's fitted rate and, in one line, the
/// across-sweep verdicts (listed in full with the run's other verdicts).
enum SweepTable {
    static func render(_ sweeps: [SweepSummary]) -> String {
        var lines: [String] = []
        for sweep in sweeps {
            lines.append("")
            lines.append("sweep \(sweep.sweep) over \(sweep.parameters.map(\.rawValue).joined(separator: " × ")) (resolution \(Markup.number(sweep.resolution))):")
            for row in sweep.rows {
                let label = row.coordinates.map(\.label).joined(separator: ",")
                let fitted = row.fitted.map { f in
                    "\(String(format: "%.4g", f)) [\(row.fittedLow.map { String(format: "%.4g", $0) } ?? "?"), \(row.fittedHigh.map { String(format: "%.4g", $0) } ?? "?")]"
                } ?? "no fit"
                let predicted = row.predicted.map { String(format: "%.4g", $0) } ?? "—"
                lines.append("  \(row.claim) \(label.padding(toLength: 24, withPad: " ", startingAt: 0)) fitted \(fitted), predicted \(predicted): \(row.status.rawValue)")
            }
            if !sweep.trends.isEmpty {
                lines.append("  across the sweep: \(sweep.trends.map { "\($0.claim) \($0.experiment) \($0.status.rawValue)" }.joined(separator: "; ")) (details in the verdicts above)")
            }
        }
        lines.append("sweeps: sweeps.csv beside curves.csv")
        return lines.joined(separator: "\n")
    }
}
