import Foundation
internal import SystemIO

extension SpecReader {
    static let suiteKeys = ["suite", "description", "experiments"]
    static let experimentKeys = ["name", "description", "geometry", "d", "n", "teacher", "students",
                                 "solver", "stopping", "block_size", "confidence", "seed",
                                 "memory_cap_mb", "sampler", "expect", "estimator", "limit_term", "limit_samples", "tilt_rate", "sweep"]

    /// A suite file, or a file holding one experiment alone.
    func suite(_ v: JSONValue) -> ExperimentSuite? {
        guard let f = object(v, .root, what: "a suite or an experiment") else { return nil }
        guard f.values["experiments"] != nil || f.values["suite"] != nil else {
            guard let e = experiment(v, .root) else { return nil }
            return ExperimentSuite(name: e.name, description: e.description, experiments: [e])
        }
        expectOnly(f, Self.suiteKeys, in: "a suite")
        let name = required(f, "suite", hint: "name the suite, e.g. \"suite\": \"default\"") {
            identifier($0, $1, name: "the suite name")
        }
        let description = optional(f, "description", default: nil) { string($0, $1, name: "description") }
        let experiments: [ExperimentSpec]? = required(
            f, "experiments", hint: "list the suite's experiments, e.g. \"experiments\": [{...}]"
        ) { v, p in
            guard let items = array(v, p, name: "experiments"),
                  bounded(items, p, name: "experiments", limit: ExperimentLimits.experiments) else { return nil }
            var out: [ExperimentSpec] = []
            var firstIndex: [String: Int] = [:]
            var ok = true
            for (i, item) in items.enumerated() {
                let e = experiment(item, p.appending(i))
                // Names are compared as written, so a duplicate shows even beside other problems.
                if case .object(let members) = item, case .string(let name)? = members["name"] {
                    if let j = firstIndex[name] {
                        report(p.appending(i).appending("name"),
                               "\"\(name)\" is already the name of experiments[\(j)]; experiment names must be unique within a suite")
                        ok = false
                    } else {
                        firstIndex[name] = i
                    }
                }
                if let e { out.append(e) } else { ok = false }
            }
            return ok ? out : nil
        }
        guard let name, let description, let experiments else { return nil }
        return ExperimentSuite(name: name, description: description, experiments: experiments)
    }

    /// Names become file names, so they are kept to a portable alphabet.
    func identifier(_ v: JSONValue, _ p: JSONPath, name: String) -> String? {
        guard let s = string(v, p, name: name) else { return nil }
        guard s.utf8.count <= ExperimentLimits.nameBytes.value else {
            report(p, "\(name) is \(s.utf8.count) bytes long; at most \(ExperimentLimits.nameBytes.value) are allowed (\(ExperimentLimits.nameBytes.reason))")
            return nil
        }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard s.unicodeScalars.allSatisfy(allowed.contains) else {
            report(p, "\"\(s)\" is not a valid \(name); names are used in file names, so use only letters, digits, '.', '_' and '-'")
            return nil
        }
        return s
    }

