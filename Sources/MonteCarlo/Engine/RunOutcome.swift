/// How a run ended and, on rank 0, what it found.
public struct RunOutcome: Sendable {
    public enum Status: Sendable, Hashable {
        case finished(StopReason)
        /// Stopped on request (SIGTERM/SIGUSR1). `resumable` when a checkpoint was written;
        /// the tool should then exit with its distinct "stopped, resumable" status.
        case interrupted(resumable: Bool)
    }

    public var status: Status
    /// Merged statistics of the run (rank 0 only; nil on the other ranks).
    public var statistics: MergedStatistics?
    /// One interval per curve point (rank 0 only).
    public var intervals: [ConfidenceInterval]?
    /// The block the run started from (nonzero after a resume; on ranks other than 0 it is 0
    /// when a resumed run had nothing left to do).
    public var startBlock: Int
    public var timing: RunTiming
}

/// Where the time went (rank 0 only; the other ranks see their own busy time and zeros).
public struct RunTiming: Sendable, Hashable {
    public var wallSeconds: Double
    public var rounds: Int
    /// Seconds each rank spent computing trials, summed over rounds.
    public var busySecondsPerRank: [Double]
    /// Σ busy / (ranks · Σ round wall time): 1 when no rank ever waited.
    public var efficiency: Double
    /// The worst round's max busy / mean busy (1 = perfectly balanced).
    public var worstRoundImbalance: Double
}

/// What rank 0 reports after each round, for the tool to print.
public struct RunProgress: Sendable, Hashable {
    /// Trials merged so far (including those of a resumed checkpoint).
    public var trialsDone: Int
    /// Upper bound of trials (fixed count or the sequential maximum).
    public var trialsPlanned: Int
    /// Trials per second in this run so far.
    public var trialsPerSecond: Double
    /// Seconds to the end, estimated (sequential: half-widths shrink like 1/√n); nil before a rate is known.
    public var estimatedSecondsRemaining: Double?
    /// Largest half-width over the curve points that have values.
    public var maxHalfWidth: Double
    public var elapsedSeconds: Double
}
