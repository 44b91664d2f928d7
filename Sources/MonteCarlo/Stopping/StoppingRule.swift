/// When the engine stops drawing trials. Trial counts are rounded to whole blocks (see
/// `StoppingPlan`), so the count actually used never depends on the number of ranks.
public enum StoppingRule: Sendable, Hashable, Codable {
    /// Exactly this many trials, rounded up to a whole number of blocks.
    case fixed(trials: Int)
    /// Until every curve point's interval is narrow enough.
    case sequential(SequentialTarget)
}

/// A point is done when its half-width ≤ `absoluteHalfWidth` OR ≤ `relativeHalfWidth`·|mean|
/// (either target may be nil, not both). Points that never had a value (all NaN so far) are
/// ignored; a point with one value is never done. The rule is checked only after
/// `minimumTrials`; the run ends at `maximumTrials` or at the wall-time cap whatever the
/// intervals say.
public struct SequentialTarget: Sendable, Hashable, Codable {
    public var absoluteHalfWidth: Double?
    public var relativeHalfWidth: Double?
    public var minimumTrials: Int
    public var maximumTrials: Int
    /// Seconds since the start of this run (not counting earlier runs before a resume). The
    /// one rule whose trial count depends on timing: it stops at the end of a round.
    public var wallTimeLimit: Double?
    /// The curve points the target applies to (nil: all). A trial's vector also carries
    /// diagnostics (flow times, step counts) whose spread says nothing about the curves.
    public var watchedPoints: [Int]?

    public init(absoluteHalfWidth: Double? = nil, relativeHalfWidth: Double? = nil,
                minimumTrials: Int, maximumTrials: Int, wallTimeLimit: Double? = nil,
                watchedPoints: [Int]? = nil) {
        self.absoluteHalfWidth = absoluteHalfWidth
        self.relativeHalfWidth = relativeHalfWidth
        self.minimumTrials = minimumTrials
        self.maximumTrials = maximumTrials
        self.wallTimeLimit = wallTimeLimit
        self.watchedPoints = watchedPoints
    }

    /// The points of `points` that the target applies to.
    public func watched<T>(_ points: [T]) -> [T] {
        guard let watchedPoints else { return points }
        return watchedPoints.map { points[$0] }
    }

    /// Whether one point's interval meets the target.
    public func isMet(by interval: ConfidenceInterval) -> Bool {
        if interval.count == 0 { return true }
        let h = interval.halfWidth
        guard !h.isNaN, h.isFinite else { return false }
        if let a = absoluteHalfWidth, h <= a { return true }
        if let r = relativeHalfWidth, h <= r * Swift.abs(interval.mean) { return true }
        return false
    }
}

/// Why a run ended.
public enum StopReason: String, Sendable, Hashable, Codable {
    /// The fixed trial count was reached.
    case fixedCountReached
    /// Every curve point met the sequential target.
    case targetMet
    /// The sequential rule's maximum trial count was reached first.
    case maximumReached
    /// The wall-time cap was reached (the trial count then depends on timing).
    case wallTimeLimit
    /// One part of a split run computed all of its blocks (up to the rule's maximum); merging
    /// the parts applies the rule.
    case partComplete
}

/// A stopping rule translated to blocks and checked after each merged block, in block order,
/// so the stopping block is the same for any rank count and across a resume.
public struct StoppingPlan: Sendable, Hashable {
    public let rule: StoppingRule
    public let blockSize: Int
    /// Never merge more blocks than this.
    public let maximumBlocks: Int
    /// The sequential target is not checked before this many blocks.
    public let minimumBlocks: Int

    public init(rule: StoppingRule, blockSize: Int) throws(EngineError) {
        guard blockSize >= 1 else {
            throw .invalidConfiguration("blockSize is \(blockSize); it must be at least 1 (e.g. 64)")
        }
        self.rule = rule
        self.blockSize = blockSize
        switch rule {
        case .fixed(let trials):
            guard trials >= 1 else {
                throw .invalidConfiguration("fixed trials is \(trials); it must be at least 1")
            }
            maximumBlocks = Self.blocks(roundingUp: trials, blockSize)
            minimumBlocks = maximumBlocks
        case .sequential(let target):
            guard target.absoluteHalfWidth != nil || target.relativeHalfWidth != nil else {
                throw .invalidConfiguration("sequential stopping needs absoluteHalfWidth or relativeHalfWidth; set at least one")
            }
            for (name, value) in [("absoluteHalfWidth", target.absoluteHalfWidth),
                                  ("relativeHalfWidth", target.relativeHalfWidth),
                                  ("wallTimeLimit", target.wallTimeLimit)] {
                if let v = value, !(v > 0 && v.isFinite) {
                    throw .invalidConfiguration("\(name) is \(v); it must be a positive finite number")
                }
            }
            guard target.minimumTrials >= 2 else {
                throw .invalidConfiguration("minimumTrials is \(target.minimumTrials); it must be at least 2 for an interval")
            }
            guard target.maximumTrials >= target.minimumTrials else {
                throw .invalidConfiguration("maximumTrials \(target.maximumTrials) is below minimumTrials \(target.minimumTrials); raise maximumTrials")
            }
            minimumBlocks = Self.blocks(roundingUp: target.minimumTrials, blockSize)
            maximumBlocks = Swift.max(minimumBlocks, Self.blocks(roundingUp: target.maximumTrials, blockSize))
        }
    }

    private static func blocks(roundingUp trials: Int, _ blockSize: Int) -> Int {
        (trials + blockSize - 1) / blockSize
    }

    /// Called after each merged block: nil to go on, or why to stop now.
    public func decision(after merged: MergedStatistics,
                         critical: inout StudentCriticalValues) -> StopReason? {
        switch rule {
        case .fixed:
            return merged.blockCount >= maximumBlocks ? .fixedCountReached : nil
        case .sequential(let target):
            if merged.blockCount >= minimumBlocks {
                let allMet = target.watched(merged.points).allSatisfy { target.isMet(by: critical.interval(for: $0)) }
                if allMet { return .targetMet }
            }
            return merged.blockCount >= maximumBlocks ? .maximumReached : nil
        }
    }
}
