import LinearAlgebra

/// `anisotropic`: x ~ N(0, Σ) with Σ diagonal in the coordinate basis (the coordinates ARE the
/// eigenbasis, so the teacher is given relative to it). R(w) = ∠(Σ^{1/2}w, Σ^{1/2}w*)/π exactly;
/// p(θ) is the empirical CDF of a fixed-seed reference sample.
public struct AnisotropicGeometry: Geometry {
    /// The spectrum of Σ: the power law λ_j = j^{−α} (j = 1…d), or explicit variances.
    public enum Spectrum: Sendable, Equatable {
        case powerLaw(exponent: Double)
        case values([Double])
    }

    public let dimension: Int
    public let teacher: [Double]
    /// Variances λ_j (the eigenvalues of Σ).
    public let variances: [Double]
    private let reference: EmpiricalAngleCDF

    /// `referenceCount` points (default 20000) of the fixed stream `referenceSeed` give p(θ).
    public init(dimension d: Int, spectrum: Spectrum, teacher: [Double],
                referenceCount: Int = 20_000, referenceSeed: UInt64 = 0) throws(ParameterError) {
        try Validate.dimension(d)
        try Validate.sampleCount("referenceCount", referenceCount)
        switch spectrum {
        case .powerLaw(let alpha):
            if !(alpha >= 0 && alpha.isFinite) {
                throw .invalid("alpha", alpha, "power-law exponent must be >= 0 and finite")
            }
            variances = (1...d).map { pow(Double($0), -alpha) }
        case .values(let lambdas):
            if lambdas.count != d {
                throw .invalid(field: "spectrum", value: "list of length \(lambdas.count)",
                               expected: "must list d = \(d) variances")
            }
            for (j, l) in lambdas.enumerated() where !(l > 0 && l.isFinite) {
                throw .invalid("spectrum[\(j)]", l, "variances must be > 0 and finite")
            }
            variances = lambdas
        }
        try Validate.teacher(teacher, dimension: d)
        dimension = d
        self.teacher = teacher
        let u = VectorAngle.normalized(teacher)
        var stream = ReferenceStream.make(seed: referenceSeed, .geometry, index: 1)
        let sample = Self.draw(count: referenceCount, variances: variances, using: &stream)
        reference = EmpiricalAngleCDF(angles: (0..<referenceCount).map {
            VectorAngle.boundaryAngle(sample.row($0), axis: u)
        })
    }

    public var boundaryMassIsExact: Bool { false }

    public func boundaryMass(_ theta: Double) -> Double { reference(theta) }

    public func risk(of student: [Double]) -> RiskEstimate {
        precondition(student.count == dimension, "student has length \(student.count), expected \(dimension)")
        let root = variances.map { $0.squareRoot() }
        let a = zip(root, student).map(*), b = zip(root, teacher).map(*)
        return .exact(VectorAngle.between(a, b) / .pi)
    }

    public func sampleTransferSet(count n: Int, using stream: inout RandomStream) -> Matrix {
        Self.draw(count: n, variances: variances, using: &stream)
    }

    /// Point by point (row i uses the stream before row i + 1), so prefixes are nested.
    private static func draw(count n: Int, variances: [Double], using stream: inout RandomStream) -> Matrix {
        let d = variances.count
        let root = variances.map { $0.squareRoot() }
        var points = Matrix(rows: n, columns: d)
        for i in 0..<n {
            for j in 0..<d { points.elements[i + j * n] = root[j] * stream.normal() }
        }
        return points
    }
}

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import Numerics
