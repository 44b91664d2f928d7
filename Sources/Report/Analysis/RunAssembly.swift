import MonteCarlo

/// The outputs of a run, assembled from its experiments' results in suite order: the rows of
/// curves.csv, the fits, the verdicts and each experiment's trial count. A finished run and the
/// report of a stopped one both go through here, so both build the same tables from the same
/// results.
public struct RunAssembly: Sendable {
    public private(set) var rows: [CurveRow] = []
    public private(set) var fits: [SummaryDocument.Fit] = []
    public private(set) var verdicts: [Verdict] = []
    public private(set) var trials: [String: Int] = [:]

    public init() {}

    /// Adds one experiment; `trials` is the number of trials its statistics hold.
    public mutating func add(_ result: ExperimentResult, trials count: Int) {
        let experimentRows = ExperimentAnalysis.rows(result)
        let experimentFits = ExperimentAnalysis.fits(result)
        rows += experimentRows
        fits += experimentFits
        verdicts += ExperimentAnalysis.verdicts(result, rows: experimentRows, fits: experimentFits)
        trials[result.trial.spec.name] = count
    }
}
