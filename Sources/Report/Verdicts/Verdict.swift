import Experiments

/// One checked claim of THEORY.md: its status on this run, the numbers behind it (so a reader
/// can judge the margin) and the decision rule in words.
package struct Verdict: Sendable, Codable, Equatable {
    /// Short identifier of the claim, e.g. "B", "C1", "M3", "L1", "exact-gaussian".
    package var claim: String
    package var experiment: String
    package var student: String?
    package var status: VerdictStatus
    package var numbers: [String: Double]
    /// One sentence for people: what was compared and by how much.
    package var detail: String
    /// The decision rule: when this claim holds, fails, or is inconclusive.
    package var rule: String
    /// The status the experiment file expects (`"expect"`; every claim is expected to hold
    /// unless the file says otherwise).
    package var expected: VerdictStatus

    package init(claim: String, experiment: String, student: String? = nil, status: VerdictStatus,
                numbers: [String: Double], detail: String, rule: String, expected: VerdictStatus = .holds) {
        self.claim = claim
        self.experiment = experiment
        self.student = student
        self.status = status
        self.numbers = numbers
        self.detail = detail
        self.rule = rule
        self.expected = expected
    }

    /// A claim decided on the draws themselves (a pathwise statement or a tolerance on a
    /// deterministic quantity): it holds or fails, there is nothing statistical to be unsure of.
    package init(claim: String, experiment: String, student: String? = nil, holds: Bool,
                numbers: [String: Double], detail: String, rule: String) {
        self.init(claim: claim, experiment: experiment, student: student, status: holds ? .holds : .fails,
                  numbers: numbers, detail: detail, rule: rule)
    }

    package var holds: Bool { status == .holds }
    /// The run decided (holds or fails) otherwise than the experiment file expects.
    package var isUnexpected: Bool { status != .inconclusive && status != expected }
    /// The run could not decide a claim the file expects to be decided.
    package var isUndecided: Bool { status == .inconclusive && expected != .inconclusive }
}

extension Array where Element == Verdict {
    /// Sets each verdict's expected status from an experiment's `"expect"` (claim → status).
    package func expecting(_ expectations: [String: VerdictStatus]) -> [Verdict] {
        map { v in
            var v = v
            v.expected = expectations[v.claim].flatMap { VerdictStatus(rawValue: $0.rawValue) } ?? .holds
            return v
        }
    }

    /// The exit status of a run with these verdicts: 4 when some decided status (holds or
    /// fails) differs from its expectation, 5 when none does but some verdict is inconclusive
    /// (unless the file expects exactly that), 0 otherwise.
    package var exitStatus: Int32 {
        if contains(where: \.isUnexpected) { return VerdictExit.unexpected }
        if contains(where: \.isUndecided) { return VerdictExit.inconclusive }
        return 0
    }
}

/// Exit statuses of `kdmc run` that describe its verdicts (README, "Exit status").
package enum VerdictExit {
    package static let unexpected: Int32 = 4
    package static let inconclusive: Int32 = 5
}
