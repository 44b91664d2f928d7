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
    /// Sequential stopping: each watched curve point that has values, with its current
    /// half-width and the half-width it must get below (empty for a fixed trial count).
    public var halfWidths: [PointHalfWidth] = []

    public struct PointHalfWidth: Sendable, Hashable {
        /// Index of the curve point in the trial's vector.
        public var point: Int
        public var halfWidth: Double
        /// The larger of the absolute target and the relative target times |mean|.
        public var target: Double

        public var isMet: Bool { halfWidth <= target }
    }

    /// The watched points' half-widths under a sequential rule (empty for a fixed count).
    static func halfWidths(_ merged: MergedStatistics, rule: StoppingRule,
                           critical: inout StudentCriticalValues) -> [PointHalfWidth] {
        guard case .sequential(let target) = rule else { return [] }
        var result: [PointHalfWidth] = []
        for index in target.watchedPoints ?? Array(merged.points.indices) where merged.points[index].count > 0 {
            let interval = critical.interval(for: merged.points[index])
            let goal = Swift.max(target.absoluteHalfWidth ?? 0, (target.relativeHalfWidth ?? 0) * Swift.abs(interval.mean))
            result.append(PointHalfWidth(point: index, halfWidth: interval.halfWidth, target: goal))
        }
        return result
    }
}
