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
