/// Bad input or a failed run, with what to do about it. (A failed trial is not an error here:
/// it aborts the group through `TrialCollective.abort`.)
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    /// Rank 0 failed (e.g. could not read or write a checkpoint) and told the others.
    case rootFailed(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return "invalid configuration: \(message)"
        case .rootFailed(let message): return "rank 0 failed: \(message)"
        }
    }
}
