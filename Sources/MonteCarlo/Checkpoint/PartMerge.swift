/// Combines the checkpoints of the parts of a split run (`EngineConfiguration.part`) into the
/// statistics one run would have merged: blocks in block order, the stopping rule asked after
/// each, so the result is the same bits as an unsplit run of the same configuration.
public enum PartMerge {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The checkpoints are not the parts of one run (which file, and why).
        case notOneRun(String)
        /// A block the run needs is in none of the parts (a part not finished).
        case missingBlock(block: Int, part: String)

        public var description: String {
            switch self {
            case .notOneRun(let why): return "the parts are not of one run: \(why)"
            case .missingBlock(let block, let part):
                return "block \(block) is missing: part \(part) has not finished; resume it (kdmc run ... --part \(part) --resume) and merge again"
            }
        }
    }

    /// - Parameters:
    ///   - parts: one checkpoint per part, each with `part` set, all with the same fingerprint,
    ///     block size and point count, and together every part 1/M … M/M exactly once.
    ///   - fingerprint: the fingerprint of the run they must belong to.
    ///   - onMerge: called after each merged block, in order, as the engine's `merged` callback is.
    public static func combine(_ parts: [Checkpoint], fingerprint: RunFingerprint, plan: StoppingPlan,
                               critical: inout StudentCriticalValues,
                               onMerge: ((MergedStatistics) -> Void)? = nil) throws(Failure) -> (MergedStatistics, StopReason) {
        guard let first = parts.first else { throw .notOneRun("no parts given") }
        guard let count = first.part?.count else { throw .notOneRun("a checkpoint of a whole run, not of a part") }
        var seen = Set<Int>()
        var blocks: [Int: BlockStatistics] = [:]
        let pointCount = first.statistics.points.count
        for checkpoint in parts {
            guard let part = checkpoint.part else { throw .notOneRun("a checkpoint of a whole run, not of a part") }
            guard part.count == count else { throw .notOneRun("part \(part) beside part \(first.part!) (different part counts)") }
            guard seen.insert(part.index).inserted else { throw .notOneRun("part \(part) given twice") }
            guard checkpoint.fingerprint == fingerprint else {
                throw .notOneRun("part \(part) has fingerprint \(checkpoint.fingerprint), the run has \(fingerprint) (another configuration or seed)")
            }
            guard checkpoint.statistics.blockSize == plan.blockSize, checkpoint.statistics.points.count == pointCount,
                  checkpoint.statistics.blockCount == 0 else {
                throw .notOneRun("part \(part) has another block size or layout")
            }
            for block in checkpoint.loose {
                guard part.contains(block.index), block.points.count == pointCount else {
                    throw .notOneRun("part \(part) holds block \(block.index), which is not its own")
                }
                blocks[block.index] = block
            }
        }
        guard seen.count == count else {
            let missing = (0..<count).filter { !seen.contains($0) }.map { BlockPartition(index: $0, count: count).description }
            throw .notOneRun("parts \(missing.joined(separator: ", ")) are missing")
        }
        // Every block of a run keeps the same covariance groups; take them from any block.
        let groups = blocks.values.first?.groups.map(\.points) ?? []
        guard blocks.values.allSatisfy({ $0.groups.map(\.points) == groups }) else {
            throw .notOneRun("the parts keep different covariance groups")
        }
        var merged = MergedStatistics(blockSize: plan.blockSize, pointCount: pointCount, groups: groups)
        for b in 0..<plan.maximumBlocks {
            guard let block = blocks[b] else {
                throw .missingBlock(block: b, part: BlockPartition(index: b % count, count: count).description)
            }
            merged.merge(block)
            onMerge?(merged)
            if let reason = plan.decision(after: merged, critical: &critical) { return (merged, reason) }
        }
        preconditionFailure("a stopping plan always decides by its maximum block")
    }
}