    func experiment(_ v: JSONValue, _ p: JSONPath) -> ExperimentSpec? {
        guard var f = object(v, p, what: "an experiment") else { return nil }
        let start = problems.count
        expectOnly(f, Self.experimentKeys, in: "an experiment")
        let sweep = optional(f, "sweep", default: nil as SweepSpec?) { self.sweep($0, $1) }
        if let raw = f.value("sweep") { f = fillingSweptMembers(f, sweep ?? nil, raw: raw) }
        let name = required(f, "name", hint: "name the experiment, e.g. \"name\": \"gaussian-d100\"") {
            identifier($0, $1, name: "the experiment name")
        }
        let description = optional(f, "description", default: nil) { string($0, $1, name: "description") }
        let d = required(f, "d", hint: "give the dimension, e.g. \"d\": 100") {
            integer($0, $1, name: "d (the dimension)", min: 2)
        }
        let geometry = required(f, "geometry", hint: "choose one of \(GeometrySpec.kinds.joined(separator: ", ")), e.g. \"geometry\": \"gaussian\"") {
            self.geometry($0, $1, d: d)
        }
        let n = required(f, "n", hint: "give the transfer-set sizes, e.g. \"n\": [1, 2, 5, 10] or {\"from\": 1, \"to\": 100, \"count\": 12, \"spacing\": \"log\"}") {
            nGrid($0, $1)
        }
        let teacher = optional(f, "teacher", default: TeacherSpec()) { self.teacher($0, $1, d: d) }
        let students = required(f, "students", hint: "list the students, e.g. \"students\": [\"linear\"]") { v, p in
            list(v, p, name: "students", limit: ExperimentLimits.students) { student($0, $1, d: d) }
        }
        let solver = optional(f, "solver", default: SolverSpec()) { self.solver($0, $1) }
        let blockSize = optional(f, "block_size", default: ExperimentSpec.defaultBlockSize) {
            integer($0, $1, name: "block_size", min: 1, limit: ExperimentLimits.blockSize)
        }
        let stopping = optional(f, "stopping", default: StoppingSpec.defaultRule) { self.stopping($0, $1) }
        let confidence = optional(f, "confidence", default: ExperimentSpec.defaultConfidence) { v, p in
            real(v, p, name: "confidence") { x in
                x > 0 && x < 1 ? nil : "\(JSONValue.format(x)) is outside (0, 1); confidence is a level such as 0.95"
            }
        }
        let seed = optional(f, "seed", default: ExperimentSpec.defaultSeed) { self.seed($0, $1) }
        let memoryCap = optional(f, "memory_cap_mb", default: nil as Double?) {
            positiveReal($0, $1, name: "memory_cap_mb")
        }
        let sampler = optional(f, "sampler", default: SamplerChoice.auto) {
            choice($0, $1, name: "sampler", as: SamplerChoice.self)
        }
        let estimator = optional(f, "estimator", default: EstimatorChoice.plain) {
            choice($0, $1, name: "estimator", as: EstimatorChoice.self)
        }
        let limitTerm = optional(f, "limit_term", default: LimitTermChoice.quadrature) {
            choice($0, $1, name: "limit_term", as: LimitTermChoice.self)
        }
        let limitSamples = optional(f, "limit_samples", default: ExperimentSpec.defaultLimitSamples) { v, p -> Int? in
            guard let m = integer(v, p, name: "limit_samples", min: 1) else { return nil }
            guard m <= ExperimentSpec.maximumLimitSamples else {
                report(p, "\(m) is more than \(ExperimentSpec.maximumLimitSamples) limit samples per trial; each trial draws them all, so keep limit_samples at most \(ExperimentSpec.maximumLimitSamples)")
                return nil
            }
            return m
        }
        let tiltRate = optional(f, "tilt_rate", default: nil as Double?) { v, p -> Double? in
            real(v, p, name: "tilt_rate") { x in
                x > 0 && x <= ExperimentSpec.maximumTiltRate ? nil
                    : "\(JSONValue.format(x)) is outside (0, \(Int(ExperimentSpec.maximumTiltRate))]; tilt_rate is the rate λ of the tilted boundary-angle law, in 1/radian"
            }
        }

        let expect = optional(f, "expect", default: [:]) { self.expectations($0, $1) }

        guard let name, let description, let d, let geometry, let n, let teacher, let students,
              let solver, let blockSize, let stopping, let confidence, let seed, let memoryCap,
              let sampler, let expect, let estimator, let limitTerm, let limitSamples, let tiltRate, let sweep else { return nil }
        var spec = ExperimentSpec(name: name, description: description, geometry: geometry, d: d, n: n,
                                  teacher: teacher, students: students, solver: solver,
                                  stopping: stopping, blockSize: blockSize, confidence: confidence,
                                  seed: seed, memoryCapMB: memoryCap, sampler: sampler)
        spec.expect = expect
        spec.estimator = estimator
        spec.limitSamples = limitSamples
        spec.limitTerm = limitTerm
        if f.values["limit_term"] != nil, estimator != .controlVariate {
            report(p.appending("limit_term"), "limit_term applies only to \"estimator\": \"control-variate\"; remove it or set the estimator")
            return nil
        }
        spec.tiltRate = tiltRate
        if f.values["tilt_rate"] != nil, estimator != .importance {
            report(p.appending("tilt_rate"), "tilt_rate applies only to \"estimator\": \"importance\"; remove it or set the estimator")
            return nil
        }
        if f.values["limit_samples"] != nil, estimator != .controlVariate {
            report(p.appending("limit_samples"), "limit_samples applies only to \"estimator\": \"control-variate\"; remove it or set the estimator")
            return nil
        }
        if f.values["limit_samples"] != nil, limitTerm != .sampled {
            report(p.appending("limit_samples"), "limit_samples applies only to \"limit_term\": \"sampled\" (the default limit term is the quadrature, which draws no samples); remove it or set \"limit_term\": \"sampled\"")
            return nil
        }
        if let sweep {
            spec.sweep = sweep
            return checkSweep(sweep, of: spec, p) ? spec : nil
        }
        return crossCheck(spec, p, fieldsValid: problems.count == start) ? spec : nil
    }

