import Foundation
import Experiments
import MonteCarlo

/// `summary.json`: what was run (the configuration as an object, every experiment's seed,
/// trials, stop reason, sampler and estimator), on how many ranks, the fits and the verdicts.
/// Keys are sorted and timings kept apart, so two runs with the same seed agree on everything
/// but `timings` (whose values are wall-clock). A number that is not finite (a NaN where a
/// quantity has no value) is written as `null`. docs/OUTPUTS.md describes every member and
/// docs/summary.schema.json is its JSON Schema; `schemaVersion` changes when a member changes
/// meaning or is removed.
package struct SummaryDocument: Sendable, Codable {
    package static let schemaVersion = 2

    package struct Fit: Sendable, Codable, Equatable {
        package var experiment: String
        package var student: String
        package var fit: DecayFit
        package var predicted: Double?
        /// The rate the bound itself shows on the fitted n (the verdict's threshold).
        package var threshold: Double?
        package init(experiment: String, student: String, fit: DecayFit, predicted: Double?, threshold: Double? = nil) {
            self.experiment = experiment
            self.student = student
            self.fit = fit
            self.predicted = predicted
            self.threshold = threshold
        }
    }

    /// One experiment as it was run (the member of `experiments` named after it): the numbers a
    /// reader needs to reproduce or judge it without parsing the configuration.
    package struct Experiment: Sendable, Codable, Equatable {
        package var seed: UInt64
        /// Trials merged into the curves.
        package var trials: Int
        /// The fixed trial count asked for (file or `--trials`); nil under sequential stopping.
        package var trialsRequested: Int?
        /// Trials the stopping rule plans for: a fixed count rounded up to whole blocks (the
        /// unit of merging and checkpoints), or the sequential maximum rounded the same way.
        package var trialsPlanned: Int
        package var blockSize: Int
        package var confidence: Double
        /// Why the experiment stopped: `trials` (the fixed count, or the sequential maximum),
        /// `target` (the CI target was met), `wall_time` (the sequential wall-time cap) or
        /// `signal` (stopped on request, in a partial run).
        package var stopReason: String
        /// The sampler actually used (`ambient` or `gram`; `auto` resolved).
        package var sampler: String
        /// The estimator of the curves (`plain`: the mean over trials; `control-variate`: the
        /// d → ∞ limit angle as a control variate, docs/THEORY.md §9).
        package var estimator: String
        /// Whether the sequential CI target was met: true, false (stopped by the maximum, the
        /// wall-time cap or a signal first), or nil (written as null) when no target was set.
        package var targetMet: Bool?
        /// Under the control variate, the measured variance reductions per curve point; absent
        /// for the plain estimator.
        package var varianceReduction: [VarianceReduction]?

        package init(seed: UInt64, trials: Int, trialsRequested: Int?, trialsPlanned: Int,
                    blockSize: Int, confidence: Double, stopReason: String, sampler: String,
                    estimator: String = "plain") {
            self.seed = seed
            self.trials = trials
            self.trialsRequested = trialsRequested
            self.trialsPlanned = trialsPlanned
            self.blockSize = blockSize
            self.confidence = confidence
            self.stopReason = stopReason
            self.sampler = sampler
            self.estimator = estimator
        }

        enum CodingKeys: String, CodingKey {
            case seed, trials, confidence, sampler, estimator
            case trialsRequested = "trials_requested"
            case trialsPlanned = "trials_planned"
            case blockSize = "block_size"
            case varianceReduction = "variance_reduction"
            case stopReason = "stop_reason"
            case targetMet = "target_met"
        }

        /// As synthesized, except that `target_met` reads a null (which `decode` marks like a
        /// non-finite number) as nil.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            seed = try c.decode(UInt64.self, forKey: .seed)
            trials = try c.decode(Int.self, forKey: .trials)
            trialsRequested = try c.decodeIfPresent(Int.self, forKey: .trialsRequested)
            trialsPlanned = try c.decode(Int.self, forKey: .trialsPlanned)
            blockSize = try c.decode(Int.self, forKey: .blockSize)
            confidence = try c.decode(Double.self, forKey: .confidence)
            stopReason = try c.decode(String.self, forKey: .stopReason)
            sampler = try c.decode(String.self, forKey: .sampler)
            estimator = try c.decode(String.self, forKey: .estimator)
            targetMet = (try? c.decodeIfPresent(Bool.self, forKey: .targetMet)) ?? nil
            varianceReduction = try c.decodeIfPresent([VarianceReduction].self, forKey: .varianceReduction)
        }

        /// As synthesized, except that `target_met` is always written (null without a target).
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(seed, forKey: .seed)
            try c.encode(trials, forKey: .trials)
            try c.encodeIfPresent(trialsRequested, forKey: .trialsRequested)
            try c.encode(trialsPlanned, forKey: .trialsPlanned)
            try c.encode(blockSize, forKey: .blockSize)
            try c.encode(confidence, forKey: .confidence)
            try c.encode(stopReason, forKey: .stopReason)
            try c.encode(sampler, forKey: .sampler)
            try c.encode(estimator, forKey: .estimator)
            try c.encode(targetMet, forKey: .targetMet)
            try c.encodeIfPresent(varianceReduction, forKey: .varianceReduction)
        }
    }

    /// Var(R)/Var(Y) and Var(R)/Var(R − R^∞) at one curve point of a control-variate
    /// experiment, R the trials' plain risks and Y the control-variate values of the same trials.
    package struct VarianceReduction: Sendable, Codable, Equatable {
        package var student: String
        package var n: Int
        /// Var(R)/Var(Y): what the whole estimate gains over plain Monte Carlo per trial.
        package var estimate: Double
        /// Var(R)/Var(R − R^∞): the trial term's reduction alone.
        package var trialTerm: Double
        /// The limit term's value and error estimate when it is computed by quadrature
        /// (`"limit_term": "quadrature"`); nil when it is sampled.
        package var limitTerm: Double?
        package var limitTermError: Double?
        package init(student: String, n: Int, estimate: Double, trialTerm: Double,
                     limitTerm: Double? = nil, limitTermError: Double? = nil) {
            self.student = student
            self.n = n
            self.estimate = estimate
            self.trialTerm = trialTerm
            self.limitTerm = limitTerm
            self.limitTermError = limitTermError
        }

        enum CodingKeys: String, CodingKey {
            case student, n, estimate
            case trialTerm = "trial_term"
            case limitTerm = "limit_term"
            case limitTermError = "limit_term_error"
        }
    }

    package var schemaVersion: Int
    package var tool: String
    package var version: String
    /// The version of the random streams the trials drew from (`RandomStream.version`): the
    /// same configuration and seed give the same numbers only under the same version. Nil only
    /// when reading a summary written before streams had versions.
    package var randomStreamVersion: Int?
    package var ranks: Int
    package var partial: Bool
    /// The suite as run (command-line overrides applied), as a JSON object.
    package var configuration: JSONValue
    /// By experiment name (the suite's order is the configuration's); an experiment a stopped
    /// run never reached is absent.
    package var experiments: [String: Experiment]
    package var fits: [Fit]
    package var verdicts: [Verdict]
    package var timings: [String: Double]
    /// Runs with a sweep: each sweep's fitted rates per point and its across-sweep verdicts.
    package var sweeps: [SweepSummary]?
    /// Where and how the run was made (absent in files written before it existed).
    package var provenance: Provenance?

    /// What produced the numbers: the build, the libraries, the ranks and hosts, the command
    /// and the clock. Run metadata: two runs of the same configuration differ here (and in
    /// `timings`) and nowhere else.
    package struct Provenance: Sendable, Codable, Equatable {
        package var kdmcVersion: String
        /// `git describe --always --dirty` of the checkout it was built from, or "unknown".
        package var gitCommit: String
        package var swiftVersion: String
        /// MPI_Get_library_version.
        package var mpiLibrary: String
        /// openblas_get_config.
        package var blas: String
        package var ranks: Int
        /// Each rank's host name, in rank order.
        package var hosts: [String]
        package var commandLine: [String]
        /// ISO 8601, UTC.
        package var started: String
        package var ended: String
        /// Every experiment's seed, by name.
        package var seeds: [String: UInt64]
        /// A run merged from `kdmc run --part K/M` runs: each part's own provenance, in part
        /// order (then `ranks` and `hosts` above are the parts' together, `started` the first
        /// part's start). Absent for a run made in one piece.
        package var parts: [Part]?

        /// One part of a split run: which share it computed, and where and when.
        package struct Part: Sendable, Codable, Equatable {
            /// "K/M".
            package var part: String
            package var ranks: Int
            package var hosts: [String]
            package var commandLine: [String]
            package var started: String
            package var ended: String

            package init(part: String, ranks: Int, hosts: [String], commandLine: [String], started: String, ended: String) {
                self.part = part
                self.ranks = ranks
                self.hosts = hosts
                self.commandLine = commandLine
                self.started = started
                self.ended = ended
            }

            enum CodingKeys: String, CodingKey {
                case part, ranks, hosts, commandLine = "command_line", started, ended
            }
        }

        package init(kdmcVersion: String, gitCommit: String, swiftVersion: String, mpiLibrary: String, blas: String,
                    ranks: Int, hosts: [String], commandLine: [String], started: String, ended: String,
                    seeds: [String: UInt64]) {
            self.kdmcVersion = kdmcVersion
            self.gitCommit = gitCommit
            self.swiftVersion = swiftVersion
            self.mpiLibrary = mpiLibrary
            self.blas = blas
            self.ranks = ranks
            self.hosts = hosts
            self.commandLine = commandLine
            self.started = started
            self.ended = ended
            self.seeds = seeds
        }

        enum CodingKeys: String, CodingKey {
            case kdmcVersion = "kdmc_version", gitCommit = "git_commit", swiftVersion = "swift_version"
            case mpiLibrary = "mpi_library", blas, ranks, hosts, commandLine = "command_line", started, ended, seeds, parts
        }
    }

    package init(tool: String = "kdmc", version: String, ranks: Int, partial: Bool, configuration: JSONValue,
                experiments: [String: Experiment], fits: [Fit], verdicts: [Verdict], timings: [String: Double],
                randomStreamVersion: Int = RunFingerprint.currentStreamVersion,
                sweeps: [SweepSummary]? = nil) {
        self.schemaVersion = Self.schemaVersion
        self.tool = tool
        self.version = version
        self.randomStreamVersion = randomStreamVersion
        self.ranks = ranks
        self.partial = partial
        self.configuration = configuration
        self.experiments = experiments
        self.fits = fits
        self.verdicts = verdicts
        self.timings = timings
        self.sweeps = sweeps
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case tool, version, ranks, partial, configuration, experiments, fits, verdicts, timings, sweeps, provenance
        case randomStreamVersion = "random_stream_version"
    }

    /// Trials merged per experiment name.
    package var trials: [String: Int] {
        experiments.mapValues(\.trials)
    }

    /// The configuration as indented JSON, for people.
    package var configurationText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(configuration)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    package func encoded() throws -> Data {
        // JSON has no NaN or infinity: encode them as a marker string first, then turn every
        // marker into null, wherever a member of any type put one.
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: Self.nonFiniteMarker, negativeInfinity: Self.nonFiniteMarker, nan: Self.nonFiniteMarker)
        let tree = try JSONDecoder().decode(JSONValue.self, from: try encoder.encode(self))
        let output = JSONEncoder()
        output.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try output.encode(Self.replacing(tree, marker: Self.nonFiniteMarker, by: .null, skipping: []))
    }

    /// Reads a summary written by `encoded()`: a `null` number reads back as NaN (the
    /// configuration is kept as it is, nulls included).
    package static func decode(_ data: Data) throws -> SummaryDocument {
        let tree = try JSONDecoder().decode(JSONValue.self, from: data)
        let marked = replacing(tree, marker: nil, by: .string(nonFiniteMarker), skipping: ["configuration"])
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+inf-never-written", negativeInfinity: "-inf-never-written", nan: nonFiniteMarker)
        return try decoder.decode(SummaryDocument.self, from: try JSONEncoder().encode(marked))
    }

    static let nonFiniteMarker = "kdmc:non-finite"

    /// Replaces `.string(marker)` (or `.null` when marker is nil) by `replacement`, except
    /// under the top-level members named in `skipping`.
    static func replacing(_ value: JSONValue, marker: String?, by replacement: JSONValue,
                          skipping: Set<String>, depth: Int = 0) -> JSONValue {
        switch value {
        case .null where marker == nil: return replacement
        case .string(let s) where marker == s: return replacement
        case .array(let items):
            return .array(items.map { replacing($0, marker: marker, by: replacement, skipping: skipping, depth: depth + 1) })
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (key, member) in members {
                out[key] = depth == 0 && skipping.contains(key)
                    ? member : replacing(member, marker: marker, by: replacement, skipping: skipping, depth: depth + 1)
            }
            return .object(out)
        default: return value
        }
    }
}
