/// The moments of every curve point over one fixed block of trial indices
/// [index·blockSize, (index+1)·blockSize). Blocks, not ranks, are the unit of reproducibility:
/// a block's numbers depend only on its trials, in trial order.
public struct BlockStatistics: Sendable, Hashable {
    public let index: Int
    public private(set) var points: [Moments]
    /// Co-moments of each covariance group (`EngineConfiguration.covarianceGroups`).
    public private(set) var groups: [CoMoments]

    public init(index: Int, pointCount: Int, groups: [[Int]] = []) {
        precondition(index >= 0 && pointCount >= 0, "BlockStatistics: negative index or point count")
        self.index = index
        self.points = Array(repeating: Moments(), count: pointCount)
        self.groups = groups.map { CoMoments(points: $0) }
    }

    public init(index: Int, points: [Moments], groups: [CoMoments] = []) {
        precondition(index >= 0, "BlockStatistics: negative index")
        self.index = index
        self.points = points
        self.groups = groups
    }

    /// Adds one trial's vector (one value per curve point, NaN = not applicable).
    public mutating func add(_ values: [Double]) {
        precondition(values.count == points.count,
                     "trial returned \(values.count) values, expected \(points.count)")
        for i in values.indices { points[i].add(values[i]) }
        for g in groups.indices { groups[g].add(trial: values) }
    }
}

/// Block statistics merged in block order: blocks 0..<blockCount, nothing skipped.
public struct MergedStatistics: Sendable, Hashable {
    public let blockSize: Int
    public private(set) var blockCount: Int
    public private(set) var points: [Moments]
    /// Co-moments of each covariance group, merged like `points`.
    public private(set) var groups: [CoMoments]

    public init(blockSize: Int, pointCount: Int, groups: [[Int]] = []) {
        precondition(blockSize >= 1, "block size must be ≥ 1")
        self.blockSize = blockSize
        self.blockCount = 0
        self.points = Array(repeating: Moments(), count: pointCount)
        self.groups = groups.map { CoMoments(points: $0) }
    }

    /// Restores merged state (checkpoints).
    public init(blockSize: Int, blockCount: Int, points: [Moments], groups: [CoMoments] = []) {
        precondition(blockSize >= 1 && blockCount >= 0, "MergedStatistics: bad block size or count")
        self.blockSize = blockSize
        self.blockCount = blockCount
        self.points = points
        self.groups = groups
    }

    /// The groups' point lists (what a checkpoint must match).
    public var groupPoints: [[Int]] { groups.map(\.points) }

    /// Trials covered, always a whole number of blocks.
    public var trials: Int { blockCount * blockSize }

    /// Merges the next block; the order is fixed so the result is bit-identical however blocks
    /// were spread over ranks or runs.
    public mutating func merge(_ block: BlockStatistics) {
        precondition(block.index == blockCount,
                     "blocks must be merged in order: expected block \(blockCount), got \(block.index)")
        precondition(block.points.count == points.count, "block has \(block.points.count) points, expected \(points.count)")
        precondition(block.groups.count == groups.count, "block has \(block.groups.count) covariance groups, expected \(groups.count)")
        for i in points.indices { points[i].merge(block.points[i]) }
        for g in groups.indices { groups[g].merge(block.groups[g]) }
        blockCount += 1
    }

    public func intervals(_ critical: inout StudentCriticalValues) -> [ConfidenceInterval] {
        points.map { critical.interval(for: $0) }
    }
}