    /// Checks that involve several fields; true when all hold. The data files are read only
    /// when every field is valid (a path already reported is not read again).
    func crossCheck(_ e: ExperimentSpec, _ p: JSONPath, fieldsValid: Bool) -> Bool {
        let before = problems.count
        if e.sampler == .gram {
            for reason in e.gramSamplerObstacles {
                report(p.appending("sampler"), reason + "; use \"ambient\" or \"auto\"")
            }
        }
        if e.estimator == .controlVariate {
            for reason in e.controlVariateObstacles {
                report(p.appending("estimator"), reason + "; use \"plain\"")
            }
        }
        if e.estimator == .importance {
            for reason in e.importanceObstacles {
                report(p.appending("estimator"), reason + "; use \"plain\"")
            }
        }
        if e.solver.kind == .closed {
            for (i, student) in e.students.enumerated() {
                if case .deepLinear(_, _, .random) = student {
                    report(p.appending("students").appending(i),
                           "a deep-linear student from a random initialization has no closed-form limit (its off-span part is rescaled by the dynamics, docs/THEORY.md §2); use solver \"flow\" or \"gd\"")
                }
            }
        }
        if case .dataset(let data) = e.geometry, let rows = dataRows(data.file) {
            let available = rows - Int((Double(rows) * data.holdout).rounded())
            if e.n.maximum > available {
                report(p.appending("n"), "the largest n, \(e.n.maximum), exceeds the \(available) training rows of \(data.file) (\(rows) rows, holdout \(JSONValue.format(data.holdout))); transfer sets are drawn without replacement, so keep n ≤ \(available) or lower the holdout")
            }
        }
        if case .dataset = e.geometry, case .vector = e.teacher.direction {
            report(p.appending("teacher").appending("direction"),
                   "the dataset geometry has its own teacher (geometry.teacher: \"fit\" or a file); remove teacher.direction")
        }
        if case .sequential(let rule) = e.stopping, rule.minTrials < e.blockSize {
            report(p.appending("stopping").appending("min_trials"),
                   "\(rule.minTrials) is less than block_size \(e.blockSize); the stopping rule is checked at block boundaries, so raise min_trials to at least \(e.blockSize)")
        }
        if fieldsValid, problems.count == before, let baseDirectory {
            checkDataFiles(e, p, baseDirectory: baseDirectory)
        }
        if let memory {
            let estimate = e.memoryEstimate
            let capBytes = e.memoryCapMB.map { $0 * 1_048_576 } ?? memory.capBytes
            if estimate.bytes > capBytes {
                let capText = e.memoryCapMB != nil
                    ? "the cap \(MemoryEstimate.format(capBytes)) set by memory_cap_mb"
                    : "the cap \(MemoryEstimate.format(capBytes)) (half of \(MemoryEstimate.format(memory.physicalBytes)) physical memory over \(memory.ranksOnNode) rank\(memory.ranksOnNode == 1 ? "" : "s") on this node)"
                report(p, "estimated peak memory per rank \(MemoryEstimate.format(estimate.bytes)) (\(estimate.breakdown)) exceeds \(capText); reduce d or the largest n, use the gram sampler where the geometry allows, or raise memory_cap_mb")
            }
        }
        return problems.count == before
    }

    /// Reads the data files as the run will, so that a bad cell, a wrong count or an unusable
    /// teacher is a problem of the file (exit 2) rather than a failure after MPI has started.
    private func checkDataFiles(_ e: ExperimentSpec, _ p: JSONPath, baseDirectory: URL) {
        for (i, student) in e.students.enumerated() {
            guard case .linear(.given(let file)) = student else { continue }
            do {
                _ = try DistillationTrial.readVector(file, baseDirectory: baseDirectory, count: e.d)
            } catch {
                report(p.appending("students").appending(i).appending("init").appending("file"), "\(error)")
            }
        }
        guard case .dataset(let data) = e.geometry else { return }
        if case .file(let teacher) = data.teacher {
            do {
                _ = try DistillationTrial.readVector(teacher, baseDirectory: baseDirectory, count: e.d)
            } catch {
                report(p.appending("geometry").appending("teacher").appending("file"), "\(error)")
                return
            }
        }
        do {
            _ = try ExperimentGeometry(spec: e, baseDirectory: baseDirectory)
        } catch {
            report(p.appending("geometry").appending("file"), "\(error)")
        }
    }

