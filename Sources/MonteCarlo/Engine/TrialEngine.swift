import Foundation

/// Runs trials over the ranks of a collective and reduces them on rank 0.
///
/// Every rank calls `run` with the same configuration and the same trial function. A trial is
/// `(trialIndex) throws -> [Double]`, one value per curve point (NaN = not applicable, see
/// `Moments`); it must depend on the index only, never on the rank. Trials are grouped in fixed
/// blocks, blocks are dealt in rounds (sized by `RoundWidth`), and after each round rank 0 merges
/// the new blocks in block order, checks the stopping rule after each merged block, checkpoints
/// and broadcasts what to do next. The merged numbers and the trial count are therefore the same
/// bits for any rank count and for a run stopped and resumed; blocks computed past the stopping
/// block are discarded.
///
/// A stop request does not wait for the round: each rank computes its blocks on a worker thread
/// while its main thread (the only one that calls the collective) watches for the request and
/// for other ranks' stop notices. On a stop every rank hands in the blocks it finished and
/// abandons the one in flight, and rank 0 checkpoints the finished blocks (merged, or kept loose
/// past a gap), so at most one block per rank is computed again on resume.
public struct TrialEngine: Sendable {
    public let configuration: EngineConfiguration
    public let plan: StoppingPlan

    /// How often a computing rank looks for a stop request.
    static let pollSeconds = 0.02

    public init(configuration: EngineConfiguration) throws(EngineError) {
        let c = configuration
        guard c.pointCount >= 1 else {
            throw .invalidConfiguration("pointCount is \(c.pointCount); a trial must return at least one value")
        }
        guard c.blocksPerRankPerRound >= 1 else {
            throw .invalidConfiguration("blocksPerRankPerRound is \(c.blocksPerRankPerRound); it must be at least 1")
        }
        guard c.confidenceLevel > 0, c.confidenceLevel < 1 else {
            throw .invalidConfiguration("confidenceLevel is \(c.confidenceLevel); it must lie strictly between 0 and 1, e.g. 0.95")
        }
        if let policy = c.checkpoint {
            if let k = policy.everyRounds, k < 1 {
                throw .invalidConfiguration("checkpoint everyRounds is \(k); it must be at least 1 (or nil for never)")
            }
            if let s = policy.everySeconds, !(s > 0) {
                throw .invalidConfiguration("checkpoint everySeconds is \(s); it must be positive (or nil for never)")
            }
        }
        if case .sequential(let target) = c.stopping, let watched = target.watchedPoints {
            guard !watched.isEmpty, watched.allSatisfy({ $0 >= 0 && $0 < c.pointCount }) else {
                throw .invalidConfiguration("watchedPoints must be a non-empty list of indices below pointCount \(c.pointCount)")
            }
        }
        for group in c.covarianceGroups {
            guard !group.isEmpty, group.allSatisfy({ $0 >= 0 && $0 < c.pointCount }) else {
                throw .invalidConfiguration("a covariance group must be a non-empty list of indices below pointCount \(c.pointCount)")
            }
        }
        self.configuration = c
        self.plan = try StoppingPlan(rule: c.stopping, blockSize: c.blockSize)
    }

