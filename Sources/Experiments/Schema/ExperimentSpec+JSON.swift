import Foundation

// Writing experiments back in the documented schema (docs/EXPERIMENT-SCHEMA.md), every field
// explicit, so that a run's summary records exactly what ran and the file reads back equal.

extension ExperimentSuite {
    package var json: JSONValue {
        var members: [String: JSONValue] = ["suite": .string(name), "experiments": .array(experiments.map(\.json))]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }
}

extension ExperimentSpec {
    package var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name),
            "geometry": geometry.json,
            "d": .integer(Int64(d)),
            "n": n.json,
            "teacher": teacher.json,
            "students": .array(students.map(\.json)),
            "solver": solver.json,
            "stopping": stopping.json,
            "block_size": .integer(Int64(blockSize)),
            "confidence": .number(confidence),
            "seed": .integer(Int64(bitPattern: seed)),
            "sampler": .string(sampler.rawValue),
        ]
        if let description { members["description"] = .string(description) }
        if let memoryCapMB { members["memory_cap_mb"] = .number(memoryCapMB) }
        if let sweep { members["sweep"] = sweep.json }
        if !expect.isEmpty { members["expect"] = .object(expect.mapValues { .string($0.rawValue) }) }
        if estimator != .plain {
            members["estimator"] = .string(estimator.rawValue)
            if estimator == .controlVariate {
                members["limit_term"] = .string(limitTerm.rawValue)
                if limitTerm == .sampled { members["limit_samples"] = .integer(Int64(limitSamples)) }
            }
            if estimator == .importance, let tiltRate { members["tilt_rate"] = .number(tiltRate) }
        }
        return .object(members)
    }
}

private func numbers(_ xs: [Double]) -> JSONValue { .array(xs.map { .number($0) }) }
private func tagged(_ k: String, _ members: [String: JSONValue] = [:]) -> JSONValue {
    .object(members.merging(["kind": .string(k)]) { a, _ in a })
}

extension GeometrySpec {
    package var json: JSONValue {
        switch self {
        case .gaussian:
            return tagged("gaussian")
        case .anisotropic(let spectrum, let direction):
            var members: [String: JSONValue] = ["teacher_direction": direction.json]
            switch spectrum {
            case .powerLaw(let alpha): members["alpha"] = .number(alpha)
            case .values(let values): members["spectrum"] = numbers(values)
            }
            return tagged("anisotropic", members)
        case .polyTail(let kappa, let radius):
            return tagged("poly-tail", ["kappa": .number(kappa), "radius": .string(radius.rawValue)])
        case .margin(let theta0, let radius):
            return tagged("margin", ["theta0": .number(theta0), "radius": .string(radius.rawValue)])
        case .mixture(let m):
            return tagged("mixture", ["weights": numbers(m.weights), "means": .array(m.means.map(numbers)),
                                    "stds": numbers(m.stds)])
        case .dataset(let s):
            let label: JSONValue = switch s.labelColumn {
            case .name(let name): .string(name)
            case .index(let i): .integer(Int64(i))
            }
            let teacher: JSONValue = switch s.teacher {
            case .fit: .string("fit")
            case .file(let path): .object(["file": .string(path)])
            }
            return tagged("dataset", ["file": .string(s.file), "label_column": label, "teacher": teacher,
                                    "holdout": .number(s.holdout)])
        }
    }
}

extension GeometrySpec.EigenDirection {
    package var json: JSONValue {
        switch self {
        case .uniform: tagged("uniform")
        case .eigenvector(let index): tagged("eigenvector", ["index": .integer(Int64(index))])
        case .coefficients(let values): tagged("coefficients", ["values": numbers(values)])
        }
    }
}

extension NGrid {
    package var json: JSONValue {
        switch self {
        case .values(let values):
            .array(values.map { .integer(Int64($0)) })
        case .generated(let from, let to, let count, let spacing):
            .object(["from": .integer(Int64(from)), "to": .integer(Int64(to)),
                     "count": .integer(Int64(count)), "spacing": .string(spacing.rawValue)])
        }
    }
}

