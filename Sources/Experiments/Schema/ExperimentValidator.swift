import Foundation

/// Turns an experiment file into checked values, or into the full list of its problems, each
/// with a JSON path and a message that says how to fix it.
public struct ExperimentValidator: Sendable {
    /// Memory available per rank; nil skips the memory check.
    public var memory: MemoryBudget?

    public init(memory: MemoryBudget? = .current()) {
        self.memory = memory
    }

    /// Relative file paths in the experiment start at `baseDirectory`; nil skips file checks.
    public func validate(data: Data, baseDirectory: URL? = nil) throws(ExperimentFileError) -> ExperimentSuite {
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
        return try validate(value, baseDirectory: baseDirectory)
    }

    public func validate(contentsOf url: URL) throws(ExperimentFileError) -> ExperimentSuite {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ExperimentFileError(problems: [ExperimentProblem(path: .root, message: "cannot read \(url.path): \(error.localizedDescription); check the path and permissions")])
        }
        return try validate(data: data, baseDirectory: url.deletingLastPathComponent())
    }

    public func validate(_ value: JSONValue, baseDirectory: URL? = nil) throws(ExperimentFileError) -> ExperimentSuite {
        let reader = SpecReader(baseDirectory: baseDirectory, memory: memory)
        let suite = reader.suite(value)
        guard reader.problems.isEmpty, let suite else {
            throw ExperimentFileError(problems: reader.problems)
        }
        return suite
    }

    /// Problems of a suite built in code (for example after command-line overrides).
    public func problems(in suite: ExperimentSuite, baseDirectory: URL? = nil) -> [ExperimentProblem] {
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
    public func overriding(seed: UInt64? = nil, trials: Int? = nil, target: StoppingSpec.Target? = nil) -> ExperimentSuite {
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
