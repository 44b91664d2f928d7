import Experiments
import MonteCarlo

extension SummaryDocument.Experiment {
    /// The summary entry of an experiment that ran (or was interrupted) with `trials` merged.
    package init(spec: ExperimentSpec, sampler: SamplerChoice, trials: Int, stopReason: RunStop) {
        let rounding = TrialRounding(spec)
        self.init(seed: spec.seed, trials: trials, trialsRequested: rounding.requested,
                  trialsPlanned: rounding.planned, blockSize: spec.blockSize, confidence: spec.confidence,
                  stopReason: stopReason.rawValue, sampler: sampler.rawValue,
                  estimator: spec.estimator.rawValue)
    }
}

/// Trials are merged in whole blocks, so a fixed count that is not a multiple of the block size
/// runs up to the next multiple (and a sequential maximum is reached at a block boundary too).
package struct TrialRounding: Sendable, Equatable {
    /// The fixed count asked for; nil under sequential stopping.
    package var requested: Int?
    /// What the engine plans: the fixed count, or the sequential maximum, rounded up to blocks.
    package var planned: Int
    package var blockSize: Int

    package init(_ spec: ExperimentSpec) {
        blockSize = spec.blockSize
        let asked: Int
        switch spec.stopping {
        case .fixed(let trials):
            requested = trials
            asked = trials
        case .sequential(let rule):
            requested = nil
            asked = rule.maxTrials
        }
        planned = (asked + blockSize - 1) / blockSize * blockSize
    }

    /// The line a run prints (once, on rank 0) when a fixed count is rounded up; nil otherwise.
    package func notice(experiment: String) -> String? {
        guard let requested, planned != requested else { return nil }
        return "experiment '\(experiment)': \(requested) trials rounded up to \(planned) (whole blocks of \(blockSize) trials; set block_size to a divisor of \(requested) to run exactly \(requested))"
    }
}
