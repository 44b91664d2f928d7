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
public struct RunAssembly: Sendable {
    public private(set) var rows: [CurveRow] = []
    public private(set) var fits: [SummaryDocument.Fit] = []
    public private(set) var verdicts: [Verdict] = []
    public private(set) var trials: [String: Int] = [:]
    /// summary.json's entry per experiment.
    public private(set) var experiments: [String: SummaryDocument.Experiment] = [:]
    /// Risk points that lost trials, in suite order.
    public private(set) var dropped: [DroppedTrials] = []

    /// Trials a curve point did not keep (their risk was not finite).
    public struct DroppedTrials: Sendable, Equatable {
        public var experiment: String
        public var student: String
        public var n: Int
        public var dropped: Int
        public var trials: Int

        public var isEmpty: Bool { dropped == trials }
    }

    public init() {}

    /// Points with no valid trial.
    public var emptyPoints: [DroppedTrials] { dropped.filter(\.isEmpty) }

    /// Adds one experiment; `trials` is the number of trials its statistics hold.
    public mutating func add(_ result: ExperimentResult, trials count: Int) {
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
            experimentVerdicts[index].holds = false
            experimentVerdicts[index].detail += "; not judged: no valid trial at n = "
                + empty.map { String($0.n) }.joined(separator: ", ")
        }
        rows += experimentRows
        fits += experimentFits
        verdicts += experimentVerdicts
        dropped += lost
        trials[name] = count
        experiments[name] = SummaryDocument.Experiment(spec: result.trial.spec, sampler: result.trial.sampler,
                                                       trials: count, stopReason: result.stopReason)
    }
}
