import Foundation

extension SpecReader {
    /// `"sweep": {"d": [1000, 10000], "geometry.kappa": {"from": 1, "to": 4, "count": 3}, "resolution": 0.05}`.
    func sweep(_ v: JSONValue, _ p: JSONPath) -> SweepSpec? {
        guard let f = object(v, p, what: "a sweep (axes such as {\"d\": [1000, 10000]})") else { return nil }
        let before = problems.count
        let axisNames = SweepParameter.allCases.map(\.rawValue)
        var hints: [String: String] = [:]
        for parameter in SweepParameter.allCases where parameter.shortName != parameter.rawValue {
            hints[parameter.shortName] = "write the member's full path, \"\(parameter.rawValue)\", as the sweep axis"
        }
        expectOnly(f, axisNames + ["resolution"], in: "a sweep (its axes are \(axisNames.joined(separator: ", ")))",
                   hints: hints)
        var axes: [SweepAxis] = []
        var ok = true
        for parameter in SweepParameter.allCases {
            guard let value = f.value(parameter.rawValue) else { continue }
            if let values = sweepValues(value, p.appending(parameter.rawValue), parameter) {
                axes.append(SweepAxis(parameter: parameter, values: values))
            } else {
                ok = false
            }
        }
        let resolution = optional(f, "resolution", default: SweepSpec.defaultResolution) {
            positiveReal($0, $1, name: "the sweep resolution (largest relative drift of the rate per unit, per decade for d)")
        }
        guard ok, let resolution, problems.count == before else { return nil }
        guard !axes.isEmpty else {
            report(p, "the sweep has no axis; give one or two of \(axisNames.joined(separator: ", ")), e.g. \"sweep\": {\"d\": [1000, 10000, 100000]}")
            return nil
        }
        guard axes.count <= SweepSpec.maximumAxes else {
            report(p, "the sweep has \(axes.count) axes (\(axes.map(\.parameter.rawValue).joined(separator: ", "))); a sweep has at most two, so split it into several experiments")
            return nil
        }
        return SweepSpec(axes: axes, resolution: resolution)
    }

    /// One axis: a list of distinct values or a generator; each value checked like the member
    /// it replaces.
    private func sweepValues(_ v: JSONValue, _ p: JSONPath, _ parameter: SweepParameter) -> SweepValues? {
        let name = "each value of \(parameter.rawValue)"
        let check = { (x: Double, path: JSONPath) -> Bool in self.sweepValueIsValid(x, path, parameter) }
        switch v {
        case .array(let items):
            guard !items.isEmpty else {
                report(p, "the \(parameter.rawValue) axis is an empty list; give at least one value")
                return nil
            }
            var values: [Double] = []
            var ok = true
            for (i, item) in items.enumerated() {
                let path = p.appending(i)
                let x: Double?
                if parameter == .d {
                    x = integer(item, path, name: "each d", min: 2).map(Double.init)
                } else {
                    x = real(item, path, name: name)
                }
                guard let x, check(x, path) else { ok = false; continue }
                if let j = values.firstIndex(of: x) {
                    report(path, "\(JSONValue.format(x)) repeats \(parameter.rawValue)[\(j)]; the values of a sweep axis must be distinct")
                    ok = false
                }
                values.append(x)
            }
            return ok ? .values(values) : nil
        case .object:
            guard let f = object(v, p, what: "a sweep axis generator") else { return nil }
            expectOnly(f, ["from", "to", "count", "spacing"], in: "a sweep axis generator")
            let read = { (v: JSONValue, p: JSONPath, what: String) -> Double? in
                if parameter == .d { return self.integer(v, p, name: what, min: 2).map(Double.init) }
                return self.real(v, p, name: what)
            }
            let from = required(f, "from", hint: "give the first value, e.g. \"from\": 1000") { read($0, $1, "from") }
            let to = required(f, "to", hint: "give the last value, e.g. \"to\": 1000000") { read($0, $1, "to") }
            let count = required(f, "count", hint: "give the number of points, e.g. \"count\": 4") { integer($0, $1, name: "count", min: 2) }
            let spacing = optional(f, "spacing", default: NGrid.Spacing.log) { choice($0, $1, name: "spacing", as: NGrid.Spacing.self) }
            guard let from, let to, let count, let spacing else { return nil }
            guard check(from, f.path.appending("from")), check(to, f.path.appending("to")) else { return nil }
            guard to > from else {
                report(f.path.appending("to"), "\(JSONValue.format(to)) is not greater than from (\(JSONValue.format(from))); a generated axis runs upwards")
                return nil
            }
            if spacing == .log && from <= 0 {
                report(f.path.appending("from"), "\(JSONValue.format(from)) is not positive; a log-spaced axis needs from > 0 (or use \"spacing\": \"linear\")")
                return nil
            }
            return .generated(from: from, to: to, count: count, spacing: spacing)
        default:
            report(p, "expected the \(parameter.rawValue) axis as a list of values or an object {\"from\", \"to\", \"count\", \"spacing\"}, found \(v.kindDescription) \(v.shortText)")
            return nil
        }
    }