    /// Data rows (lines after the header) of a file that exists; nil when it cannot be read.
    private func dataRows(_ path: String) -> Int? {
        guard let baseDirectory else { return nil }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
        guard let data = try? Files.readRegular(url.path) else { return nil }
        let lines = data.split(separator: UInt8(ascii: "\n"))
            .filter { !$0.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") } }
        return max(0, lines.count - 1)
    }

    func seed(_ v: JSONValue, _ p: JSONPath) -> UInt64? {
        switch v {
        case .integer(let i) where i >= 0:
            return UInt64(i)
        case .number(let x) where x >= 0 && x == x.rounded() && x <= 9_007_199_254_740_992:
            return UInt64(x)
        default:
            report(p, "expected a non-negative integer seed (at most 9223372036854775807), found \(v.kindDescription) \(v.shortText)")
            return nil
        }
    }

    // MARK: n grid

    func nGrid(_ v: JSONValue, _ p: JSONPath) -> NGrid? {
        switch v {
        case .array(let items):
            guard !items.isEmpty else {
                report(p, "the n grid is an empty list; give at least one transfer-set size, e.g. [1, 2, 5, 10]")
                return nil
            }
            guard bounded(items, p, name: "the n grid", limit: ExperimentLimits.gridPoints) else { return nil }
            // Every element is checked, and each readable one against the last readable one.
            var values: [Int] = []
            var ok = true
            for (i, item) in items.enumerated() {
                guard let value = integer(item, p.appending(i), name: "each n", min: 1) else { ok = false; continue }
                if let previous = values.last, value <= previous {
                    report(p.appending(i), "\(value) is not greater than the previous value \(previous); the n grid must be strictly increasing")
                    ok = false
                }
                values.append(value)
            }
            return ok ? .values(values) : nil
        case .object:
            guard let f = object(v, p, what: "an n grid generator") else { return nil }
            expectOnly(f, ["from", "to", "count", "spacing"], in: "an n grid generator")
            let from = required(f, "from", hint: "give the smallest n, e.g. \"from\": 1") { integer($0, $1, name: "from", min: 1) }
            let to = required(f, "to", hint: "give the largest n, e.g. \"to\": 100") { integer($0, $1, name: "to", min: 1) }
            let count = required(f, "count", hint: "give the number of grid points, e.g. \"count\": 10") { integer($0, $1, name: "count", min: 2, limit: ExperimentLimits.gridPoints) }
            let spacing = optional(f, "spacing", default: NGrid.Spacing.log) {
                choice($0, $1, name: "spacing", as: NGrid.Spacing.self)
            }
            guard let from, let to, let count, let spacing else { return nil }
            guard to > from else {
                report(p.appending("to"), "\(to) is not greater than from (\(from)); the n grid must be strictly increasing")
                return nil
            }
            return .generated(from: from, to: to, count: count, spacing: spacing)
        default:
            report(p, "expected the n grid as a list of increasing positive integers or an object {\"from\", \"to\", \"count\", \"spacing\"}, found \(v.kindDescription) \(v.shortText)")
            return nil
        }
    }

    /// `"expect": {"M3": "fails"}`: claim names → expected status.
    func expectations(_ v: JSONValue, _ p: JSONPath) -> [String: VerdictStatus]? {
        guard let f = object(v, p, what: "the expected verdicts (claim → \"holds\", \"fails\" or \"inconclusive\")") else { return nil }
        var out: [String: VerdictStatus] = [:]
        var ok = true
        for key in f.values.keys.sorted() {
            guard ExperimentSpec.claims.contains(key) || SweepSpec.claims.contains(key) else {
                report(p.appending(key), "unknown claim \"\(key)\"; known claims: \(ExperimentSpec.claims.joined(separator: ", ")), and along a sweep C1-vs-d, C2-vs-d, C2-vs-kappa, …")
                ok = false
                continue
            }
            if let outcome = choice(f.values[key]!, p.appending(key), name: "expected status", as: VerdictStatus.self) {
                out[key] = outcome
            } else {
                ok = false
            }
        }
        return ok ? out : nil
    }

    // MARK: Teacher

    func teacher(_ v: JSONValue, _ p: JSONPath, d: Int?) -> TeacherSpec? {
        guard let f = object(v, p, what: "a teacher") else { return nil }
        expectOnly(f, ["norm", "temperature", "direction"], in: "the teacher")
        let norm = optional(f, "norm", default: 1.0) { positiveReal($0, $1, name: "the teacher norm") }
        let temperature = optional(f, "temperature", default: 1.0) { positiveReal($0, $1, name: "the temperature") }
        let direction = optional(f, "direction", default: TeacherSpec.Direction.axis) {
            self.teacherDirection($0, $1, d: d)
        }
        guard let norm, let temperature, let direction else { return nil }
        // The logits are w*ᵀx/T; beyond this their squares overflow a double.
        let effective = norm / temperature
        guard effective.isFinite, effective <= TeacherSpec.maximumEffectiveNorm else {
            report(p, "the teacher norm over the temperature, \(JSONValue.format(effective)), is beyond \(JSONValue.format(TeacherSpec.maximumEffectiveNorm)); the logits w*ᵀx/T would overflow, so lower the norm or raise the temperature")
            return nil
        }
        return TeacherSpec(norm: norm, temperature: temperature, direction: direction)
    }

    /// "axis", "random", or a list of d numbers, not all 0.
    func teacherDirection(_ v: JSONValue, _ p: JSONPath, d: Int?) -> TeacherSpec.Direction? {
        if case .array = v {
            guard let values = list(v, p, name: "the teacher direction", { real($0, $1, name: "a teacher direction entry") { x in
                x.isFinite ? nil : "\(JSONValue.format(x)) is not finite; give finite numbers"
            } }) else { return nil }
            if let d, values.count != d {
                report(p, "the teacher direction has \(values.count) numbers; give d = \(d) of them")
                return nil
            }
            guard values.contains(where: { $0 != 0 }) else {
                report(p, "all entries are 0; the teacher direction must be a non-zero vector")
                return nil
            }
            return .vector(values)
        }
        guard case .string(let s) = v, let named = TeacherSpec.Direction.names.firstIndex(of: s) else {
            report(p, "expected the teacher direction as \(TeacherSpec.Direction.names.map { "\"\($0)\"" }.joined(separator: ", ")) or a list of d numbers, found \(v.kindDescription) \(v.shortText)")
            return nil
        }
        return named == 0 ? .axis : .random
    }

