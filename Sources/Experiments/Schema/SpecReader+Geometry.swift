import Foundation
internal import SystemIO

extension SpecReader {
    func geometry(_ v: JSONValue, _ p: JSONPath, d: Int?) -> GeometrySpec? {
        guard let (kind, f) = tagged(v, p, what: "geometry", plural: "geometries", kinds: GeometrySpec.kinds) else {
            return nil
        }
        switch kind {
        case "gaussian":
            expectOnly(f, ["kind"], in: "a gaussian geometry")
            return .gaussian
        case "anisotropic":
            return anisotropic(f, d: d)
        case "poly-tail":
            expectOnly(f, ["kind", "kappa", "radius"], in: "a poly-tail geometry")
            let kappa = required(f, "kappa", hint: "give the tail exponent, e.g. \"kappa\": 1") { v, p in
                real(v, p, name: "kappa") { x in
                    x > 0 ? nil : "kappa must be > 0 (p(θ) = (2θ/π)^kappa), got \(JSONValue.format(x)); use e.g. 1, 2 or 4"
                }
            }
            let radius = optional(f, "radius", default: GeometrySpec.RadialLaw.chi) { choice($0, $1, name: "radial law", as: GeometrySpec.RadialLaw.self) }
            guard let kappa, let radius else { return nil }
            return .polyTail(kappa: kappa, radius: radius)
        case "margin":
            let degreeHint = "theta0 is given in radians only; write \"theta0\": <degrees × π/180>, e.g. 0.2"
            expectOnly(f, ["kind", "theta0", "radius"], in: "a margin geometry",
                       hints: ["theta0_degrees": degreeHint, "theta0_deg": degreeHint, "degrees": degreeHint])
            let theta0 = required(f, "theta0", hint: "give the angular margin in radians, e.g. \"theta0\": 0.2") { v, p in
                real(v, p, name: "theta0") { x in
                    x > 0 && x < Double.pi / 2 ? nil
                        : "\(JSONValue.format(x)) is outside (0, π/2); theta0 is the angular margin in radians, e.g. 0.2"
                }
            }
            let radius = optional(f, "radius", default: GeometrySpec.RadialLaw.chi) { choice($0, $1, name: "radial law", as: GeometrySpec.RadialLaw.self) }
            guard let theta0, let radius else { return nil }
            return .margin(theta0: theta0, radius: radius)
        case "mixture":
            return mixture(f, d: d)
        default:
            return dataset(f, d: d)
        }
    }

    private func anisotropic(_ f: Fields, d: Int?) -> GeometrySpec? {
        expectOnly(f, ["kind", "alpha", "spectrum", "teacher_direction"], in: "an anisotropic geometry")
        var spectrum: GeometrySpec.Spectrum?
        switch (f.value("alpha"), f.value("spectrum")) {
        case (.some, .some):
            report(f.path, "give either \"alpha\" (eigenvalues j^-alpha) or \"spectrum\" (a list of d eigenvalues), not both")
        case (.none, .none):
            report(f.path, "missing \"alpha\" or \"spectrum\"; write e.g. \"alpha\": 1 for eigenvalues j^-1")
        case (.some(let a), .none):
            spectrum = real(a, f.path.appending("alpha"), name: "alpha") { x in
                x >= 0 ? nil : "\(JSONValue.format(x)) is negative; alpha must be ≥ 0 (0 is the isotropic case)"
            }.map { .powerLaw(alpha: $0) }
        case (.none, .some(let s)):
            let path = f.path.appending("spectrum")
            if let values = list(s, path, name: "the spectrum", { positiveReal($0, $1, name: "each eigenvalue") }) {
                if let d, values.count != d {
                    report(path, "the spectrum lists \(values.count) eigenvalues but d is \(d); give exactly d values")
                } else {
                    spectrum = .values(values)
                }
            }
        }
        let direction = optional(f, "teacher_direction", default: GeometrySpec.EigenDirection.eigenvector(index: 1)) {
            eigenDirection($0, $1, d: d)
        }
        guard let spectrum, let direction else { return nil }
        return .anisotropic(spectrum: spectrum, teacherDirection: direction)
    }

