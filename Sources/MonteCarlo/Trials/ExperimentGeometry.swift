public import Distillation
import Foundation

/// The geometry and teacher of an experiment, built once from its file, with the fastest risk
/// evaluator that applies: an exact function of the angle γ for the axially symmetric
/// geometries (THEORY.md §3), the geometry's own evaluator from the student's weights otherwise.
public struct ExperimentGeometry: Sendable {
    public let geometry: any Geometry
    public let teacher: Teacher
    /// R as a function of γ = ∠(w, w*), where the geometry allows it.
    public let riskOfAngle: (@Sendable (Double) -> Double)?
    /// The exact E[R_n] of a zero-initialised linear student (isotropic Gaussian only).
    public let exactExpectation: (@Sendable (Int) -> Double)?

    public init(spec: ExperimentSpec, baseDirectory: URL?) throws {
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
        }
        let weights = direction.map { $0 * norm }
        switch spec.geometry {
        case .gaussian:
            let g = try GaussianGeometry(dimension: d, teacher: weights)
            geometry = g
            riskOfAngle = { $0 / .pi }
            exactExpectation = { GaussianExpectation.expectedRisk(count: $0, dimension: d) }
        case .polyTail(let kappa, let radius):
            let g = try PolyTailGeometry(dimension: d, kappa: kappa, radial: Self.radial(radius), teacher: weights)
            geometry = g
            riskOfAngle = { g.risk(angle: $0) }
            exactExpectation = nil
        case .margin(let theta0, let radius):
            let g = try MarginGeometry(dimension: d, margin: theta0, radial: Self.radial(radius), teacher: weights)
            geometry = g
            riskOfAngle = { g.risk(angle: $0) }
            exactExpectation = nil
        case .anisotropic, .mixture, .dataset:
            throw TrialSetupError.unsupported(
                "geometry '\(spec.geometry.kind)' of experiment '\(spec.name)' cannot be simulated by this build yet; use gaussian, poly-tail or margin")
        }
        teacher = try Teacher(weights: geometry.teacher)
    }

    static func radial(_ law: GeometrySpec.RadialLaw) -> RadialLaw {
        switch law {
        case .unit: .unit
        case .chi: .chi
        }
    }
}

/// An experiment that validated but cannot be set up (a file that cannot be read, a
/// combination this build does not simulate).
public enum TrialSetupError: Error, CustomStringConvertible, Equatable {
    case unsupported(String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unsupported(let message): message
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
