/// Which blocks each rank computes in each round.
///
/// Round r covers the `size · blocksPerRank` blocks after the ones already merged; rank k takes
/// blocks first + k, first + k + size, first + k + 2·size, … (interleaved). Keeping ranks busy:
/// trial costs vary (solver convergence, experiments of a suite), so each rank gets several
/// blocks per round and the per-round cost is a sum of many trials, which evens it out; the
/// measured imbalance (`RunTiming.efficiency`) tells when to raise `blocksPerRankPerRound` or
/// lower the block size. The deal depends only on (first block, rank, size), never on timing,
/// and the merged result does not depend on the deal at all (blocks are merged by index).
public struct BlockSchedule: Sendable, Hashable {
    public let blocksPerRank: Int
    /// Blocks at or beyond this index are never dealt.
    public let blockLimit: Int

    public init(blocksPerRank: Int, blockLimit: Int) {
        precondition(blocksPerRank >= 1, "blocksPerRank must be ≥ 1")
        precondition(blockLimit >= 0, "blockLimit must be ≥ 0")
        self.blocksPerRank = blocksPerRank
        self.blockLimit = blockLimit
    }

    /// Number of blocks a round deals when it starts at `first` with `size` ranks.
    public func roundWidth(size: Int) -> Int { size * blocksPerRank }

    /// The blocks rank `rank` of `size` computes in the round that starts at block `first`.
    public func blocks(first: Int, rank: Int, size: Int) -> [Int] {
        precondition(size >= 1 && rank >= 0 && rank < size, "rank \(rank) outside 0..<\(size)")
        return (0..<blocksPerRank).map { first + rank + $0 * size }.filter { $0 < blockLimit }
    }
}

/// How many blocks per rank the next round deals when rounds are sized by time.
///
/// The first round deals one block per rank (nothing is known of the cost yet); after that,
/// the slowest rank's time per block in the last round predicts the next round's length.
/// The width changes only the grouping of blocks into rounds, never which trials a block
/// holds or the order blocks are merged in, so results are the same bits for any width.
public enum RoundWidth {
    public static func initial(targetSeconds: Double?, maximum: Int) -> Int {
        targetSeconds == nil ? maximum : 1
    }

    /// - Parameters:
    ///   - busySeconds: each rank's compute time in the last round.
    ///   - blocksPerRank: the blocks each rank was dealt in the last round.
    public static func next(targetSeconds: Double?, maximum: Int,
                            busySeconds: [Double], blocksPerRank: Int) -> Int {
        precondition(maximum >= 1 && blocksPerRank >= 1, "round widths are at least 1")
        guard let target = targetSeconds else { return maximum }
        let slowest = busySeconds.max() ?? 0
        guard slowest.isFinite, slowest > 0 else { return maximum }
        let perBlock = slowest / Double(blocksPerRank)
        let fitting = (target / perBlock).rounded(.down)
        return Int(Swift.min(Double(maximum), Swift.max(1, fitting)))
    }
}

extension BlockSchedule {
    /// Rank `rank`'s share of a round's list of blocks: items rank, rank + size, … (the same
    /// interleaving as `blocks(first:rank:size:)` when the list has no gaps).
    public static func share(of list: [Int], rank: Int, size: Int) -> [Int] {
        precondition(size >= 1 && rank >= 0 && rank < size, "rank \(rank) outside 0..<\(size)")
        return Array(stride(from: rank, to: list.count, by: size).map { list[$0] })
    }
}

/// One of `count` fixed shares of a run's block indices, for running one experiment as several
/// jobs (array jobs) and merging them: block b belongs to part b mod count. The share depends
/// on nothing else, so the parts' blocks together are exactly the blocks of one run.
public struct BlockPartition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 0-based; written 1-based (`K/M`).
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "part \(index) outside 0..<\(count)")
        self.index = index
        self.count = count
    }

    /// "K/M" with 1 ≤ K ≤ M (1-based, as array job indices usually are); nil otherwise.
    public init?(parsing text: String) {
        let fields = text.split(separator: "/", omittingEmptySubsequences: false)
        guard fields.count == 2, let k = Int(fields[0]), let m = Int(fields[1]), m >= 1, k >= 1, k <= m else {
            return nil
        }
        self.init(index: k - 1, count: m)
    }

    public func contains(_ block: Int) -> Bool { block % count == index }

    /// How many of blocks 0..<limit belong to this part.
    public func blockCount(below limit: Int) -> Int {
        limit <= index ? 0 : (limit - index - 1) / count + 1
    }

    public var description: String { "\(index + 1)/\(count)" }
}
