#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra
import Numerics

/// Teacher-frame coordinates of n points: s_i = x_iᵀu and t_i = ‖(I − uuᵀ)x_i‖ ≥ 0.
public struct TeacherFrameSample: Sendable, Equatable {
    public var along: [Double]
    public var across: [Double]
}

/// A geometry x = s·u + t·v with v uniform on the unit sphere of u^⊥, independent of (s, t).
///
/// The Gram-space sampler (docs/THEORY.md §6) needs only the law of (s, t) and the Gram matrix of
/// the v_i, so (s, t) sampling is a requirement of its own; `sampleTransferSet` draws all the
/// (s, t) of the set first and then the directions, from the same stream, so both samplers see
/// the same (s, t) for the same stream.
public protocol AxiallySymmetricGeometry: Geometry {
    /// (s_i, t_i) for `count` points.
    func sampleTeacherFrame(count: Int, using stream: inout RandomStream) -> TeacherFrameSample
    /// Angles where p is not smooth (break points for the risk quadrature).
    var boundaryMassKinks: [Double] { get }
}

extension AxiallySymmetricGeometry {
    public var boundaryMassKinks: [Double] { [] }

    /// R(γ) by the one-dimensional quadrature of ``AxialRisk``.
    public func risk(angle gamma: Double) -> Double {
        AxialRisk.risk(angle: gamma, dimension: dimension, kinks: boundaryMassKinks,
                       boundaryMass: boundaryMass)
    }

    public func risk(of student: [Double]) -> RiskEstimate {
        .exact(risk(angle: VectorAngle.between(student, teacher)))
    }

    public func sampleTransferSet(count n: Int, using stream: inout RandomStream) -> Matrix {
        precondition(n >= 0, "transfer set size must be ≥ 0, got \(n)")
        let frame = sampleTeacherFrame(count: n, using: &stream)
        let u = teacherDirection
        let d = dimension
        var points = Matrix(rows: n, columns: d)
        var v = [Double](repeating: 0, count: d)
        for i in 0..<n {
            if d > 1 { Self.orthogonalDirection(to: u, into: &v, using: &stream) }
            let (s, t) = (frame.along[i], frame.across[i])
            for j in 0..<d {
                points.elements[i + j * n] = s * u[j] + (d > 1 ? t * v[j] : 0)
            }
        }
        return points
    }

    /// A uniform unit vector of u^⊥: a normal vector with its u-component removed (O(d)).
    static func orthogonalDirection(to u: [Double], into v: inout [Double],
                                    using stream: inout RandomStream) {
        while true {
            stream.fillNormals(&v)
            let c = dot(v, u)
            for j in v.indices { v[j] -= c * u[j] }
            let norm = norm2(v)
            if norm > 0 {
                for j in v.indices { v[j] /= norm }
                return
            }
        }
    }
}

/// The law of the radius ρ = ‖x‖ for the constructed angular geometries.
public enum RadialLaw: String, Sendable, CaseIterable {
    /// ρ = 1: points on the unit sphere.
    case unit
    /// ρ ~ χ_d, the norm of a standard Gaussian vector in R^d.
    case chi
}

/// Shared sampling of the poly-tail and margin geometries: a random sign, the angle β from the
/// geometry's law, the radius from `radial`.
enum AngularConstruction {
    static func sample(count n: Int, dimension d: Int, radial: RadialLaw,
                       using stream: inout RandomStream,
                       angle: (inout RandomStream) -> Double) -> TeacherFrameSample {
        var frame = TeacherFrameSample(along: [], across: [])
        frame.along.reserveCapacity(n)
        frame.across.reserveCapacity(n)
        for _ in 0..<n {
            let beta = angle(&stream)
            let sign = stream.randomSign()
            let rho = radial == .unit ? 1 : stream.chiSquare(degreesOfFreedom: Double(d)).squareRoot()
            frame.along.append(sign * rho * sin(beta))
            frame.across.append(rho * cos(beta))
        }
        return frame
    }

    static func clamped(_ theta: Double, _ p: (Double) -> Double) -> Double {
        if theta.isNaN { return .nan }
        if theta <= 0 { return p(0) }
        if theta >= .pi / 2 { return 1 }
        return p(theta)
    }

    static func defaultTeacher(dimension d: Int, norm: Double) -> [Double] {
        var w = [Double](repeating: 0, count: d)
        w[0] = norm
        return w
    }
}
