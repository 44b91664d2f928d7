/// The outcome of judging one claim on a run's own intervals (docs/THEORY.md §8).
public enum VerdictStatus: String, Sendable, Codable, CaseIterable {
    /// The data support the claim at the stated level.
    case holds
    /// The data contradict the claim.
    case fails
    /// The run's precision cannot decide: more trials (or a better estimator) would.
    case inconclusive
}
