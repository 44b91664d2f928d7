/// Bad input or a failed run, with what to do about it.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    /// A trial threw or returned the wrong number of values (in-process abort path; under MPI
    /// the job is aborted with the same line instead).
    case trialFailed(rank: Int, trial: Int, message: String)
    /// Rank 0 failed (e.g. could not read or write a checkpoint) and told the others.
    case rootFailed(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): return "invalid configuration: \(message)"
        case .trialFailed(let rank, let trial, let message):
            return "rank \(rank): trial \(trial) failed: \(message)"
        case .rootFailed(let message): return "rank 0 failed: \(message)"
        }
    }
}
