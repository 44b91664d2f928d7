import Foundation
import Experiments
import MonteCarlo
@testable import Report
import Testing

/// Trials dropped at a point (a solve that gave no finite risk) are counted per point, and a
/// point that kept none makes every verdict on its student fail rather than hold.
@Suite struct RunAssemblyTests {
    static func result(riskCounts: [Int: Int], trials: Int) throws -> ExperimentResult {
        let spec = ExperimentSpec(name: "e", geometry: .gaussian, d: 6, n: .values([1, 2, 3]),
                                  students: [.linear(init: .zero)], solver: SolverSpec(kind: .closed),
                                  stopping: .fixed(trials: trials), blockSize: 8)
        let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
        var intervals: [ConfidenceInterval] = []
        for key in trial.layout.keys {
            let count = key.quantity == .risk ? (riskCounts[key.n] ?? trials) : trials
            intervals.append(count == 0
                ? ConfidenceInterval(level: 0.95, count: 0, mean: .nan, standardDeviation: .nan, halfWidth: .infinity)
                : ConfidenceInterval(level: 0.95, count: count, mean: 0.1, standardDeviation: 0.01, halfWidth: 0.001))
        }
        return ExperimentResult(trial: trial, intervals: intervals, stopReason: .trials, timing: nil)
    }

    @Test func droppedTrialsAreCountedPerPoint() throws {
        var assembly = RunAssembly()
        assembly.add(try Self.result(riskCounts: [2: 30], trials: 32), trials: 32)
        #expect(assembly.dropped == [.init(experiment: "e", student: "linear", n: 2, dropped: 2, trials: 32)])
        #expect(assembly.emptyPoints.isEmpty)
        #expect(assembly.trials == ["e": 32])
    }

    @Test func noVerdictHoldsOnAPointWithoutTrials() throws {
        var control = RunAssembly()
        control.add(try Self.result(riskCounts: [:], trials: 32), trials: 32)
        // The control: the same experiment with every trial kept has verdicts that hold.
        #expect(control.verdicts.contains { $0.holds })
        var assembly = RunAssembly()
        assembly.add(try Self.result(riskCounts: [1: 0], trials: 32), trials: 32)
        #expect(assembly.emptyPoints.map(\.n) == [1])
        #expect(!assembly.verdicts.isEmpty)
        #expect(assembly.verdicts.allSatisfy { !$0.holds }, "\(assembly.verdicts.filter(\.holds).map(\.claim))")
        #expect(assembly.verdicts.allSatisfy { $0.detail.contains("no valid trial at n = 1") })
    }
}
