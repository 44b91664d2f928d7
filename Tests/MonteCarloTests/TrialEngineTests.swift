import Glibc
import Synchronization
import Testing
@testable import MonteCarlo

/// The engine on simulated groups of ranks (threads of this process).
@Suite struct TrialEngineTests {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    }

    /// Runs the engine on `ranks` in-process ranks; returns rank 0's outcome and the others' results.
    /// `interruptAfterTrials`: every rank sees a stop request once that many trials were
    /// computed (over all ranks), as if a signal had come then.
    static func run(_ configuration: EngineConfiguration, ranks: Int, resume: Bool = false,
                    interruptAfterTrials: Int? = nil,
                    trial: @escaping @Sendable (Int) throws -> [Double] = Support.trial) throws -> [Result<RunOutcome, any Error>] {
        let engine = try TrialEngine(configuration: configuration)
        let computed = Counter()
        return InProcessCollective.run(ranks: ranks) { collective in
            try engine.run(on: collective, resume: resume,
                           interruptRequested: { interruptAfterTrials.map { computed.value.load(ordering: .relaxed) >= $0 } ?? false },
                           trial: { t in
                               let values = try trial(t)
                               _ = computed.next()
                               return values
                           })
        }
    }

    static func rootOutcome(_ results: [Result<RunOutcome, any Error>]) throws -> RunOutcome {
        for r in results.dropFirst() { _ = try r.get() }
        return try results[0].get()
    }

    @Test(arguments: [1, 2, 3])
    func fixedRunIsBitIdenticalForAnyRankCount(blocksPerRank: Int) throws {
        let configuration = Support.configuration(.fixed(trials: 200), blocksPerRank: blocksPerRank)
        let reference = try Self.rootOutcome(Self.run(configuration, ranks: 1))
        let stats = try #require(reference.statistics)
        #expect(reference.status == .finished(.fixedCountReached))
        #expect(stats.trials == 208, "200 trials rounded up to 13 blocks of 16")
        #expect(stats.points[4].missing + stats.points[4].count == 208)
        #expect(stats.points[4].missing == (0..<208).filter { $0 % 7 == 3 }.count)
        for ranks in [2, 3] {
            let outcome = try Self.rootOutcome(Self.run(configuration, ranks: ranks))
            #expect(Support.bits(try #require(outcome.statistics)) == Support.bits(stats), "ranks = \(ranks)")
            #expect(outcome.timing.busySecondsPerRank.count == ranks)
        }
        // The same numbers as merging the blocks by hand.
        #expect(stats.groups.count == 2 && stats.groups[1].skipped == stats.points[4].missing)
        var byHand = MergedStatistics(blockSize: 16, pointCount: Support.pointCount, groups: Support.groups)
        for b in 0..<13 {
            var block = BlockStatistics(index: b, pointCount: Support.pointCount, groups: Support.groups)
            for t in (16 * b)..<(16 * b + 16) { block.add(Support.trial(t)) }
            byHand.merge(block)
        }
        #expect(Support.bits(byHand) == Support.bits(stats))
    }

    /// Rounds sized by time group blocks differently, and must not change a bit.
    @Test(arguments: [1, 2, 3])
    func timedRoundsGiveTheSameBits(ranks: Int) throws {
        let fixed = Support.configuration(.fixed(trials: 400), blocksPerRank: 4)
        var timed = fixed
        timed.roundSeconds = 0.02
        let reference = try Self.rootOutcome(Self.run(fixed, ranks: 1))
        // Slow trials (1 ms) make a block (16 ms) nearly as long as the target round.
        let outcome = try Self.rootOutcome(Self.run(timed, ranks: ranks) { t in
            usleep(1000)
            return Support.trial(t)
        })
        #expect(Support.bits(try #require(outcome.statistics)) == Support.bits(try #require(reference.statistics)))
        // The first round deals one block per rank; 25 blocks need more rounds than the
        // ceil(25 / (4 ranks-blocks)) of fixed-width rounds.
        #expect(outcome.timing.rounds > (25 + 4 * ranks - 1) / (4 * ranks))
    }

    @Test func nonRootRanksGetStatusButNoStatistics() throws {
        let results = try Self.run(Support.configuration(.fixed(trials: 64)), ranks: 3)
        for r in results.dropFirst() {
            let outcome = try r.get()
            #expect(outcome.statistics == nil && outcome.intervals == nil)
            #expect(outcome.status == .finished(.fixedCountReached))
        }
        let root = try results[0].get()
        #expect(root.intervals?.count == Support.pointCount)
        #expect(root.timing.rounds == 1, "4 blocks fit in one round of 3 ranks × 2 blocks")
        #expect(root.timing.efficiency.isFinite && root.timing.efficiency > 0)
        #expect(root.timing.worstRoundImbalance >= 1)
    }

    @Test func sequentialStopsAtTheFirstBlockMeetingTheTargetForAnyRankCount() throws {
        let target = SequentialTarget(absoluteHalfWidth: 0.15, minimumTrials: 64, maximumTrials: 4000)
        let configuration = Support.configuration(.sequential(target))
        var trialCounts: Set<Int> = []
        var bitSets: Set<[UInt64]> = []
        for ranks in [1, 2, 3] {
            let outcome = try Self.rootOutcome(Self.run(configuration, ranks: ranks))
            #expect(outcome.status == .finished(.targetMet))
            let stats = try #require(outcome.statistics)
            trialCounts.insert(stats.trials)
            bitSets.insert(Support.bits(stats))
            for interval in try #require(outcome.intervals) { #expect(interval.halfWidth <= 0.15) }
        }
        #expect(trialCounts.count == 1 && bitSets.count == 1)
        let trials = try #require(trialCounts.first)
        #expect(trials > 64 && trials < 4000 && trials % 16 == 0)
        // One block fewer does not meet the target: the run stopped at the first block that did.
        let shorter = try Self.rootOutcome(Self.run(Support.configuration(.fixed(trials: trials - 16)), ranks: 1))
        #expect(try #require(shorter.intervals).contains { $0.halfWidth > 0.15 })
    }

    @Test func sequentialRespectsMinimumAndMaximum() throws {
        let easy = SequentialTarget(absoluteHalfWidth: 100, minimumTrials: 70, maximumTrials: 400)
        for ranks in [1, 3] {
            let outcome = try Self.rootOutcome(Self.run(Support.configuration(.sequential(easy)), ranks: ranks))
            #expect(outcome.status == .finished(.targetMet))
            #expect(outcome.statistics?.trials == 80, "70 rounded up to 5 blocks of 16")
        }
        let hard = SequentialTarget(absoluteHalfWidth: 1e-6, minimumTrials: 32, maximumTrials: 150)
        for ranks in [1, 2] {
            let outcome = try Self.rootOutcome(Self.run(Support.configuration(.sequential(hard)), ranks: ranks))
            #expect(outcome.status == .finished(.maximumReached))
            #expect(outcome.statistics?.trials == 160, "150 rounded up to 10 blocks of 16")
        }
    }

    @Test func relativeTargetUsesTheMean() throws {
        // Points have means 0…4; point 0 (mean ≈ 0) can only be met by the absolute target.
        let target = SequentialTarget(absoluteHalfWidth: 0.2, relativeHalfWidth: 0.05, minimumTrials: 32, maximumTrials: 8000)
        let outcome = try Self.rootOutcome(Self.run(Support.configuration(.sequential(target)), ranks: 2))
        #expect(outcome.status == .finished(.targetMet))
        for interval in try #require(outcome.intervals) {
            #expect(interval.halfWidth <= 0.2 || interval.halfWidth <= 0.05 * abs(interval.mean))
        }
    }

    @Test(arguments: [(1, 2), (2, 3), (3, 1)])
    func interruptedAndResumedRunIsBitIdentical(firstRanks: Int, resumeRanks: Int) throws {
        let path = Support.temporaryPath("resume-\(firstRanks)-\(resumeRanks).ckpt")
        let target = SequentialTarget(absoluteHalfWidth: 0.15, minimumTrials: 64, maximumTrials: 4000)
        let configuration = Support.configuration(.sequential(target), checkpoint: CheckpointPolicy(path: path, everyRounds: nil, everySeconds: nil))
        let uninterrupted = try Self.rootOutcome(Self.run(Support.configuration(.sequential(target)), ranks: 1))

        let stopped = try Self.rootOutcome(Self.run(configuration, ranks: firstRanks, interruptAfterTrials: 100))
        #expect(stopped.status == .interrupted(resumable: true))
        let partial = try #require(stopped.statistics)
        let saved = try CheckpointStore(path: path).read()
        #expect(saved.statistics == partial)
        #expect((partial.blockCount + saved.loose.count) * 16 >= 96, "every block finished before the stop is kept")
        #expect(partial.trials < (try #require(uninterrupted.statistics)).trials)

        let resumed = try Self.rootOutcome(Self.run(configuration, ranks: resumeRanks, resume: true))
        #expect(resumed.startBlock == partial.blockCount)
        #expect(resumed.status == uninterrupted.status)
        #expect(Support.bits(try #require(resumed.statistics)) == Support.bits(try #require(uninterrupted.statistics)))

        // Resuming a finished run finishes at once with the same numbers.
        let again = try Self.rootOutcome(Self.run(configuration, ranks: 2, resume: true))
        #expect(again.status == .finished(.targetMet))
        #expect(again.timing.rounds == 0)
        #expect(Support.bits(try #require(again.statistics)) == Support.bits(try #require(uninterrupted.statistics)))
    }

    @Test func interruptWithoutCheckpointIsNotResumable() throws {
        let outcome = try Self.rootOutcome(Self.run(Support.configuration(.fixed(trials: 1000)), ranks: 2, interruptAfterTrials: 1))
        #expect(outcome.status == .interrupted(resumable: false))
        #expect(try #require(outcome.statistics).blockCount < 63)
    }

    @Test func resumeOfAnotherRunIsRefusedOnEveryRank() throws {
        let path = Support.temporaryPath("other-run.ckpt")
        let policy = CheckpointPolicy(path: path, everyRounds: 1, everySeconds: nil)
        _ = try Self.rootOutcome(Self.run(Support.configuration(.fixed(trials: 64), identity: "seed=1", checkpoint: policy), ranks: 1))
        let results = try Self.run(Support.configuration(.fixed(trials: 64), identity: "seed=2", checkpoint: policy), ranks: 3, resume: true)
        #expect(throws: CheckpointError.self) { try results[0].get() }
        for r in results.dropFirst() {
            #expect { try r.get() } throws: { error in
                guard case EngineError.rootFailed(let message) = error else { return false }
                return message.contains("fingerprint") && message.contains(path)
            }
        }
        let missing = try Self.run(Support.configuration(.fixed(trials: 64), checkpoint: CheckpointPolicy(path: path + ".absent")), ranks: 2, resume: true)
        #expect(throws: CheckpointError.missing(path: path + ".absent")) { try missing[0].get() }
        #expect(throws: EngineError.self) { try missing[1].get() }
    }

    @Test func checkpointWriteFailureStopsEveryRankWithTheReason() throws {
        let policy = CheckpointPolicy(path: "/nonexistent-kdmc-folder/run.ckpt", everyRounds: 1, everySeconds: nil)
        let results = try Self.run(Support.configuration(.fixed(trials: 640), checkpoint: policy), ranks: 3)
        #expect { try results[0].get() } throws: { error in
            guard case CheckpointError.io(let path, let operation, _) = error else { return false }
            return path == policy.path && operation.hasPrefix("open")
        }
        for r in results.dropFirst() {
            #expect { try r.get() } throws: { error in
                guard case EngineError.rootFailed(let message) = error else { return false }
                return message.contains("/nonexistent-kdmc-folder/run.ckpt")
            }
        }
    }

    struct Boom: Error, CustomStringConvertible {
        var description: String { "solver did not converge" }
    }

    @Test func throwingTrialAbortsEveryRankWithOneLine() throws {
        // 3 ranks × 2 blocks per round: block 2 (trials 32..<48) belongs to rank 2.
        let results = try Self.run(Support.configuration(.fixed(trials: 400)), ranks: 3) { t in
            if t == 37 { throw Boom() }
            return Support.trial(t)
        }
        let expected = "kdmc: rank 2: trial 37 (block 2) failed: solver did not converge"
        for r in results {
            #expect(throws: CollectiveError.aborted(expected)) { try r.get() }
        }
    }

    @Test func wrongVectorLengthAborts() throws {
        let results = try Self.run(Support.configuration(.fixed(trials: 64)), ranks: 2) { t in
            t == 20 ? [1, 2] : Support.trial(t)
        }
        for r in results {
            #expect(throws: CollectiveError.aborted("kdmc: rank 1: trial 20 (block 1) returned 2 values, expected 5")) { try r.get() }
        }
    }

    @Test func progressReportsEveryRoundOnRankZero() throws {
        final class Log: Sendable {
            let entries = Mutex<[RunProgress]>([])
        }
        let log = Log()
        let engine = try TrialEngine(configuration: Support.configuration(.fixed(trials: 160), blocksPerRank: 1))
        let results = InProcessCollective.run(ranks: 2) { collective in
            try engine.run(on: collective, interruptRequested: { false },
                           progress: { p in log.entries.withLock { $0.append(p) } }, trial: Support.trial)
        }
        _ = try Self.rootOutcome(results)
        let entries = log.entries.withLock { $0 }
        #expect(entries.map(\.trialsDone) == [32, 64, 96, 128, 160])
        #expect(entries.allSatisfy { $0.trialsPlanned == 160 && $0.maxHalfWidth > 0 && $0.maxHalfWidth.isFinite })
        #expect(entries.last?.estimatedSecondsRemaining.map { $0 == 0 } ?? true)
    }

    @Test func badConfigurationIsATypedError() {
        #expect(throws: EngineError.self) {
            try TrialEngine(configuration: EngineConfiguration(pointCount: 0, blockSize: 8, stopping: .fixed(trials: 8),
                                                               identity: "x"))
        }
        #expect(throws: EngineError.self) {
            try TrialEngine(configuration: EngineConfiguration(pointCount: 1, blockSize: 8, stopping: .fixed(trials: 8),
                                                               confidenceLevel: 1, identity: "x"))
        }
    }
}
