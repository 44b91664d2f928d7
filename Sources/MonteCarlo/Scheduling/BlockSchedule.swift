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
