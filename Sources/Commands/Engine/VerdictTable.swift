import Experiments
import Report

/// The one-screen summary printed at the end of a run.
enum VerdictTable {
    static func render(_ verdicts: [Verdict], suite: String, folder: String) -> String {
        let counts = VerdictStatus.allCases.map { s in "\(verdicts.filter { $0.status == s }.count) \(s.rawValue)" }
        let unexpected = verdicts.filter(\.isUnexpected).count
        let undecided = verdicts.filter(\.isUndecided).count
        var lines = ["", "kdmc: \(suite): \(verdicts.count) verdicts: \(counts.joined(separator: ", "))"
                        + (unexpected > 0 ? "; \(unexpected) not as expected" : (undecided > 0 ? "; \(undecided) undecided" : "; all as expected"))]
        for v in verdicts {
            let who = v.student.map { "\(v.experiment) / \($0)" } ?? v.experiment
            let word: String
            switch v.status {
            case .holds: word = "holds       "
            case .fails: word = "FAILS       "
            case .inconclusive: word = "INCONCLUSIVE"
            }
            let note = v.status != v.expected ? " [expected \(v.expected.rawValue)]" : (v.expected != .holds ? " [as expected]" : "")
            lines.append("  \(word) \(v.claim.padding(toLength: 15, withPad: " ", startingAt: 0)) \(who): \(v.detail)\(note)")
        }
        lines.append("outputs: \(folder)/curves.csv, \(folder)/summary.json, \(folder)/report.html")
        return lines.joined(separator: "\n")
    }
}
