import Foundation
import Synchronization
import Testing
@testable import MonteCarlo

/// Stop requests that do not wait for slow blocks, checkpoints with loose blocks, and runs split
/// into parts and merged.
@Suite(.serialized) struct StopAndPartTests {
    final class Flags: Sendable {
        let stop = Atomic<Bool>(false)
        let release = Atomic<Bool>(false)
    }

    /// Rank 1's first block never ends until released; rank 0 asks for a stop when it starts its
    /// second block. The run must stop anyway, keep block 0 and resume to the uninterrupted bits.
    @Test func aBlockThatNeverEndsDoesNotHoldTheStopBack() throws {
        let path = Support.temporaryPath("stuck.ckpt")
        unlink(path)
        let configuration = Support.configuration(.fixed(trials: 16 * 12),
                                                  checkpoint: CheckpointPolicy(path: path, everyRounds: nil, everySeconds: nil))
        let engine = try TrialEngine(configuration: configuration)
        let flags = Flags()
        defer { flags.release.store(true, ordering: .relaxed) }
        // Round 1 deals blocks 0…3: rank 0 takes 0 and 2, rank 1 takes 1 and 3.
        let results = InProcessCollective.run(ranks: 2) { collective in
            try engine.run(on: collective, interruptRequested: { flags.stop.load(ordering: .relaxed) }) { t in
                if t == 16 * 1 {
                    // Bounded so that a broken engine fails the test instead of hanging it.
                    for _ in 0..<2_000 where !flags.release.load(ordering: .relaxed) { usleep(10_000) }
                }
                if t == 16 * 2 { flags.stop.store(true, ordering: .relaxed) }
                return Support.trial(t)
            }
        }
        let stillStuck = !flags.release.load(ordering: .relaxed)
        flags.release.store(true, ordering: .relaxed)
        #expect(stillStuck, "the run returned while block 1 was still being computed")
        let outcome = try TrialEngineTests.rootOutcome(results)
        #expect(outcome.status == .interrupted(resumable: true))
        let saved = try CheckpointStore(path: path).read()
        #expect(saved.statistics.blockCount == 1, "block 0 merged, block 1 abandoned")
        #expect(saved.loose.allSatisfy { $0.index == 2 || $0.index == 3 }, "finished blocks past the gap are kept")

        let resumed = try TrialEngineTests.rootOutcome(TrialEngineTests.run(configuration, ranks: 3, resume: true))
        let plain = try TrialEngineTests.rootOutcome(TrialEngineTests.run(Support.configuration(.fixed(trials: 16 * 12)), ranks: 1))
        #expect(resumed.status == .finished(.fixedCountReached))
        #expect(Support.bits(try #require(resumed.statistics)) == Support.bits(try #require(plain.statistics)))
    }

    /// A stop on one rank only reaches the others through its notice, mid-round.
    @Test func aStopOnOneRankStopsTheOthersMidRound() throws {
        let path = Support.temporaryPath("one-rank.ckpt")
        unlink(path)
        let configuration = Support.configuration(.fixed(trials: 16 * 400), blocksPerRank: 50,
                                                  checkpoint: CheckpointPolicy(path: path, everyRounds: nil, everySeconds: nil))
        let engine = try TrialEngine(configuration: configuration)
        let flags = Flags()
        let results = InProcessCollective.run(ranks: 3) { collective in
            let mine = collective.rank == 2
            return try engine.run(on: collective, interruptRequested: { mine && flags.stop.load(ordering: .relaxed) }) { t in
                usleep(200)  // 50 blocks of 16 such trials: a round far longer than the stop takes
                if t == 16 * 5 { flags.stop.store(true, ordering: .relaxed) }
                return Support.trial(t)
            }
        }
        let outcome = try TrialEngineTests.rootOutcome(results)
        #expect(outcome.status == .interrupted(resumable: true))
        let saved = try CheckpointStore(path: path).read()
        let kept = saved.statistics.blockCount + saved.loose.count
        #expect(kept < 150, "the round of 150 blocks was cut short (kept \(kept))")
        let resumed = try TrialEngineTests.rootOutcome(TrialEngineTests.run(configuration, ranks: 2, resume: true))
        let plain = try TrialEngineTests.rootOutcome(TrialEngineTests.run(Support.configuration(.fixed(trials: 16 * 400)), ranks: 1))
        #expect(Support.bits(try #require(resumed.statistics)) == Support.bits(try #require(plain.statistics)))
    }

