/// Everything the engine needs besides the trial function.
public struct EngineConfiguration: Sendable {
    /// Length of every trial's vector (one value per curve point; the caller owns the layout).
    public var pointCount: Int
    /// Trials per block; the unit of statistics, scheduling, stopping and checkpoints.
    public var blockSize: Int
    /// Blocks each rank computes between two collective steps (see `BlockSchedule`); with
    /// `roundSeconds`, the most a round deals.
    public var blocksPerRankPerRound: Int
    /// Wall time a round should take, or nil for rounds of `blocksPerRankPerRound` blocks.
    /// Stop requests, checkpoints and progress wait for the end of a round, so slow trials
    /// need short rounds; fast trials want wide rounds (fewer collectives, better balance).
    /// Rank 0 sizes each round from the previous one's time per block (see `RoundWidth`);
    /// the merged numbers do not depend on it.
    public var roundSeconds: Double?
    public var stopping: StoppingRule
    /// Two-sided coverage of the intervals, in (0, 1).
    public var confidenceLevel: Double
    /// Quantile of Student's t, p ↦ t_{p, ν} (default: `SpecialFunctions.studentTQuantile`).
    public var quantile: StudentCriticalValues.Quantile
    /// Canonical text of whatever changes the trials' values (configuration and seed); its hash
    /// guards `resume` against a checkpoint of another run.
    public var identity: String
    public var checkpoint: CheckpointPolicy?
    /// Groups of trial-vector positions whose co-moments are kept (`CoMoments`), e.g. one
    /// student's risk at every n: a fit across n needs the covariance of its points.
    public var covarianceGroups: [[Int]]
    /// When set, the run computes only this share of the blocks (up to the stopping rule's
    /// maximum), keeps them unmerged in its checkpoint and ends with `StopReason.partComplete`;
    /// the parts are merged afterwards (`PartMerge`), where the stopping rule is applied.
    public var part: BlockPartition?

    public init(pointCount: Int, blockSize: Int, blocksPerRankPerRound: Int = 2,
                stopping: StoppingRule, confidenceLevel: Double = 0.95,
                quantile: @escaping StudentCriticalValues.Quantile = StudentCriticalValues.studentT,
                identity: String, checkpoint: CheckpointPolicy? = nil, roundSeconds: Double? = nil,
                covarianceGroups: [[Int]] = []) {
        self.pointCount = pointCount
        self.blockSize = blockSize
        self.blocksPerRankPerRound = blocksPerRankPerRound
        self.stopping = stopping
        self.confidenceLevel = confidenceLevel
        self.quantile = quantile
        self.identity = identity
        self.checkpoint = checkpoint
        self.roundSeconds = roundSeconds
        self.covarianceGroups = covarianceGroups
    }

    public var fingerprint: RunFingerprint {
        RunFingerprint(identity: identity, blockSize: blockSize, pointCount: pointCount)
    }
}

/// Where and how often rank 0 writes checkpoints. It always writes one when a run is
/// interrupted and when it finishes; in between after `everyRounds` rounds or `everySeconds`
/// seconds since the last one, whichever comes first (nil: never).
public struct CheckpointPolicy: Sendable, Hashable {
    public var path: String
    public var everyRounds: Int?
    public var everySeconds: Double?

    public init(path: String, everyRounds: Int? = nil, everySeconds: Double? = 300) {
        self.path = path
        self.everyRounds = everyRounds
        self.everySeconds = everySeconds
    }
}
