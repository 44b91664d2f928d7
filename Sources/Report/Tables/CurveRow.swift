/// One point of a risk curve as it appears in `curves.csv`: the reduced Monte Carlo
/// statistics of one (experiment, student, n), and the theory's values beside them.
package struct CurveRow: Sendable, Codable, Equatable {
    package var experiment: String
    package var student: String
    package var n: Int
    package var trials: Int
    package var mean: Double
    package var sd: Double
    package var ciLow: Double
    package var ciHigh: Double
    /// Exact expected risk where the theory gives one (isotropic Gaussian), else nil.
    package var exact: Double?
    /// The bound B (minimised over θ), where it applies (w(0) = 0 students), else nil.
    package var bound: Double?
    /// Mean per-draw certificate p(γ), where it applies, else nil.
    package var certificate: Double?

    package init(experiment: String, student: String, n: Int, trials: Int, mean: Double, sd: Double,
                ciLow: Double, ciHigh: Double, exact: Double? = nil, bound: Double? = nil,
                certificate: Double? = nil) {
        self.experiment = experiment
        self.student = student
        self.n = n
        self.trials = trials
        self.mean = mean
        self.sd = sd
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.exact = exact
        self.bound = bound
        self.certificate = certificate
    }

    /// Standard error of the mean; 0 when fewer than two trials.
    package var standardError: Double {
        trials > 1 ? sd / Double(trials).squareRoot() : 0
    }
}