    /// Under MPI, pass `MPICollective()` after `MPIRuntime.initialize`; a tool should turn any
    /// error thrown here into `MPIRuntime.abort`, since a rank that leaves alone would leave
    /// the others waiting in a collective.
    ///
    /// - Parameters:
    ///   - resume: continue from the checkpoint (`CheckpointError` if it is missing, corrupted
    ///     or from another run; the other ranks then throw `EngineError.rootFailed`).
    ///   - interruptRequested: asked on every rank while it computes (every few milliseconds)
    ///     and at round boundaries; true checkpoints and stops the whole group. The default
    ///     reads the SIGTERM/SIGUSR1 flag (call `InterruptSignals.install()` first).
    ///   - progress: called on rank 0 after each round.
    ///   - merged: called on rank 0 after each block is merged, in block order, with the
    ///     statistics so far (the running estimate; the same for any rank count).
    ///   - trial: the trial function, called on a worker thread, one trial at a time; a throw
    ///     aborts the whole group (see `TrialCollective.abort`). After a stop request a trial
    ///     in flight may still be running when `run` returns; its result is discarded.
    public func run<C: TrialCollective>(
        on collective: C,
        resume: Bool = false,
        interruptRequested: () -> Bool = { InterruptSignals.isRequested },
        progress: ((RunProgress) -> Void)? = nil,
        merged onMerge: ((MergedStatistics) -> Void)? = nil,
        trial: @escaping @Sendable (Int) throws -> [Double]
    ) throws -> RunOutcome {
        let clock = ContinuousClock()
        let runStart = clock.now
        var root: RootState?
        var rootError: (any Error)?

        // Start: rank 0 loads the checkpoint (if any) and tells everyone where to begin.
        var directive = try exchangeDirective(on: collective, rootError: &rootError) {
            var state = try RootState(engine: self, ranks: collective.size, resume: resume, start: runStart)
            let first = state.initialDirective()
            root = state
            return first
        }
        let startBlock: Int
        switch directive {
        case .proceed(let blocks, _): startBlock = root?.merged.blockCount ?? blocks.first ?? 0
        case .finish: startBlock = root?.merged.blockCount ?? 0
        default: startBlock = 0
        }

        var ownBusy = 0.0
        var watch = StopWatch()
        while true {
            let dealt: [Int]
            switch directive {
            case .proceed(let blocks, _):
                dealt = blocks
            case .finish(let reason):
                return outcome(.finished(reason), root: root, startBlock: startBlock, ownBusy: ownBusy,
                               collective: collective, wall: Self.seconds(clock.now - runStart))
            case .interrupt(let resumable):
                return outcome(.interrupted(resumable: resumable), root: root, startBlock: startBlock, ownBusy: ownBusy,
                               collective: collective, wall: Self.seconds(clock.now - runStart))
            case .fail(let message):
                throw rootError ?? EngineError.rootFailed(message)
            }

            let roundStart = clock.now
            let worker = RoundWorker(blocks: BlockSchedule.share(of: dealt, rank: collective.rank, size: collective.size),
                                     blockSize: configuration.blockSize, pointCount: configuration.pointCount,
                                     groups: configuration.covarianceGroups, trial: trial)
            while !worker.wait(seconds: Self.pollSeconds) {
                if try watch.check(collective, interruptRequested) { break }
            }
            let (blocks, failure) = worker.stop()
            if let failure { try collective.abort(failure, code: 1) }
            _ = try watch.check(collective, interruptRequested)
            let busy = Self.seconds(clock.now - roundStart)
            ownBusy += busy
            let report = RoundReport(busySeconds: busy, stopRequested: watch.stopSeen, blocks: blocks)
            let reports = try collective.gatherToRoot(report.encoded())
            directive = try exchangeDirective(on: collective, rootError: &rootError) {
                try root!.afterRound(reports!, dealt: dealt, roundWall: Self.seconds(clock.now - roundStart),
                                     now: clock.now, interruptRequested: interruptRequested,
                                     progress: progress, onMerge: onMerge)
            }
        }
    }

    /// Rank 0 decides what every rank does next and broadcasts it; an error there becomes
    /// `.fail` (kept in `rootError` to rethrow) so the other ranks end instead of waiting.
    private func exchangeDirective<C: TrialCollective>(
        on collective: C, rootError: inout (any Error)?, decide: () throws -> Directive
    ) throws -> Directive {
        guard collective.isRoot else { return try receiveDirective(on: collective) }
        let directive: Directive
        do {
            directive = try decide()
        } catch {
            rootError = error
            directive = .fail("\(error)")
        }
        _ = try collective.broadcast(directive.encoded(), root: 0)
        return directive
    }

    /// A garbled word from rank 0 cannot be answered collectively; end the job rather than hang.
    private func receiveDirective<C: TrialCollective>(on collective: C) throws -> Directive {
        let bytes = try collective.broadcast([], root: 0)
        do {
            return try Directive.decode(bytes)
        } catch {
            try collective.abort("bad directive from rank 0: \(error)", code: 1)
        }
    }

    private func outcome<C: TrialCollective>(
        _ status: RunOutcome.Status, root: RootState?, startBlock: Int, ownBusy: Double,
        collective: C, wall: Double
    ) -> RunOutcome {
        if let root {
            var critical = root.critical
            return RunOutcome(status: status, statistics: root.merged,
                              intervals: root.merged.intervals(&critical), startBlock: startBlock,
                              timing: root.timing(wall: wall))
        }
        var busy = Array(repeating: 0.0, count: collective.size)
        busy[collective.rank] = ownBusy
        return RunOutcome(status: status, statistics: nil, intervals: nil, startBlock: startBlock,
                          timing: RunTiming(wallSeconds: wall, rounds: 0, busySecondsPerRank: busy,
                                            efficiency: .nan, worstRoundImbalance: .nan))
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) * 1e-18
    }
}

