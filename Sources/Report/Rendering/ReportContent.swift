import Foundation

/// Everything `report.html` shows, gathered from a finished run (its rows and summary) or from
/// the checkpoints of a run that was stopped (then `partial` says what is missing).
public struct ReportContent: Sendable {
    /// One experiment of the suite, in the order the run took them.
    public struct Experiment: Sendable, Equatable {
        public var name: String
        public var description: String?
        public var seed: UInt64?
        public var confidence: Double?
        /// Trials merged (nil when the experiment never started).
        public var trials: Int?
        /// "complete", or what a stopped run got to, in words.
        public var status: String
        public var isComplete: Bool

        public init(name: String, description: String? = nil, seed: UInt64? = nil, confidence: Double? = nil,
                    trials: Int? = nil, status: String, isComplete: Bool) {
            self.name = name
            self.description = description
            self.seed = seed
            self.confidence = confidence
            self.trials = trials
            self.status = status
            self.isComplete = isComplete
        }
    }

    public var suite: String
    public var summary: SummaryDocument
    public var rows: [CurveRow]
    public var experiments: [Experiment]
    /// Why the report is partial (nil for a finished run).
    public var partial: String?

    public init(suite: String, summary: SummaryDocument, rows: [CurveRow], experiments: [Experiment], partial: String?) {
        self.suite = suite
        self.summary = summary
        self.rows = rows
        self.experiments = experiments
        self.partial = partial
    }

    /// The content of a finished run: its curves.csv rows and summary.json. The experiment list
    /// comes from the configuration recorded in the summary, so experiments keep the run's order
    /// and descriptions; names found only in the rows or verdicts are appended.
    public init(rows: [CurveRow], summary: SummaryDocument) {
        let recorded = Self.recordedExperiments(summary.configuration)
        var experiments: [Experiment] = recorded.experiments.flatMap { e in
            // A sweep ran as its points.
            let points = summary.sweeps?.first { $0.sweep == e.name }?.points.map { ($0.experiment, Optional($0.seed)) }
            return (points ?? [(e.name, e.seed)]).map { name, seed in
                Experiment(name: name, description: e.description, seed: seed, confidence: e.confidence,
                           trials: summary.trials[name], status: summary.partial ? "partial" : "complete",
                           isComplete: !summary.partial)
            }
        }
        let known = Set(experiments.map(\.name))
        var extra: [String] = []
        for name in rows.map(\.experiment) + summary.verdicts.map(\.experiment) + summary.trials.keys.sorted()
        where !known.contains(name) && !extra.contains(name) {
            extra.append(name)
        }
        for name in extra {
            experiments.append(Experiment(name: name, trials: summary.trials[name],
                                          status: summary.partial ? "partial" : "complete", isComplete: !summary.partial))
        }
        self.init(suite: recorded.suite ?? experiments.first?.name ?? "run", summary: summary, rows: rows,
                  experiments: experiments,
                  partial: summary.partial ? "summary.json marks this run as partial" : nil)
    }

    struct RecordedExperiment {
        var name: String
        var description: String?
        var seed: UInt64?
        var confidence: Double?
    }

    /// Reads names, descriptions, seeds and levels from the canonical suite JSON of
    /// summary.json. Best effort: a configuration that does not parse gives an empty list and
    /// the experiments are taken from the rows instead.
    static func recordedExperiments(_ configuration: String) -> (suite: String?, experiments: [RecordedExperiment]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(configuration.utf8)) as? [String: Any] else {
            return (nil, [])
        }
        let list = object["experiments"] as? [[String: Any]] ?? []
        let experiments = list.compactMap { e -> RecordedExperiment? in
            guard let name = e["name"] as? String else { return nil }
            return RecordedExperiment(name: name, description: e["description"] as? String,
                                      seed: (e["seed"] as? NSNumber).map { UInt64(bitPattern: $0.int64Value) },
                                      confidence: (e["confidence"] as? NSNumber)?.doubleValue)
        }
        return (object["suite"] as? String, experiments)
    }
}