    private func eigenDirection(_ v: JSONValue, _ p: JSONPath, d: Int?) -> GeometrySpec.EigenDirection? {
        guard let (kind, f) = tagged(v, p, what: "teacher direction", plural: "directions", kinds: GeometrySpec.EigenDirection.kinds) else {
            return nil
        }
        switch kind {
        case "uniform":
            expectOnly(f, ["kind"], in: "a uniform teacher direction")
            return .uniform
        case "eigenvector":
            expectOnly(f, ["kind", "index"], in: "an eigenvector teacher direction")
            guard let index = required(f, "index", hint: "give the eigenvector, e.g. \"index\": 1 (1 = the first)", {
                integer($0, $1, name: "index", min: 1)
            }) else { return nil }
            if let d, index > d {
                report(p.appending("index"), "\(index) is greater than d (\(d)); eigenvectors are numbered 1 to d")
                return nil
            }
            return .eigenvector(index: index)
        default:
            expectOnly(f, ["kind", "values"], in: "a teacher direction given by coefficients")
            guard let values = required(f, "values", hint: "list the d coefficients in the eigenbasis", { v, p in
                list(v, p, name: "the coefficients") { real($0, $1, name: "each coefficient") }
            }) else { return nil }
            if let d, values.count != d {
                report(p.appending("values"), "lists \(values.count) coefficients but d is \(d); give exactly d values")
                return nil
            }
            if values.allSatisfy({ $0 == 0 }) {
                report(p.appending("values"), "all coefficients are 0; the teacher direction must be a non-zero vector")
                return nil
            }
            return .coefficients(values)
        }
    }

    private func mixture(_ f: Fields, d: Int?) -> GeometrySpec? {
        expectOnly(f, ["kind", "weights", "means", "stds"], in: "a mixture geometry")
        let weights = required(f, "weights", hint: "give the component weights, e.g. \"weights\": [0.5, 0.5]") { v, p in
            list(v, p, name: "the weights", limit: ExperimentLimits.mixtureComponents) { positiveReal($0, $1, name: "each weight") }
        }
        let means = required(f, "means", hint: "give one mean per component, e.g. \"means\": [[2], [-2]] (missing coordinates are 0)") { v, p in
            list(v, p, name: "the means", limit: ExperimentLimits.mixtureComponents) { v, p -> [Double]? in
                guard let mean = list(v, p, name: "a mean", { real($0, $1, name: "each coordinate") }) else { return nil }
                if let d, mean.count > d {
                    report(p, "the mean has \(mean.count) coordinates but d is \(d); give at most d (missing ones are 0)")
                    return nil
                }
                return mean
            }
        }
        let stds = required(f, "stds", hint: "give one standard deviation per component, e.g. \"stds\": [1, 1]") { v, p in
            list(v, p, name: "the stds", limit: ExperimentLimits.mixtureComponents) { positiveReal($0, $1, name: "each standard deviation") }
        }
        guard let weights, let means, let stds else { return nil }
        var ok = true
        if means.count != weights.count {
            report(f.path.appending("means"), "lists \(means.count) means for \(weights.count) weights; give one mean per component")
            ok = false
        }
        if stds.count != weights.count {
            report(f.path.appending("stds"), "lists \(stds.count) standard deviations for \(weights.count) weights; give one per component")
            ok = false
        }
        let total = weights.reduce(0, +)
        if abs(total - 1) > 1e-6 {
            report(f.path.appending("weights"), "the weights sum to \(JSONValue.format(total)), not 1; rescale them so they sum to 1")
            ok = false
        }
        return ok ? .mixture(GeometrySpec.Mixture(weights: weights, means: means, stds: stds)) : nil
    }

