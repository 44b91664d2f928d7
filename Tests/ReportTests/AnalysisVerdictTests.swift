import Experiments
import Foundation
import MonteCarlo
import Testing
@testable import Report

/// Verdicts of whole experiments, run through the engine in process: a student that stops
/// early is caught by L1 and by its decay rate, the closed-form student of the same
/// experiment is not.
@Suite struct AnalysisVerdictTests {
    static func verdicts(_ solver: SolverSpec, trials: Int = 256) throws -> [Verdict] {
        let spec = ExperimentSpec(name: "poly", geometry: .polyTail(kappa: 2, radius: .chi), d: 40,
                                  n: .values([1, 2, 4, 8, 16, 30]), students: [.linear(init: .zero)],
                                  solver: solver, stopping: .fixed(trials: trials), blockSize: 32, seed: 9)
        let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
        let engine = try TrialEngine(configuration: EngineConfiguration(
            pointCount: trial.layout.count, blockSize: spec.blockSize, stopping: .fixed(trials: trials),
            identity: "analysis test", covarianceGroups: trial.layout.riskCurves.map(\.points)))
        let outcome = try InProcessCollective.run(ranks: 1) { try engine.run(on: $0, trial: { try trial.evaluate(trial: $0) }) }[0].get()
        let statistics = try #require(outcome.statistics)
        let result = ExperimentResult(trial: trial, intervals: try #require(outcome.intervals), groups: statistics.groups,
                                      stopReason: .trials, timing: nil)
        let rows = ExperimentAnalysis.rows(result)
        return ExperimentAnalysis.verdicts(result, rows: rows, fits: ExperimentAnalysis.fits(result))
    }

    @Test func aSingleStepStudentFailsL1AndItsRate() throws {
        let verdicts = try Self.verdicts(SolverSpec(kind: .gd, maxSteps: 1))
        let l1 = try #require(verdicts.first { $0.claim == "L1" })
        #expect(l1.status == .fails, "\(l1.detail)")
        #expect(verdicts.first { $0.claim == "converged" }?.status == .fails)
        let rate = try #require(verdicts.first { $0.claim == "C2" })
        #expect(rate.status == .fails, "\(rate.detail)")
        print("single-step student: \(rate.detail)")
    }

    @Test func theClosedFormStudentHoldsItsRate() throws {
        let verdicts = try Self.verdicts(SolverSpec(kind: .closed))
        let rate = try #require(verdicts.first { $0.claim == "C2" })
        #expect(rate.status == .holds, "\(rate.detail)")
        #expect(verdicts.first { $0.claim == "M1" }?.status == .holds)
        #expect(verdicts.first { $0.claim == "M2" }?.status == .holds)
        #expect(!verdicts.contains { $0.claim == "L1" })
    }
}