/// Rank 0's side of a run: merged statistics, stopping, checkpoints, timing, progress.
private struct RootState {
    let engine: TrialEngine
    let ranks: Int
    let start: ContinuousClock.Instant
    let startTrials: Int
    /// Blocks 0..<merged.blockCount, merged in order.
    var merged: MergedStatistics
    /// Finished blocks that cannot be merged yet (a gap before them), or all of a part's blocks.
    var loose: [Int: BlockStatistics] = [:]
    /// The lowest block of this run's share that is neither merged nor loose.
    var frontier = 0
    var critical: StudentCriticalValues
    let store: CheckpointStore?
    var lastCheckpoint: ContinuousClock.Instant
    var roundsSinceCheckpoint = 0
    var rounds = 0
    var busyPerRank: [Double]
    var busyTotal = 0.0
    var wallTotal = 0.0
    var worstImbalance = 1.0
    /// Blocks per rank in the round being computed.
    var width: Int

    var part: BlockPartition? { engine.configuration.part }

    init(engine: TrialEngine, ranks: Int, resume: Bool, start: ContinuousClock.Instant) throws {
        let c = engine.configuration
        self.engine = engine
        self.ranks = ranks
        self.start = start
        self.lastCheckpoint = start
        self.busyPerRank = Array(repeating: 0, count: ranks)
        self.width = RoundWidth.initial(targetSeconds: c.roundSeconds, maximum: c.blocksPerRankPerRound)
        self.critical = StudentCriticalValues(level: c.confidenceLevel, quantile: c.quantile)
        self.store = c.checkpoint.map { CheckpointStore(path: $0.path) }
        if resume {
            guard let store else {
                throw EngineError.invalidConfiguration("resume needs a checkpoint path; set checkpoint.path")
            }
            let checkpoint = try store.load(fingerprint: c.fingerprint, blockSize: c.blockSize, pointCount: c.pointCount,
                                            groups: c.covarianceGroups)
            guard checkpoint.part == c.part else {
                throw CheckpointError.mismatch(path: store.path, field: "part",
                                               expected: c.part.map(\.description) ?? "the whole run",
                                               found: checkpoint.part.map(\.description) ?? "the whole run")
            }
            merged = checkpoint.statistics
            for block in checkpoint.loose { loose[block.index] = block }
        } else {
            merged = MergedStatistics(blockSize: c.blockSize, pointCount: c.pointCount, groups: c.covarianceGroups)
        }
        startTrials = (merged.blockCount + loose.count) * c.blockSize
        advanceFrontier()
    }

    func belongs(_ block: Int) -> Bool { part?.contains(block) ?? true }

    mutating func advanceFrontier() {
        frontier = Swift.max(frontier, merged.blockCount)
        while frontier < engine.plan.maximumBlocks && (!belongs(frontier) || loose[frontier] != nil) {
            frontier += 1
        }
    }

    /// The next round's blocks: the lowest ones of this run's share still to compute.
    func nextBlocks() -> [Int] {
        var list: [Int] = []
        let wanted = ranks * width
        var b = frontier
        while list.count < wanted && b < engine.plan.maximumBlocks {
            if belongs(b) && loose[b] == nil && b >= merged.blockCount { list.append(b) }
            b += part?.count ?? 1
        }
        return list
    }

    /// A resumed run re-asks the rule at its last merged block (the same question the
    /// interrupted run asked there, so the same answer unless the rule was changed).
    mutating func initialDirective() -> Directive {
        if part != nil {
            if frontier >= engine.plan.maximumBlocks { return .finish(.partComplete) }
        } else if merged.blockCount > 0, let reason = engine.plan.decision(after: merged, critical: &critical) {
            return .finish(reason)
        }
        return .proceed(blocks: nextBlocks(), blocksPerRank: width)
    }

