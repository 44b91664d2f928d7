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
    /// Where and how the run was made (absent in files written before it existed).
    public var provenance: Provenance?

    /// What produced the numbers: the build, the libraries, the ranks and hosts, the command
    /// and the clock. Run metadata: two runs of the same configuration differ here (and in
    /// `timings`) and nowhere else.
    public struct Provenance: Sendable, Codable, Equatable {
        public var kdmcVersion: String
        /// `git describe --always --dirty` of the checkout it was built from, or "unknown".
        public var gitCommit: String
        public var swiftVersion: String
        /// MPI_Get_library_version.
        public var mpiLibrary: String
        /// openblas_get_config.
        public var blas: String
        public var ranks: Int
        /// Each rank's host name, in rank order.
        public var hosts: [String]
        public var commandLine: [String]
        /// ISO 8601, UTC.
        public var started: String
        public var ended: String
        /// Every experiment's seed, by name.
        public var seeds: [String: UInt64]

        public init(kdmcVersion: String, gitCommit: String, swiftVersion: String, mpiLibrary: String, blas: String,
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
            case mpiLibrary = "mpi_library", blas, ranks, hosts, commandLine = "command_line", started, ended, seeds
        }
    }

    public init(tool: String = "kdmc", version: String, seed: UInt64, ranks: Int, trials: [String: Int],
                partial: Bool, configuration: String, fits: [Fit], verdicts: [Verdict],
                timings: [String: Double]) {
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
