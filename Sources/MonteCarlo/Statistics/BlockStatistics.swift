/// The moments of every curve point over one fixed block of trial indices
/// [index·blockSize, (index+1)·blockSize). Blocks, not ranks, are the unit of reproducibility:
/// a block's numbers depend only on its trials, in trial order.
public struct BlockStatistics: Sendable, Hashable {
    public let index: Int
    public private(set) var points: [Moments]

    public init(index: Int, pointCount: Int) {
        precondition(index >= 0 && pointCount >= 0, "BlockStatistics: negative index or point count")
        self.index = index
        self.points = Array(repeating: Moments(), count: pointCount)
    }

    public init(index: Int, points: [Moments]) {
        precondition(index >= 0, "BlockStatistics: negative index")
        self.index = index
        self.points = points
    }

    /// Adds one trial's vector (one value per curve point, NaN = not applicable).
    public mutating func add(_ values: [Double]) {
        precondition(values.count == points.count,
                     "trial returned \(values.count) values, expected \(points.count)")
        for i in values.indices { points[i].add(values[i]) }
    }
}

/// Block statistics merged in block order: blocks 0..<blockCount, nothing skipped.
public struct MergedStatistics: Sendable, Hashable {
    public let blockSize: Int
    public private(set) var blockCount: Int
    public private(set) var points: [Moments]

    public init(blockSize: Int, pointCount: Int) {
        precondition(blockSize >= 1, "block size must be ≥ 1")
        self.blockSize = blockSize
        self.blockCount = 0
        self.points = Array(repeating: Moments(), count: pointCount)
    }

    /// Restores merged state (checkpoints).
    public init(blockSize: Int, blockCount: Int, points: [Moments]) {
        precondition(blockSize >= 1 && blockCount >= 0, "MergedStatistics: bad block size or count")
        self.blockSize = blockSize
        self.blockCount = blockCount
        self.points = points
    }

    /// Trials covered, always a whole number of blocks.
    public var trials: Int { blockCount * blockSize }

    /// Merges the next block; the order is fixed so the result is bit-identical however blocks
    /// were spread over ranks or runs.
    public mutating func merge(_ block: BlockStatistics) {
        precondition(block.index == blockCount,
                     "blocks must be merged in order: expected block \(blockCount), got \(block.index)")
        precondition(block.points.count == points.count, "block has \(block.points.count) points, expected \(points.count)")
        for i in points.indices { points[i].merge(block.points[i]) }
        blockCount += 1
    }

    public func intervals(_ critical: inout StudentCriticalValues) -> [ConfidenceInterval] {
        points.map { critical.interval(for: $0) }
    }
}