    private func dataset(_ f: Fields, d: Int?) -> GeometrySpec? {
        expectOnly(f, ["kind", "file", "label_column", "teacher", "holdout"], in: "a dataset geometry")
        let file = required(f, "file", hint: "give the CSV file, e.g. \"file\": \"../data/digits01.csv\"") {
            string($0, $1, name: "the data file")
        }
        let label = required(f, "label_column", hint: "name the label column, e.g. \"label_column\": \"label\"") { v, p -> GeometrySpec.LabelColumn? in
            switch v {
            case .string: return string(v, p, name: "the label column").map { .name($0) }
            default: return integer(v, p, name: "the label column index (0-based)", min: 0).map { .index($0) }
            }
        }
        let teacher = optional(f, "teacher", default: GeometrySpec.DatasetTeacher.fit) { v, p -> GeometrySpec.DatasetTeacher? in
            if case .string("fit") = v { return .fit }
            if case .object(let members) = v, members.count == 1, case .string(let path)? = members["file"] {
                _ = existingFile(path, p.appending("file"))
                return .file(path)
            }
            report(p, "expected \"fit\" (logistic regression on the training rows) or {\"file\": \"teacher.csv\"}, found \(v.kindDescription) \(v.shortText)")
            return nil
        }
        let holdout = optional(f, "holdout", default: GeometrySpec.Dataset.defaultHoldout) { v, p in
            real(v, p, name: "holdout") { x in
                x > 0 && x < 1 ? nil : "\(JSONValue.format(x)) is outside (0, 1); holdout is the fraction of rows kept to measure the risk, e.g. 0.3"
            }
        }
        guard let file, let label, let teacher, let holdout else { return nil }
        if let url = existingFile(file, f.path.appending("file")),
           !checkHeader(url, label: label, d: d, f.path) {
            return nil
        }
        return .dataset(GeometrySpec.Dataset(file: file, labelColumn: label, teacher: teacher, holdout: holdout))
    }

    /// Resolves a path against the experiment file's folder and reports it when missing or
    /// not a regular file (a FIFO would block the run, a device would never end).
    func existingFile(_ path: String, _ p: JSONPath) -> URL? {
        guard let baseDirectory else { return nil }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
                                      : baseDirectory.appendingPathComponent(path).standardizedFileURL
        do {
            switch try Files.kind(url.path) {
            case .regular:
                return url
            case .missing:
                report(p, "file not found: \(url.path) (relative paths start at the experiment file's folder); fix the path or create the file")
            case let kind:
                report(p, "\(url.path) is \(kind.phrase), not a regular file; give the path of a CSV file")
            }
        } catch {
            report(p, "cannot use \(url.path): \(error.reason); check the path and its permissions")
        }
        return nil
    }

    /// The CSV header must hold the label column and d feature columns.
    private func checkHeader(_ url: URL, label: GeometrySpec.LabelColumn, d: Int?, _ p: JSONPath) -> Bool {
        let head: Data
        do {
            head = Data(try Files.readRegular(url.path).prefix(1 << 16))
        } catch {
            report(p.appending("file"), "\(error); check the file and its permissions")
            return false
        }
        guard let text = String(data: head, encoding: .utf8),
              // isNewline: "\r\n" is one Character, so a CRLF file does not split on "\n".
              let line = text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first else {
            report(p.appending("file"), "\(url.path) does not start with a UTF-8 header line; write the column names on the first line")
            return false
        }
        let columns = line.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
        switch label {
        case .name(let name) where !columns.contains(name):
            report(p.appending("label_column"), "\"\(name)\" is not a column of \(url.lastPathComponent); its columns include \(columns.prefix(8).joined(separator: ", "))\(columns.count > 8 ? ", …" : "")")
            return false
        case .index(let i) where i >= columns.count:
            report(p.appending("label_column"), "\(i) is past the last column of \(url.lastPathComponent) (it has \(columns.count), numbered from 0)")
            return false
        default:
            break
        }
        if let d, d != columns.count - 1 {
            report(p, "d is \(d) but \(url.lastPathComponent) has \(columns.count - 1) feature columns besides the label; set d to \(columns.count - 1)")
            return false
        }
        return true
    }

    // MARK: Students