    /// The same bounds the member itself has (docs/EXPERIMENT-SCHEMA.md).
    private func sweepValueIsValid(_ x: Double, _ p: JSONPath, _ parameter: SweepParameter) -> Bool {
        let problem: String? = switch parameter {
        case .d: nil
        case .kappa: x > 0 ? nil : "kappa must be > 0 (p(θ) = (2θ/π)^kappa), got \(JSONValue.format(x))"
        case .theta0: x > 0 && x < Double.pi / 2 ? nil
            : "\(JSONValue.format(x)) is outside (0, π/2); theta0 is the angular margin in radians, e.g. 0.2"
        case .alpha: x >= 0 ? nil : "\(JSONValue.format(x)) is negative; alpha must be ≥ 0"
        case .norm: x > 0 ? nil : "\(JSONValue.format(x)) is not positive; the teacher norm must be > 0"
        case .temperature: x > 0 ? nil : "\(JSONValue.format(x)) is not positive; the temperature must be > 0"
        }
        if let problem { report(p, problem) }
        return problem == nil
    }

    /// The experiment's members with each swept member that the file left out filled in with
    /// the axis's first value, so the rest of the reader sees a complete experiment. A swept
    /// member that the file does give is read and checked but replaced at every point. When
    /// the sweep itself has problems (`sweep` nil), a valid stand-in fills the gap, so that
    /// only the sweep's problems are reported.
    func fillingSweptMembers(_ f: Fields, _ sweep: SweepSpec?, raw: JSONValue?) -> Fields {
        var values = f.values
        var fills: [(SweepParameter, Double)] = []
        if let sweep {
            fills = sweep.axes.compactMap { axis in axis.points.first.map { (axis.parameter, $0) } }
        } else if case .object(let members)? = raw {
            let standIn: [SweepParameter: Double] = [.d: 1000, .kappa: 1, .theta0: 0.2, .alpha: 1, .norm: 1, .temperature: 1]
            fills = SweepParameter.allCases.filter { members[$0.rawValue] != nil || members[$0.shortName] != nil }
                .map { ($0, standIn[$0]!) }
        }
        for (parameter, first) in fills {
            let number: JSONValue = parameter == .d ? .integer(Int64(first)) : .number(first)
            let parts = parameter.rawValue.split(separator: ".").map(String.init)
            if parts.count == 1 {
                if f.value(parts[0]) == nil { values[parts[0]] = number }
                continue
            }
            let (outer, inner) = (parts[0], parts[1])
            // A geometry member goes only into the geometry it belongs to; `checkSweep` reports
            // a sweep over another geometry's member.
            switch values[outer] {
            case .object(var members)?:
                if outer == "geometry" {
                    guard case .string(let kind)? = members["kind"], kind == parameter.geometryKind else { continue }
                }
                if members[inner] == nil || members[inner] == .null { members[inner] = number }
                values[outer] = .object(members)
            case .string(let kind)? where outer == "geometry" && kind == parameter.geometryKind:
                values[outer] = .object(["kind": .string(kind), inner: number])
            case nil, .null?:
                if outer == "teacher" { values[outer] = .object([inner: number]) }
            default:
                break
            }
        }
        return Fields(path: f.path, values: values)
    }