    // MARK: Solver and stopping

    func solver(_ v: JSONValue, _ p: JSONPath) -> SolverSpec? {
        let kinds = SolverSpec.Kind.allCases.map(\.rawValue)
        guard let (kindText, f) = tagged(v, p, what: "solver", plural: "solvers", kinds: kinds),
              let kind = SolverSpec.Kind(rawValue: kindText) else { return nil }
        expectOnly(f, ["kind", "tolerance", "fit_tolerance", "integration_tolerance", "time_limit", "max_steps", "step",
                       "integrator", "limit_tolerance"],
                   in: "the solver")
        let tolerance = optional(f, "tolerance", default: SolverSpec.defaultTolerance) {
            positiveReal($0, $1, name: "tolerance")
        }
        let fitTolerance = optional(f, "fit_tolerance", default: SolverSpec.defaultFitTolerance) {
            positiveReal($0, $1, name: "fit_tolerance")
        }
        let integrationTolerance = optional(f, "integration_tolerance", default: SolverSpec.defaultIntegrationTolerance) { v, p in
            real(v, p, name: "integration_tolerance") { x in
                x > 0 && x < 1 ? nil : "\(JSONValue.format(x)) is outside (0, 1); integration_tolerance is a relative error such as 1e-10"
            }
        }
        let timeLimit = optional(f, "time_limit", default: nil as Double?) {
            positiveReal($0, $1, name: "time_limit (a flow time)")
        }
        let maxSteps = optional(f, "max_steps", default: SolverSpec.defaultMaxSteps) {
            integer($0, $1, name: "max_steps", min: 1)
        }
        let step = optional(f, "step", default: nil as Double?) { v, p -> Double?? in
            guard kind == .gd else {
                report(p, "step is the learning rate of solver gd only; remove it (the \(kind.rawValue) solver chooses its own steps)")
                return nil
            }
            return positiveReal(v, p, name: "step")
        }
        let integrator = optional(f, "integrator", default: SolverSpec.Integrator.rosenbrock) { v, p -> SolverSpec.Integrator? in
            guard kind == .flow else {
                report(p, "integrator applies to solver flow only; remove it (the \(kind.rawValue) solver does not integrate a flow)")
                return nil
            }
            return choice(v, p, name: "integrator", as: SolverSpec.Integrator.self)
        }
        let limitTolerance = optional(f, "limit_tolerance", default: SolverSpec.defaultLimitTolerance) { v, p -> Double? in
            guard kind == .flow else {
                report(p, "limit_tolerance applies to solver flow only; remove it (the \(kind.rawValue) solver does not integrate a flow)")
                return nil
            }
            return real(v, p, name: "limit_tolerance") { x in
                x > 0 && x < 1 ? nil : "\(JSONValue.format(x)) is outside (0, 1); limit_tolerance is a relative error such as 1e-4"
            }
        }
        guard let tolerance, let fitTolerance, let integrationTolerance, let timeLimit, let maxSteps, let step,
              let integrator, let limitTolerance else {
            return nil
        }
        return SolverSpec(kind: kind, tolerance: tolerance, fitTolerance: fitTolerance,
                          integrationTolerance: integrationTolerance, timeLimit: timeLimit,
                          maxSteps: maxSteps, step: step, integrator: integrator, limitTolerance: limitTolerance)
    }