    @Test func checkpointWithLooseBlocksAndPartRoundTrips() throws {
        var block = BlockStatistics(index: 7, pointCount: 2)
        block.add([1.5, .nan])
        block.add([-0.25, 3])
        var merged = MergedStatistics(blockSize: 2, pointCount: 2)
        var first = BlockStatistics(index: 0, pointCount: 2)
        first.add([1, 2]); first.add([3, 4])
        merged.merge(first)
        let checkpoint = Checkpoint(fingerprint: RunFingerprint(rawValue: 42), statistics: merged,
                                    loose: [block, BlockStatistics(index: 3, pointCount: 2)],
                                    part: BlockPartition(index: 1, count: 4))
        let back = try Checkpoint.decode(checkpoint.encoded(), path: "x")
        #expect(back == checkpoint)
        #expect(back.loose.map(\.index) == [3, 7])
        #expect(back.part?.description == "2/4")
        // A loose block at or below the merged ones is refused.
        let bad = Checkpoint(fingerprint: RunFingerprint(rawValue: 42), statistics: merged,
                             loose: [BlockStatistics(index: 0, pointCount: 2)])
        #expect(throws: CheckpointError.self) { try Checkpoint.decode(bad.encoded(), path: "x") }
    }

    @Test func partitionsShareTheBlocks() {
        #expect(BlockPartition(parsing: "2/4") == BlockPartition(index: 1, count: 4))
        for text in ["0/4", "5/4", "1/0", "a/b", "1", "1/2/3", ""] { #expect(BlockPartition(parsing: text) == nil, "\(text)") }
        let parts = (0..<4).map { BlockPartition(index: $0, count: 4) }
        for limit in [0, 1, 3, 4, 5, 13] {
            #expect(parts.map { $0.blockCount(below: limit) }.reduce(0, +) == limit)
            for b in 0..<limit { #expect(parts.filter { $0.contains(b) }.count == 1) }
        }
    }

    /// Four parts computed on different rank counts, one of them stopped and resumed, merge into
    /// the bits of one run; a missing or foreign part is refused.
    @Test(arguments: [StoppingRule.fixed(trials: 16 * 13 - 5),
                      .sequential(SequentialTarget(absoluteHalfWidth: 0.15, minimumTrials: 64, maximumTrials: 4000))])
    func fourPartsMergeIntoTheBitsOfOneRun(rule: StoppingRule) throws {
        let plain = try TrialEngineTests.rootOutcome(TrialEngineTests.run(Support.configuration(rule), ranks: 1))
        var checkpoints: [Checkpoint] = []
        for k in 0..<4 {
            let path = Support.temporaryPath("part-\(k).ckpt")
            unlink(path)
            var configuration = Support.configuration(rule, checkpoint: CheckpointPolicy(path: path, everyRounds: nil, everySeconds: nil))
            configuration.part = BlockPartition(index: k, count: 4)
            if k == 2 {
                // Rounds of one block per rank, stopped after the first: part 3/4 has 3 or more blocks.
                configuration.blocksPerRankPerRound = 1
                let stopped = try TrialEngineTests.rootOutcome(TrialEngineTests.run(configuration, ranks: 2, interruptAfterTrials: 16))
                #expect(stopped.status == .interrupted(resumable: true))
                let early = try CheckpointStore(path: path).read()
                #expect(throws: PartMerge.Failure.self) {
                    var critical = StudentCriticalValues(level: 0.95)
                    _ = try PartMerge.combine(checkpoints + [early], fingerprint: configuration.fingerprint,
                                              plan: try TrialEngine(configuration: configuration).plan, critical: &critical)
                }
                let resumed = try TrialEngineTests.rootOutcome(TrialEngineTests.run(configuration, ranks: 1, resume: true))
                #expect(resumed.status == .finished(.partComplete))
            } else {
                let done = try TrialEngineTests.rootOutcome(TrialEngineTests.run(configuration, ranks: k + 1))
                #expect(done.status == .finished(.partComplete))
            }
            let checkpoint = try CheckpointStore(path: path).read()
            #expect(checkpoint.statistics.blockCount == 0)
            #expect(checkpoint.loose.allSatisfy { $0.index % 4 == k })
            checkpoints.append(checkpoint)
        }
        let configuration = Support.configuration(rule)
        let plan = try TrialEngine(configuration: configuration).plan
        var critical = StudentCriticalValues(level: 0.95)
        let (merged, reason) = try PartMerge.combine(checkpoints.reversed(), fingerprint: configuration.fingerprint,
                                                     plan: plan, critical: &critical)
        #expect(Support.bits(merged) == Support.bits(try #require(plain.statistics)))
        #expect(RunOutcome.Status.finished(reason) == plain.status)

        #expect(throws: PartMerge.Failure.self) {
            try PartMerge.combine(Array(checkpoints.dropLast()), fingerprint: configuration.fingerprint, plan: plan, critical: &critical)
        }
        #expect(throws: PartMerge.Failure.self) {
            try PartMerge.combine(checkpoints + [checkpoints[0]], fingerprint: configuration.fingerprint, plan: plan, critical: &critical)
        }
        let other = Support.configuration(rule, identity: "another seed")
        #expect(throws: PartMerge.Failure.self) {
            try PartMerge.combine(checkpoints, fingerprint: other.fingerprint, plan: plan, critical: &critical)
        }
    }
}