    mutating func afterRound(
        _ reports: [[UInt8]], dealt: [Int], roundWall: Double, now: ContinuousClock.Instant,
        interruptRequested: () -> Bool, progress: ((RunProgress) -> Void)?,
        onMerge: ((MergedStatistics) -> Void)? = nil
    ) throws -> Directive {
        let pointCount = engine.configuration.pointCount
        var blocks: [BlockStatistics] = []
        var busy: [Double] = []
        var stopRequested = false
        for bytes in reports {
            let report = try RoundReport.decode(bytes, pointCount: pointCount,
                                                groups: engine.configuration.covarianceGroups)
            busy.append(report.busySeconds)
            stopRequested = stopRequested || report.stopRequested
            blocks += report.blocks
        }
        let c = engine.configuration
        width = RoundWidth.next(targetSeconds: c.roundSeconds, maximum: c.blocksPerRankPerRound,
                                busySeconds: busy, blocksPerRank: width)
        blocks.sort { $0.index < $1.index }
        let returned = blocks.map(\.index)
        // A stopped round returns some of its blocks; a finished one returns all of them.
        guard Set(returned).count == returned.count, Set(returned).isSubset(of: dealt),
              stopRequested || returned.count == dealt.count else {
            throw CollectiveError.malformedMessage("round of blocks \(dealt) returned blocks \(returned)")
        }

        rounds += 1
        roundsSinceCheckpoint += 1
        for r in busy.indices { busyPerRank[r] += busy[r] }
        busyTotal += busy.reduce(0, +)
        wallTotal += roundWall
        let meanBusy = busy.reduce(0, +) / Double(busy.count)
        if meanBusy > 0 { worstImbalance = Swift.max(worstImbalance, busy.max()! / meanBusy) }

        for block in blocks { loose[block.index] = block }
        var reason: StopReason?
        if part == nil {
            while reason == nil, let block = loose.removeValue(forKey: merged.blockCount) {
                merged.merge(block)
                onMerge?(merged)
                reason = engine.plan.decision(after: merged, critical: &critical)
            }
            // Blocks past the stopping block are not part of the result.
            if reason != nil { loose.removeAll() }
        }
        advanceFrontier()
        if part != nil && frontier >= engine.plan.maximumBlocks { reason = .partComplete }
        let elapsed = TrialEngine.seconds(now - start)
        if reason == nil, part == nil, case .sequential(let target) = engine.plan.rule,
           let cap = target.wallTimeLimit, elapsed >= cap {
            reason = .wallTimeLimit
        }
        let interrupted = reason == nil && (stopRequested || interruptRequested())

        if let store, let policy = engine.configuration.checkpoint {
            let due = reason != nil || interrupted
                || policy.everyRounds.map { roundsSinceCheckpoint >= $0 } == true
                || policy.everySeconds.map { TrialEngine.seconds(now - lastCheckpoint) >= $0 } == true
            if due {
                try store.write(checkpoint)
                lastCheckpoint = now
                roundsSinceCheckpoint = 0
            }
        }
        if let progress { progress(report(elapsed: elapsed)) }

        if let reason { return .finish(reason) }
        if interrupted { return .interrupt(resumable: store != nil) }
        return .proceed(blocks: nextBlocks(), blocksPerRank: width)
    }

    var checkpoint: Checkpoint {
        Checkpoint(fingerprint: engine.configuration.fingerprint, statistics: merged,
                   loose: loose.values.sorted { $0.index < $1.index }, part: part)
    }

    mutating func report(elapsed: Double) -> RunProgress {
        let done = (merged.blockCount + loose.count) * engine.plan.blockSize
        let planned = (part?.blockCount(below: engine.plan.maximumBlocks) ?? engine.plan.maximumBlocks) * engine.plan.blockSize
        let rate = elapsed > 0 ? Double(done - startTrials) / elapsed : 0
        var maxHalfWidth = 0.0
        var needed = Double(done)
        var watched = merged.points
        if case .sequential(let target) = engine.plan.rule { watched = target.watched(merged.points) }
        for p in watched where p.count > 0 {
            let interval = critical.interval(for: p)
            maxHalfWidth = Swift.max(maxHalfWidth, interval.halfWidth)
            if case .sequential(let target) = engine.plan.rule {
                // Half-widths shrink like 1/√n: n_needed ≈ n·(h/target)².
                let goal = Swift.max(target.absoluteHalfWidth ?? 0, (target.relativeHalfWidth ?? 0) * Swift.abs(interval.mean))
                if goal > 0, interval.halfWidth.isFinite {
                    needed = Swift.max(needed, Double(done) * (interval.halfWidth / goal) * (interval.halfWidth / goal))
                } else {
                    needed = Double(planned)
                }
            }
        }
        if case .fixed = engine.plan.rule { needed = Double(planned) }
        needed = Swift.min(needed, Double(planned))
        let eta: Double? = rate > 0 ? Swift.max(0, needed - Double(done)) / rate : nil
        return RunProgress(trialsDone: done, trialsPlanned: planned, trialsPerSecond: rate,
                           estimatedSecondsRemaining: eta, maxHalfWidth: maxHalfWidth, elapsedSeconds: elapsed,
                           halfWidths: RunProgress.halfWidths(merged, rule: engine.plan.rule, critical: &critical))
    }

    func timing(wall: Double) -> RunTiming {
        RunTiming(wallSeconds: wall, rounds: rounds, busySecondsPerRank: busyPerRank,
                  efficiency: wallTotal > 0 ? busyTotal / (Double(ranks) * wallTotal) : .nan,
                  worstRoundImbalance: worstImbalance)
    }
}