    func stopping(_ v: JSONValue, _ p: JSONPath) -> StoppingSpec? {
        guard let f = object(v, p, what: "a stopping rule") else { return nil }
        expectOnly(f, ["trials", "target_ci", "min_trials", "max_trials", "wall_time"], in: "the stopping rule")
        switch (f.has("trials"), f.has("target_ci")) {
        case (true, true):
            report(p, "give either \"trials\" (a fixed count) or \"target_ci\" (sequential stopping), not both")
            return nil
        case (false, false):
            report(p, "missing \"trials\" or \"target_ci\"; write e.g. {\"trials\": 1000} or {\"target_ci\": {\"absolute\": 0.005}}")
            return nil
        case (true, false):
            for key in ["min_trials", "max_trials", "wall_time"] where f.has(key) {
                report(p.appending(key), "\(key) applies only to sequential stopping; remove it or replace \"trials\" by \"target_ci\"")
            }
            return required(f, "trials", hint: "") { integer($0, $1, name: "trials", min: 1, limit: ExperimentLimits.trials) }
                .map { .fixed(trials: $0) }
        case (false, true):
            let target = required(f, "target_ci", hint: "") { ciTarget($0, $1) }
            let minTrials = optional(f, "min_trials", default: StoppingSpec.Sequential.defaultMinTrials) {
                integer($0, $1, name: "min_trials", min: 2, limit: ExperimentLimits.trials)
            }
            let maxTrials = optional(f, "max_trials", default: StoppingSpec.Sequential.defaultMaxTrials) {
                integer($0, $1, name: "max_trials", min: 2, limit: ExperimentLimits.trials)
            }
            let wallTime = optional(f, "wall_time", default: nil as Double?) {
                positiveReal($0, $1, name: "wall_time (seconds)")
            }
            guard let target, let minTrials, let maxTrials, let wallTime else { return nil }
            guard maxTrials >= minTrials else {
                report(p.appending("max_trials"), "\(maxTrials) is less than min_trials (\(minTrials)); raise max_trials or lower min_trials")
                return nil
            }
            return .sequential(StoppingSpec.Sequential(target: target, minTrials: minTrials,
                                                  maxTrials: maxTrials, wallTime: wallTime))
        }
    }

    func ciTarget(_ v: JSONValue, _ p: JSONPath) -> StoppingSpec.Target? {
        guard let f = object(v, p, what: "a CI target such as {\"absolute\": 0.005} or {\"relative\": 0.05}"),
              f.values.count == 1, let key = f.values.keys.first, key == "absolute" || key == "relative" else {
            if case .object = v {
                report(p, "expected exactly one of \"absolute\" (a half-width in risk units) or \"relative\" (a fraction of the mean), e.g. {\"absolute\": 0.005}")
            }
            return nil
        }
        let x = real(f.values[key]!, p.appending(key), name: "the \(key) CI half-width") { x in
            x > 0 && x < 1 ? nil : "\(JSONValue.format(x)) is outside (0, 1); the \(key) half-width must be a small positive number such as 0.005"
        }
        guard let x else { return nil }
        return key == "absolute" ? .absolute(x) : .relative(x)
    }
}
