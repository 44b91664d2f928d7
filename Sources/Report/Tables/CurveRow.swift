/// One point of a risk curve as it appears in `curves.csv`: the reduced Monte Carlo
/// statistics of one (experiment, student, n), and the theory's values beside them.
public struct CurveRow: Sendable, Codable, Equatable {
    public var experiment: String
    public var student: String
    public var n: Int
    public var trials: Int
    public var mean: Double
    public var sd: Double
    public var ciLow: Double
    public var ciHigh: Double
    /// Exact expected risk where the theory gives one (isotropic Gaussian), else nil.
    public var exact: Double?
    /// The bound B (minimised over θ), where it applies (w(0) = 0 students), else nil.
    public var bound: Double?
    /// Mean per-draw certificate p(γ), where it applies, else nil.
    public var certificate: Double?

    public init(experiment: String, student: String, n: Int, trials: Int, mean: Double, sd: Double,
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
    public var standardError: Double {
        trials > 1 ? sd / Double(trials).squareRoot() : 0
    }
}
