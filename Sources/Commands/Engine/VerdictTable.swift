import Report

/// The one-screen summary printed at the end of a run.
enum VerdictTable {
    static func render(_ verdicts: [Verdict], suite: String, folder: String) -> String {
        var lines = ["", "kdmc: \(suite): \(verdicts.filter(\.holds).count) of \(verdicts.count) verdicts hold"]
        for v in verdicts {
            let who = v.student.map { "\(v.experiment) / \($0)" } ?? v.experiment
            lines.append("  \(v.holds ? "holds " : "FAILS ") \(v.claim.padding(toLength: 15, withPad: " ", startingAt: 0)) \(who): \(v.detail)")
        }
        lines.append("outputs: \(folder)/curves.csv, \(folder)/summary.json, \(folder)/report.html")
        return lines.joined(separator: "\n")
    }
}
