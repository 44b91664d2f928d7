import Experiments
import MonteCarlo

/// The outputs of a run, assembled from its experiments' results in suite order: the rows of
/// curves.csv, the fits, the verdicts and each experiment's trial count. A finished run and the
/// report of a stopped one both go through here, so both build the same tables from the same
/// results.
///
/// A trial whose solve fails returns NaN at a point, and the point's statistics skip it: the
/// assembly counts those dropped trials per point. A point that kept no trial at all cannot
/// support a claim, so no verdict on its student holds.
package struct RunAssembly: Sendable {
    package private(set) var rows: [CurveRow] = []
    package private(set) var fits: [SummaryDocument.Fit] = []
    package private(set) var verdicts: [Verdict] = []
    package private(set) var trials: [String: Int] = [:]
    /// summary.json's entry per experiment.
    package private(set) var experiments: [String: SummaryDocument.Experiment] = [:]
    /// Risk points that lost trials, in suite order.
    package private(set) var dropped: [DroppedTrials] = []
    /// The fits and verdicts of the experiments that are points of a sweep.
    package private(set) var sweepPoints: [SweepAnalysis.PointResult] = []

    /// Trials a curve point did not keep (their risk was not finite).
    package struct DroppedTrials: Sendable, Equatable {
        package var experiment: String
        package var student: String
        package var n: Int
        package var dropped: Int
        package var trials: Int

        package var isEmpty: Bool { dropped == trials }
    }

    package init() {}

    /// Points with no valid trial.
    package var emptyPoints: [DroppedTrials] { dropped.filter(\.isEmpty) }

    /// Adds one experiment; `trials` is the number of trials its statistics hold.
    package mutating func add(_ result: ExperimentResult, trials count: Int) {
        let experimentRows = ExperimentAnalysis.rows(result)
        let experimentFits = ExperimentAnalysis.fits(result)
        var experimentVerdicts = ExperimentAnalysis.verdicts(result, rows: experimentRows, fits: experimentFits)
        let name = result.trial.spec.name
        let lost = experimentRows.filter { $0.trials < count }.map {
            DroppedTrials(experiment: name, student: $0.student, n: $0.n, dropped: count - $0.trials, trials: count)
        }
        for index in experimentVerdicts.indices {
            let verdict = experimentVerdicts[index]
            let empty = lost.filter { $0.isEmpty && (verdict.student == nil || $0.student == verdict.student) }
            guard !empty.isEmpty else { continue }
            // A point without data cannot support the claim: not judged, so not a pass.
            if experimentVerdicts[index].status == .holds { experimentVerdicts[index].status = .inconclusive }
            experimentVerdicts[index].detail += "; not judged: no valid trial at n = "
                + empty.map { String($0.n) }.joined(separator: ", ")
        }
        rows += experimentRows
        fits += experimentFits
        verdicts += experimentVerdicts
        dropped += lost
        trials[name] = count
        var experiment = SummaryDocument.Experiment(spec: result.trial.spec, sampler: result.trial.sampler,
                                                    trials: count, stopReason: result.stopReason)
        experiment.targetMet = result.targetMet
        experiments[name] = experiment
        experiments[name]?.varianceReduction = ExperimentAnalysis.varianceReductions(result)
        if let point = result.trial.spec.sweepPoint {
            sweepPoints.append(.init(point: point, experiment: name, seed: result.trial.spec.seed,
                                     fits: experimentFits, verdicts: experimentVerdicts))
        }
    }

    /// The across-sweep summaries of the sweep points added so far (`specs`: the suite's
    /// experiments as written); their verdicts join `verdicts`.
    package mutating func finishSweeps(specs: [ExperimentSpec]) -> [SweepSummary] {
        let sweeps = SweepAnalysis.summaries(sweepPoints, specs: specs)
        verdicts += SweepAnalysis.verdicts(sweeps, specs: specs)
        return sweeps
    }
}