extension TeacherSpec {
    package var json: JSONValue {
        let d: JSONValue = switch direction {
        case .vector(let values): numbers(values)
        default: .string(direction.name!)
        }
        return .object(["norm": .number(norm), "temperature": .number(temperature), "direction": d])
    }
}

extension StudentSpec {
    package var json: JSONValue {
        switch self {
        case .linear(let initial):
            let i: JSONValue = switch initial {
            case .zero: tagged("zero")
            case .random(let scale): tagged("random", ["scale": .number(scale)])
            case .given(let file): tagged("given", ["file": .string(file)])
            }
            return tagged("linear", ["init": i])
        case .deepLinear(let depth, let widths, let initial):
            let i: JSONValue = switch initial {
            case .balanced(let scale): tagged("balanced", ["scale": .number(scale)])
            case .random(let scale): tagged("random", ["scale": .number(scale)])
            }
            return tagged("deep-linear", ["depth": .integer(Int64(depth)),
                                        "widths": .array(widths.map { .integer(Int64($0)) }), "init": i])
        case .hardLabel:
            return tagged("hard-label")
        case .wDelta(let deltas):
            return tagged("w-delta", ["deltas": numbers(deltas)])
        }
    }
}

extension SolverSpec {
    package var json: JSONValue {
        var members: [String: JSONValue] = ["tolerance": .number(tolerance), "fit_tolerance": .number(fitTolerance),
                                            "integration_tolerance": .number(integrationTolerance),
                                            "max_steps": .integer(Int64(maxSteps))]
        if let timeLimit { members["time_limit"] = .number(timeLimit) }
        if let step { members["step"] = .number(step) }
        if kind == .flow {
            members["integrator"] = .string(integrator.rawValue)
            members["limit_tolerance"] = .number(limitTolerance)
        }
        return tagged(kind.rawValue, members)
    }
}

extension StoppingSpec {
    package var json: JSONValue {
        switch self {
        case .fixed(let trials):
            return .object(["trials": .integer(Int64(trials))])
        case .sequential(let rule):
            let target: JSONValue = switch rule.target {
            case .absolute(let x): .object(["absolute": .number(x)])
            case .relative(let x): .object(["relative": .number(x)])
            }
            var members: [String: JSONValue] = ["target_ci": target, "min_trials": .integer(Int64(rule.minTrials)),
                                                "max_trials": .integer(Int64(rule.maxTrials))]
            if let wallTime = rule.wallTime { members["wall_time"] = .number(wallTime) }
            return .object(members)
        }
    }
}

// MARK: - Codable, through the same reader as the validator

extension ExperimentSuite: Codable {
    /// Decodes and checks the whole tree, throwing `ExperimentFileError` with every problem.
    /// Files and the memory cap are not checked here; `ExperimentValidator` does that.
    package init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        let reader = SpecReader(baseDirectory: nil, memory: nil)
        let suite = reader.suite(value)
        guard reader.problems.isEmpty, let suite else {
            throw ExperimentFileError(problems: reader.problems.map { $0.prefixed(by: decoder.codingPath) })
        }
        self = suite
    }

    package func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

extension ExperimentSpec: Codable {
    package init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        let reader = SpecReader(baseDirectory: nil, memory: nil)
        let spec = reader.experiment(value, .root)
        guard reader.problems.isEmpty, let spec else {
            throw ExperimentFileError(problems: reader.problems.map { $0.prefixed(by: decoder.codingPath) })
        }
        self = spec
    }

    package func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}

extension ExperimentProblem {
    func prefixed(by codingPath: [any CodingKey]) -> ExperimentProblem {
        ExperimentProblem(path: JSONPath(JSONPath(codingPath: codingPath).components + path.components),
                          message: message)
    }
}
