/// Everything the engine needs besides the trial function.
public struct EngineConfiguration: Sendable {
    /// Length of every trial's vector (one value per curve point; the caller owns the layout).
    public var pointCount: Int
    /// Trials per block; the unit of statistics, scheduling, stopping and checkpoints.
    public var blockSize: Int
    /// Blocks each rank computes between two collective steps (see `BlockSchedule`).
    public var blocksPerRankPerRound: Int
    public var stopping: StoppingRule
    /// Two-sided coverage of the intervals, in (0, 1).
    public var confidenceLevel: Double
    /// Quantile of Student's t, p ↦ t_{p, ν} (default: `SpecialFunctions.studentTQuantile`).
    public var quantile: StudentCriticalValues.Quantile
    /// Canonical text of whatever changes the trials' values (configuration and seed); its hash
    /// guards `resume` against a checkpoint of another run.
    public var identity: String
    public var checkpoint: CheckpointPolicy?

    public init(pointCount: Int, blockSize: Int, blocksPerRankPerRound: Int = 2,
                stopping: StoppingRule, confidenceLevel: Double = 0.95,
                quantile: @escaping StudentCriticalValues.Quantile = StudentCriticalValues.studentT,
                identity: String, checkpoint: CheckpointPolicy? = nil) {
        self.pointCount = pointCount
        self.blockSize = blockSize
        self.blocksPerRankPerRound = blocksPerRankPerRound
        self.stopping = stopping
        self.confidenceLevel = confidenceLevel
        self.quantile = quantile
        self.identity = identity
        self.checkpoint = checkpoint
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
