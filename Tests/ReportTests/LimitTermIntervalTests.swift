import Foundation
import Experiments
import MonteCarlo
@testable import Report
import Testing

/// A control variate whose limit term is a quadrature: the risk's interval (and the limit
/// term's) is the trials' one widened by the quadrature's error estimate at each n; the other
/// quantities and the sampled limit term keep the trials' interval.
@Suite struct LimitTermIntervalTests {
    static func result(_ limitTerm: LimitTermChoice) throws -> ExperimentResult {
        var spec = ExperimentSpec(name: "cv", geometry: .polyTail(kappa: 2, radius: .chi), d: 1000, n: .values([2, 8]),
                                  students: [.linear(init: .zero)], solver: SolverSpec(kind: .closed), seed: 4,
                                  sampler: .gram)
        spec.estimator = .controlVariate
        spec.limitTerm = limitTerm
        let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
        let intervals = trial.layout.keys.map { _ in
            ConfidenceInterval(level: 0.95, count: 100, mean: 1e-3, standardDeviation: 1e-3, halfWidth: 2e-4)
        }
        return ExperimentResult(trial: trial, intervals: intervals, stopReason: .trials, timing: nil)
    }

    @Test func quadratureErrorWidensTheRiskInterval() throws {
        let result = try Self.result(.quadrature)
        let quadrature = try #require(result.trial.limitTermQuadrature())
        for (k, n) in quadrature.grid.enumerated() {
            #expect(quadrature.errorEstimates[k] > 0)
            let risk = try #require(result.interval("linear", n, .risk))
            #expect(abs(risk.halfWidth - (2e-4 + quadrature.errorEstimates[k])) < 1e-18)
            let limit = try #require(result.interval("linear", n, .limitTerm))
            #expect(abs(limit.halfWidth - (2e-4 + quadrature.errorEstimates[k])) < 1e-18)
            #expect(try #require(result.interval("linear", n, .trialTerm)).halfWidth == 2e-4)
        }
        let sampled = try Self.result(.sampled)
        #expect(try #require(sampled.interval("linear", 8, .risk)).halfWidth == 2e-4)
    }
}
