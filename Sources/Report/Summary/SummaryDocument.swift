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
        /// The rate the bound itself shows on the fitted n (the verdict's threshold).
        public var threshold: Double?
        public init(experiment: String, student: String, fit: DecayFit, predicted: Double?, threshold: Double? = nil) {
            self.experiment = experiment
            self.student = student
            self.fit = fit
            self.predicted = predicted
            self.threshold = threshold
        }
    }

    /// How one experiment ended.
    public struct Stop: Sendable, Codable, Equatable {
        /// "trials" (the fixed count, or the sequential maximum), "target" (the CI target was
        /// met), "wall_time" (the sequential wall-time cap) or "signal" (stopped on request).
        public var stopReason: String
        /// Whether the sequential CI target was met; nil when none was set.
        public var targetMet: Bool?

        public init(stopReason: String, targetMet: Bool?) {
            self.stopReason = stopReason
            self.targetMet = targetMet
        }

        enum CodingKeys: String, CodingKey {
            case stopReason = "stop_reason"
            case targetMet = "target_met"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(stopReason, forKey: .stopReason)
            try c.encode(targetMet, forKey: .targetMet)
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
    /// Per experiment: why it stopped and whether its target was met.
    public var experiments: [String: Stop]
    /// Runs with a sweep: each sweep's fitted rates per point and its across-sweep verdicts.
    public var sweeps: [SweepSummary]?

    public init(tool: String = "kdmc", version: String, seed: UInt64, ranks: Int, trials: [String: Int],
                partial: Bool, configuration: String, fits: [Fit], verdicts: [Verdict],
                timings: [String: Double], experiments: [String: Stop] = [:], sweeps: [SweepSummary]? = nil) {
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
        self.experiments = experiments
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
