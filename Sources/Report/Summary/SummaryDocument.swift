import Foundation

/// `summary.json`: configuration, seed, ranks, versions, timings, fits and verdicts. Keys are
/// sorted and timings kept apart, so two runs with the same seed agree on everything but
/// `timings` (whose values are wall-clock).
public struct SummaryDocument: Sendable, Codable {
    public struct Fit: Sendable, Codable, Equatable {
        public var experiment: String
        public var student: String
        public var fit: DecayFit
        public var predicted: Double?
        public init(experiment: String, student: String, fit: DecayFit, predicted: Double?) {
            self.experiment = experiment
            self.student = student
            self.fit = fit
            self.predicted = predicted
        }
    }

    public var tool: String
    public var version: String
    public var seed: UInt64
    public var ranks: Int
    public var trials: [String: Int]
    public var partial: Bool
    public var configuration: String
    public var fits: [Fit]
    public var verdicts: [Verdict]
    public var timings: [String: Double]
    /// Runs with a sweep: each sweep's fitted rates per point and its across-sweep verdicts.
    public var sweeps: [SweepSummary]?

    public init(tool: String = "kdmc", version: String, seed: UInt64, ranks: Int, trials: [String: Int],
                partial: Bool, configuration: String, fits: [Fit], verdicts: [Verdict],
                timings: [String: Double], sweeps: [SweepSummary]? = nil) {
        self.tool = tool
        self.version = version
        self.seed = seed
        self.ranks = ranks
        self.trials = trials
        self.partial = partial
        self.configuration = configuration
        self.fits = fits
        self.verdicts = verdicts
        self.timings = timings
        self.sweeps = sweeps
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> SummaryDocument {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(SummaryDocument.self, from: data)
    }
}
