import Foundation
import Experiments
import MonteCarlo

/// Everything `report.html` shows, gathered from a finished run (its rows and summary) or from
/// the checkpoints of a run that was stopped (then `partial` says what is missing).
package struct ReportContent: Sendable {
    /// One experiment of the suite, in the order the run took them.
    package struct Experiment: Sendable, Equatable {
        package var name: String
        package var description: String?
        package var seed: UInt64?
        package var confidence: Double?
        /// The geometry's kind ("margin", "poly-tail", …), when the configuration records it.
        package var geometry: String?
        /// Trials merged (nil when the experiment never started).
        package var trials: Int?
        /// "complete", or what a stopped run got to, in words.
        package var status: String
        package var isComplete: Bool

        package init(name: String, description: String? = nil, seed: UInt64? = nil, confidence: Double? = nil,
                    geometry: String? = nil, trials: Int? = nil, status: String, isComplete: Bool) {
            self.name = name
            self.geometry = geometry
            self.description = description
            self.seed = seed
            self.confidence = confidence
            self.trials = trials
            self.status = status
            self.isComplete = isComplete
        }
    }

    package var suite: String
    package var summary: SummaryDocument
    package var rows: [CurveRow]
    /// Per-trial risk counts at a few n (empty for a run folder written without them).
    package var distributions: [DistributionRow]
    /// The running estimate at a few n (empty for a stopped run or an older folder).
    package var running: [RunningRow]
    package var experiments: [Experiment]
    /// Why the report is partial (nil for a finished run).
    package var partial: String?

    package init(suite: String, summary: SummaryDocument, rows: [CurveRow], distributions: [DistributionRow] = [],
                running: [RunningRow] = [], experiments: [Experiment], partial: String?) {
        self.running = running
        self.suite = suite
        self.summary = summary
        self.rows = rows
        self.distributions = distributions
        self.experiments = experiments
        self.partial = partial
    }

    /// The content of a finished run: its curves.csv rows and summary.json. The experiment list
    /// comes from the configuration recorded in the summary, so experiments keep the run's order
    /// and descriptions; names found only in the rows or verdicts are appended.
    package init(rows: [CurveRow], summary: SummaryDocument, distributions: [DistributionRow] = [],
                running: [RunningRow] = []) {
        let recorded = Self.recordedExperiments(summary.configuration)
        let run = summary.experiments
        var experiments: [Experiment] = recorded.experiments.flatMap { e in
            // A sweep ran as its points.
            let names = summary.sweeps?.first { $0.sweep == e.name }?.points.map(\.experiment) ?? [e.name]
            return names.map { name in
                Experiment(name: name, description: e.description, seed: run[name]?.seed ?? e.seed,
                           confidence: run[name]?.confidence ?? e.confidence, geometry: e.geometry,
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
            experiments.append(Experiment(name: name, seed: run[name]?.seed, confidence: run[name]?.confidence,
                                          trials: summary.trials[name],
                                          status: summary.partial ? "partial" : "complete", isComplete: !summary.partial))
        }
        self.init(suite: recorded.suite ?? experiments.first?.name ?? "run", summary: summary, rows: rows,
                  distributions: distributions, running: running, experiments: experiments,
                  partial: summary.partial ? "summary.json marks this run as partial" : nil)
    }

    struct RecordedExperiment {
        var name: String
        var description: String?
        var seed: UInt64?
        var confidence: Double?
        var geometry: String?
    }

    /// Reads names, descriptions, seeds and levels from the suite recorded in summary.json.
    /// Best effort: a configuration of another shape gives an empty list and the experiments
    /// are taken from the rows instead.
    static func recordedExperiments(_ configuration: JSONValue) -> (suite: String?, experiments: [RecordedExperiment]) {
        guard case .object(let object) = configuration else { return (nil, []) }
        guard case .array(let list)? = object["experiments"] else { return (object["suite"]?.stringValue, []) }
        let experiments = list.compactMap { item -> RecordedExperiment? in
            guard case .object(let e) = item, let name = e["name"]?.stringValue else { return nil }
            var seed: UInt64?
            if case .integer(let i)? = e["seed"], i >= 0 { seed = UInt64(i) }
            var confidence: Double?
            switch e["confidence"] {
            case .number(let x)?: confidence = x
            case .integer(let i)?: confidence = Double(i)
            default: break
            }
            var geometry = e["geometry"]?.stringValue
            if case .object(let g)? = e["geometry"] { geometry = g["kind"]?.stringValue }
            return RecordedExperiment(name: name, description: e["description"]?.stringValue, seed: seed,
                                      confidence: confidence, geometry: geometry)
        }
        return (object["suite"]?.stringValue, experiments)
    }
}

extension JSONValue {
    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