    /// Checks that need the sweep and the experiment together, then every point as an
    /// experiment of its own (sampler, memory, …). A problem shared by every point is reported
    /// once; one that only some points have names them. True when all hold.
    func checkSweep(_ sweep: SweepSpec, of e: ExperimentSpec, _ p: JSONPath) -> Bool {
        let before = problems.count
        let sweepPath = p.appending("sweep")
        for axis in sweep.axes {
            let path = sweepPath.appending(axis.parameter.rawValue)
            if let kind = axis.parameter.geometryKind, e.geometry.kind != kind {
                report(path, "\(axis.parameter.rawValue) is a member of the \(kind) geometry, but this experiment's geometry is \(e.geometry.kind); sweep a member the geometry has")
                continue
            }
            if axis.parameter == .alpha, case .anisotropic(.values, _) = e.geometry {
                report(path, "the geometry gives its spectrum as a list; sweeping geometry.alpha needs the power law, so replace \"spectrum\" by \"alpha\"")
            }
            if axis.parameter == .d {
                let smallest = Int(axis.points.min() ?? 2)
                switch e.geometry {
                case .dataset:
                    report(path, "the dataset geometry takes d from its file; d cannot be swept")
                case .anisotropic(let spectrum, let direction):
                    if case .values = spectrum {
                        report(path, "the anisotropic spectrum lists d values, so d cannot be swept; give the spectrum as \"alpha\"")
                    }
                    if case .coefficients = direction {
                        report(path, "the teacher direction lists d coefficients, so d cannot be swept; use \"uniform\" or an eigenvector")
                    }
                    if case .eigenvector(let index) = direction, index > smallest {
                        report(path, "the teacher is eigenvector \(index), more than the smallest swept d (\(smallest)); keep every d ≥ \(index)")
                    }
                case .mixture(let m):
                    if let longest = m.means.map(\.count).max(), longest > smallest {
                        report(path, "a mixture mean has \(longest) coordinates, more than the smallest swept d (\(smallest)); keep every d ≥ \(longest)")
                    }
                default:
                    break
                }
                if e.students.contains(where: { if case .linear(.given) = $0 { true } else { false } }) {
                    report(path, "a linear student starts from a file of d numbers, so d cannot be swept; use a zero or random init")
                }
            }
        }
        guard problems.count == before else { return false }

        // Every point through the experiment's own cross-checks.
        var found: [(point: String, problem: ExperimentProblem)] = []
        let points = e.expanded
        for point in points {
            let mark = problems.count
            _ = crossCheck(point, p, fieldsValid: true)
            found += problems[mark...].map { (point.name, $0) }
            problems.removeSubrange(mark...)
        }
        var seen: [ExperimentProblem] = []
        for (_, problem) in found where !seen.contains(problem) {
            seen.append(problem)
            let at = found.filter { $0.problem == problem }.map(\.point)
            if at.count == points.count {
                problems.append(problem)
            } else {
                let names = at.count <= 3 ? at.joined(separator: ", ") : "\(at[0]) and \(at.count - 1) more"
                problems.append(ExperimentProblem(path: problem.path, message: "at sweep point\(at.count == 1 ? "" : "s") \(names): \(problem.message)"))
            }
        }
        return problems.count == before
    }
}

extension SweepSpec {
    package var json: JSONValue {
        var members: [String: JSONValue] = ["resolution": .number(resolution)]
        for axis in axes {
            members[axis.parameter.rawValue] = switch axis.values {
            case .values(let list):
                .array(list.map { axis.parameter == .d ? .integer(Int64($0)) : .number($0) })
            case .generated(let from, let to, let count, let spacing):
                .object(["from": axis.parameter == .d ? .integer(Int64(from)) : .number(from),
                         "to": axis.parameter == .d ? .integer(Int64(to)) : .number(to),
                         "count": .integer(Int64(count)), "spacing": .string(spacing.rawValue)])
            }
        }
        return .object(members)
    }
}
