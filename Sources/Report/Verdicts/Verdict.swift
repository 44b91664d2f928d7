/// One checked claim of docs/THEORY.md: whether it holds on this run, and the numbers behind the
/// answer (so a reader can judge the margin, not just the boolean).
public struct Verdict: Sendable, Codable, Equatable {
    /// Short identifier of the claim, e.g. "B", "C1", "M3", "L1", "exact-gaussian".
    public var claim: String
    public var experiment: String
    public var student: String?
    public var holds: Bool
    public var numbers: [String: Double]
    /// One sentence for people: what was compared and by how much.
    public var detail: String

    public init(claim: String, experiment: String, student: String? = nil, holds: Bool,
                numbers: [String: Double], detail: String) {
        self.claim = claim
        self.experiment = experiment
        self.student = student
        self.holds = holds
        self.numbers = numbers
        self.detail = detail
    }
}
