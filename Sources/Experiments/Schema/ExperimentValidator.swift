import Foundation
internal import SystemIO

/// Turns an experiment file into checked values, or into the full list of its problems, each
/// with a JSON path and a message that says how to fix it.
package struct ExperimentValidator: Sendable {
    /// Memory available per rank; nil skips the memory check.
    package var memory: MemoryBudget?

    package init(memory: MemoryBudget? = .current()) {
        self.memory = memory
    }

    /// Relative file paths in the experiment start at `baseDirectory`; nil skips file checks.
    package func validate(data: Data, baseDirectory: URL? = nil) throws(ExperimentFileError) -> ExperimentSuite {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.underlyingError == nil,
               let located = ExperimentProblem.locateSyntaxError(in: data) {
                throw ExperimentFileError(problems: [located])
            }
            throw ExperimentFileError(problems: [ExperimentProblem(error)])
        } catch {
            throw ExperimentFileError(problems: [ExperimentProblem(path: .root, message: "the file is not valid JSON (\(error)); check its syntax")])
        }
        let duplicates = JSONDuplicateKeys.find(in: data)
        do throws(ExperimentFileError) {
            let suite = try validate(value, baseDirectory: baseDirectory)
            guard duplicates.isEmpty else { throw ExperimentFileError(problems: []) }
            return suite
        } catch {
            throw ExperimentFileError(problems: duplicates + error.problems)
        }
    }

    package func validate(contentsOf url: URL) throws(ExperimentFileError) -> ExperimentSuite {
        let data: Data
        do {
            data = Data(try Files.readRegular(url.path, limit: 1 << 26))
        } catch {
            throw ExperimentFileError(problems: [ExperimentProblem(path: .root, message: "cannot read the experiment file: \(error); give a JSON file")])
        }
        return try validate(data: data, baseDirectory: url.deletingLastPathComponent())
    }

    package func validate(_ value: JSONValue, baseDirectory: URL? = nil) throws(ExperimentFileError) -> ExperimentSuite {
        let reader = SpecReader(baseDirectory: baseDirectory, memory: memory)
        let suite = reader.suite(value)
        guard reader.problems.isEmpty, let suite else {
            throw ExperimentFileError(problems: reader.problems)
        }
        return suite
    }

    /// Problems of a suite built in code (for example after command-line overrides).
    package func problems(in suite: ExperimentSuite, baseDirectory: URL? = nil) -> [ExperimentProblem] {
        do {
            _ = try validate(suite.json, baseDirectory: baseDirectory)
            return []
        } catch {
            return error.problems
        }
    }
}

extension ExperimentSuite {
    /// The suite with command-line overrides applied to every experiment: a seed, a fixed
    /// trial count, or a CI target (which keeps a file's sequential limits when it has them).
    package func overriding(seed: UInt64? = nil, trials: Int? = nil, target: StoppingSpec.Target? = nil) -> ExperimentSuite {
        var copy = self
        for i in copy.experiments.indices {
            if let seed { copy.experiments[i].seed = seed }
            if let trials { copy.experiments[i].stopping = .fixed(trials: trials) }
            if let target {
                var rule: StoppingSpec.Sequential
                if case .sequential(let existing) = copy.experiments[i].stopping {
                    rule = existing
                    rule.target = target
                } else {
                    rule = StoppingSpec.Sequential(target: target,
                                              minTrials: max(StoppingSpec.Sequential.defaultMinTrials, copy.experiments[i].blockSize))
                }
                copy.experiments[i].stopping = .sequential(rule)
            }
        }
        return copy
    }
}

/// The largest values a run can carry out, checked in validation (before MPI starts, in time
/// that does not depend on the values: a generated grid is never expanded to be checked).
/// Sizes that only cost memory (d, n, widths) are bounded by the memory estimate instead.
package enum ExperimentLimits {
    package struct Limit: Sendable {
        package var value: Int
        /// Why, for the message.
        package var reason: String
    }

    /// Names become file names inside the output folder ("<i>-<name>.checkpoint" and its
    /// temporary ".….partial"), which must fit a file system's 255-byte names.
    package static let nameBytes = Limit(value: 200, reason: "names become file names, which are limited to 255 bytes")
    /// A deep-linear student's layers: each one is a matrix per trial and an ODE block.
    package static let depth = Limit(value: 64, reason: "each layer is trained as its own matrix")
    package static let gridPoints = Limit(value: 1_000, reason: "every grid point is trained in every trial")
    package static let experiments = Limit(value: 1_000, reason: "each experiment is a run of its own")
    package static let students = Limit(value: 100, reason: "every student is trained in every trial")
    package static let deltas = Limit(value: 1_000, reason: "every delta is a student trained in every trial")
    package static let mixtureComponents = Limit(value: 10_000, reason: "each component mean is a d-vector")
    /// A stop request is honoured at block boundaries, so one block must finish in a
    /// reasonable time.
    package static let blockSize = Limit(value: 100_000, reason: "a stop request waits for the current block to finish")
    package static let trials = Limit(value: 1_000_000_000_000, reason: "more trials than a run can carry out")
}
