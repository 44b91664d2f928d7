package import Distillation
import Foundation
internal import SystemIO
import Numerics

/// The geometry and teacher of an experiment, built once from its file, with the fastest risk
/// evaluator that applies: an exact function of the angle γ for the axially symmetric
/// geometries (docs/THEORY.md §3; a cached table of the quadrature, ``AxialRiskTable``), the
/// geometry's own evaluator from the student's weights otherwise.
package struct ExperimentGeometry: Sendable {
    package let geometry: any Geometry
    package let teacher: Teacher
    /// R as a function of γ = ∠(w, w*), where the geometry allows it.
    package let riskOfAngle: (@Sendable (Double) -> Double)?
    /// R and ln R as functions of γ, ln R accurate below the doubles' range (the importance
    /// estimator's weighted risks); nil where `riskOfAngle` is nil.
    package let riskAndLogOfAngle: (@Sendable (Double) -> (risk: Double, logRisk: Double))?
    /// The exact E[R_n] of a zero-initialised linear student (isotropic Gaussian only).
    package let exactExpectation: (@Sendable (Int) -> Double)?

    package init(spec: ExperimentSpec, baseDirectory: URL?) throws {
        let d = spec.d
        let norm = spec.teacher.norm / spec.teacher.temperature
        var direction = [Double](repeating: 0, count: d)
        switch spec.teacher.direction {
        case .axis:
            direction[0] = 1
        case .random:
            // One direction per experiment, from a stream no trial uses.
            var stream = RandomStream(seed: spec.seed, trial: .max, stream: .teacher)
            direction = stream.unitVector(dimension: d)
        case .vector(let values):
            let length = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            direction = values.map { $0 / length }
        }
        let weights = direction.map { $0 * norm }
        switch spec.geometry {
        case .gaussian:
            let g = try GaussianGeometry(dimension: d, teacher: weights)
            geometry = g
            riskOfAngle = { $0 / .pi }
            riskAndLogOfAngle = { ($0 / .pi, log($0 / .pi)) }
            exactExpectation = { GaussianExpectation.expectedRisk(count: $0, dimension: d) }
        case .polyTail(let kappa, let radius):
            let g = try PolyTailGeometry(dimension: d, kappa: kappa, radial: radius, teacher: weights)
            geometry = g
            let table = g.riskTable()
            riskOfAngle = { table.risk(angle: $0) }
            riskAndLogOfAngle = { table.riskAndLogarithm(angle: $0) }
            exactExpectation = nil
        case .margin(let theta0, let radius):
            let g = try MarginGeometry(dimension: d, margin: theta0, radial: radius, teacher: weights)
            geometry = g
            let table = g.riskTable()
            riskOfAngle = { table.risk(angle: $0) }
            riskAndLogOfAngle = { table.riskAndLogarithm(angle: $0) }
            exactExpectation = nil
        case .anisotropic(let spectrum, let teacherDirection):
            // Coordinates are the covariance eigenbasis; the teacher is given in it.
            var inBasis = [Double](repeating: 0, count: d)
            if case .vector = spec.teacher.direction {
                // An explicit teacher.direction is written in the same coordinates.
                inBasis = direction
            } else {
                switch teacherDirection {
                case .uniform:
                    var stream = RandomStream(seed: spec.seed, trial: .max, stream: .teacher)
                    inBasis = stream.unitVector(dimension: d)
                case .eigenvector(let index):
                    inBasis[index - 1] = 1
                case .coefficients(let values):
                    for (j, c) in values.enumerated() where j < d { inBasis[j] = c }
                }
            }
            let length = inBasis.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let teacherWeights = inBasis.map { $0 / length * norm }
            let distribution: AnisotropicGeometry.Spectrum
            switch spectrum {
            case .powerLaw(let alpha): distribution = .powerLaw(exponent: alpha)
            case .values(let values): distribution = .values(values)
            }
            geometry = try AnisotropicGeometry(dimension: d, spectrum: distribution, teacher: teacherWeights,
                                               referenceSeed: spec.seed)
            riskOfAngle = nil
            riskAndLogOfAngle = nil
            exactExpectation = nil
        case .mixture(let mixture):
            let components = mixture.weights.indices.map { i in
                var mean = [Double](repeating: 0, count: d)
                for (j, m) in mixture.means[i].enumerated() where j < d { mean[j] = m }
                return MixtureGeometry.Component(weight: mixture.weights[i], mean: .vector(mean),
                                                 standardDeviation: mixture.stds[i])
            }
            geometry = try MixtureGeometry(dimension: d, teacher: weights, components: components, seed: spec.seed)
            riskOfAngle = nil
            riskAndLogOfAngle = nil
            exactExpectation = nil
        case .dataset(let dataset):
            let path = Self.resolve(dataset.file, baseDirectory)
            let header = try Self.header(of: path)
            let labelIndex: Int
            switch dataset.labelColumn {
            case .index(let i): labelIndex = i
            case .name(let name):
                guard let i = header?.firstIndex(of: name) else {
                    throw TrialSetupError.unreadable(path: path, reason: "no column named '\(name)' in its header")
                }
                labelIndex = i
            }
            let source: DatasetGeometry.TeacherSource
            switch dataset.teacher {
            case .fit: source = .logisticRegression(ridge: Self.logisticRidge)
            case .file(let file): source = .file(Self.resolve(file, baseDirectory))
            }
            geometry = try DatasetGeometry(path: path, hasHeader: header != nil, labelColumn: labelIndex,
                                           teacher: source, heldOutFraction: dataset.holdout, seed: spec.seed)
            riskOfAngle = nil
            riskAndLogOfAngle = nil
            exactExpectation = nil
        }
        teacher = try Teacher(weights: geometry.teacher)
    }

    /// Ridge of the logistic-regression teacher fitted to a dataset (keeps separable data finite).
    static let logisticRidge = 1e-3

    static func resolve(_ file: String, _ baseDirectory: URL?) -> String {
        file.hasPrefix("/") ? file : (baseDirectory ?? URL(fileURLWithPath: ".")).appendingPathComponent(file).path
    }

    /// The first line's cells when it is a header (any cell not a number), else nil.
    static func header(of path: String) throws -> [String]? {
        let bytes: [UInt8]
        do { bytes = try Files.readRegular(path) } catch {
            throw TrialSetupError.unreadable(path: path, reason: "\(error)")
        }
        let chunk = String(decoding: bytes.prefix(1 << 16), as: UTF8.self)
        // isNewline: "\r\n" is one Character, so a CRLF file does not split on "\n".
        guard let first = chunk.split(maxSplits: 1, whereSeparator: \.isNewline).first else { return nil }
        let cells = first.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return cells.contains { Double($0) == nil } ? cells : nil
    }
}

/// An experiment that validated but cannot be set up (a file that cannot be read, a
/// combination this build does not simulate).
package enum TrialSetupError: Error, CustomStringConvertible, Equatable {
    case unsupported(String)
    case unreadable(path: String, reason: String)

    package var description: String {
        switch self {
        case .unsupported(let message): message
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
