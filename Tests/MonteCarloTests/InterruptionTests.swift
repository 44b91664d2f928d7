import Glibc
import Testing
@testable import MonteCarlo

@Suite(.serialized) struct InterruptionTests {
    @Test(arguments: [SIGUSR1, SIGTERM])
    func signalSetsTheFlagAndTheEngineCheckpointsAndStops(signal: Int32) throws {
        try InterruptSignals.install()
        InterruptSignals.reset()
        defer { InterruptSignals.reset() }
        #expect(!InterruptSignals.isRequested)
        // Process-directed, as from Slurm or PBS: test threads block signals, so raise() would
        // leave it pending on this thread; kill() lets a thread that accepts it run the handler.
        #expect(kill(getpid(), signal) == 0)
        for _ in 0..<500 where !InterruptSignals.isRequested { usleep(10_000) }  // guard, not a timing
        #expect(InterruptSignals.isRequested)

        let path = Support.temporaryPath("signal-\(signal).ckpt")
        let engine = try TrialEngine(configuration: Support.configuration(
            .fixed(trials: 1000), checkpoint: CheckpointPolicy(path: path, everyRounds: nil, everySeconds: nil)))
        let results = InProcessCollective.run(ranks: 2) { collective in
            try engine.run(on: collective, trial: Support.trial)  // default: the signal flag
        }
        let outcome = try results[0].get()
        #expect(try results[1].get().status == .interrupted(resumable: true))
        #expect(outcome.status == .interrupted(resumable: true))
        #expect(try #require(outcome.statistics).blockCount <= 4, "stopped in or after the first round")
        #expect(try CheckpointStore(path: path).read().statistics == outcome.statistics)
    }

    @Test func wallTimeCapStopsAtARoundBoundary() throws {
        let target = SequentialTarget(absoluteHalfWidth: 1e-9, minimumTrials: 16, maximumTrials: 100_000, wallTimeLimit: 1e-9)
        let outcome = try TrialEngineTests.rootOutcome(TrialEngineTests.run(Support.configuration(.sequential(target)), ranks: 2))
        #expect(outcome.status == .finished(.wallTimeLimit))
        #expect(outcome.statistics?.trials == 4 * 16, "one round: 2 ranks × 2 blocks of 16")
    }

    @Test func periodicCheckpointsFollowTheRoundCount() throws {
        let path = Support.temporaryPath("periodic.ckpt")
        unlink(path)
        // Fixed 12 blocks, 2 ranks × 1 block per round, a checkpoint every 2 rounds, and a
        // simulated crash (the trial throws) in round 5: the last checkpoint holds 8 blocks.
        var configuration = Support.configuration(.fixed(trials: 12 * 16), blocksPerRank: 1,
                                                  checkpoint: CheckpointPolicy(path: path, everyRounds: 2, everySeconds: nil))
        configuration.blocksPerRankPerRound = 1
        let results = try TrialEngineTests.run(configuration, ranks: 2) { t in
            if t == 8 * 16 { throw TrialEngineTests.Boom() }
            return Support.trial(t)
        }
        #expect(throws: CollectiveError.self) { try results[0].get() }
        #expect(try CheckpointStore(path: path).read().statistics.blockCount == 8)
        // Resuming after the crash gives the uninterrupted numbers.
        let resumed = try TrialEngineTests.rootOutcome(TrialEngineTests.run(configuration, ranks: 3, resume: true))
        let plain = try TrialEngineTests.rootOutcome(TrialEngineTests.run(Support.configuration(.fixed(trials: 12 * 16)), ranks: 1))
        #expect(resumed.startBlock == 8)
        #expect(Support.bits(try #require(resumed.statistics)) == Support.bits(try #require(plain.statistics)))
    }
}