    func student(_ v: JSONValue, _ p: JSONPath, d: Int?) -> StudentSpec? {
        guard let (kind, f) = tagged(v, p, what: "student", plural: "students", kinds: StudentSpec.kinds) else {
            return nil
        }
        switch kind {
        case "linear":
            expectOnly(f, ["kind", "init"], in: "a linear student")
            return optional(f, "init", default: StudentSpec.LinearInit.zero) { linearInit($0, $1) }.map { .linear(init: $0) }
        case "deep-linear":
            expectOnly(f, ["kind", "depth", "widths", "init"], in: "a deep-linear student")
            let depth = required(f, "depth", hint: "give the number of layers, e.g. \"depth\": 2") { v, p -> Int? in
                guard let depth = integer(v, p, name: "depth", min: 1, limit: ExperimentLimits.depth) else { return nil }
                if depth < 2 {
                    report(p, "1 layer is a linear student; use {\"kind\": \"linear\"} or a depth ≥ 2")
                    return nil
                }
                return depth
            }
            let widths = optional(f, "widths", default: nil as [Int]?) { v, p in
                list(v, p, name: "the widths", limit: ExperimentLimits.depth) { integer($0, $1, name: "each width", min: 1) }
            }
            let initial = optional(f, "init", default: StudentSpec.DeepInit.balanced(scale: StudentSpec.DeepInit.defaultScale)) { deepInit($0, $1) }
            guard let depth, let widths, let initial else { return nil }
            if let given = widths, given.count != depth - 1 {
                report(f.path.appending("widths"), "lists \(given.count) widths for depth \(depth); give depth − 1 = \(depth - 1) hidden widths")
                return nil
            }
            guard let hidden = widths ?? d.map({ Array(repeating: $0, count: depth - 1) }) else { return nil }
            return .deepLinear(depth: depth, widths: hidden, init: initial)
        case "hard-label":
            expectOnly(f, ["kind"], in: "a hard-label student")
            return .hardLabel
        default:
            expectOnly(f, ["kind", "deltas"], in: "a w-delta student")
            return optional(f, "deltas", default: StudentSpec.defaultDeltas) { v, p in
                list(v, p, name: "the deltas", limit: ExperimentLimits.deltas) { v, p in
                    real(v, p, name: "delta") { x in
                        x >= 0 && x <= 90 ? nil : "\(JSONValue.format(x))° is outside [0, 90]; deltas are angles in degrees from the flow's limit"
                    }
                }
            }.map { .wDelta(deltasDegrees: $0) }
        }
    }

    private func linearInit(_ v: JSONValue, _ p: JSONPath) -> StudentSpec.LinearInit? {
        guard let (kind, f) = tagged(v, p, what: "initialization", plural: "initializations", kinds: StudentSpec.LinearInit.kinds) else {
            return nil
        }
        switch kind {
        case "zero":
            expectOnly(f, ["kind"], in: "a zero initialization")
            return .zero
        case "random":
            expectOnly(f, ["kind", "scale"], in: "a random initialization")
            return optional(f, "scale", default: StudentSpec.LinearInit.defaultScale) { positiveReal($0, $1, name: "scale") }
                .map { .random(scale: $0) }
        default:
            expectOnly(f, ["kind", "file"], in: "a given initialization")
            guard let file = required(f, "file", hint: "give the file of d numbers, e.g. \"file\": \"w0.csv\"", {
                string($0, $1, name: "the initialization file")
            }) else { return nil }
            _ = existingFile(file, f.path.appending("file"))
            return .given(file: file)
        }
    }

    private func deepInit(_ v: JSONValue, _ p: JSONPath) -> StudentSpec.DeepInit? {
        guard let (kind, f) = tagged(v, p, what: "initialization", plural: "initializations", kinds: StudentSpec.DeepInit.kinds) else {
            return nil
        }
        expectOnly(f, ["kind", "scale"], in: "a \(kind) initialization")
        guard let scale = optional(f, "scale", default: StudentSpec.DeepInit.defaultScale, { positiveReal($0, $1, name: "scale") }) else {
            return nil
        }
        return kind == "balanced" ? .balanced(scale: scale) : .random(scale: scale)
    }
}
