#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra
import Numerics

/// A data marginal P_x together with its teacher w* (docs/THEORY.md §4, §6).
///
/// The teacher is part of the geometry because p(θ) and the risk depend on it for every
/// geometry that is not axially symmetric (and the dataset geometry fits it from the data).
/// Its norm is the teacher's scale (temperature); only its direction u = w*/‖w*‖ enters the
/// sampling, p(θ) and the risk.
public protocol Geometry: Sendable {
    /// d, the dimension of the points.
    var dimension: Int { get }
    /// The teacher w* (length d, non-zero).
    var teacher: [Double] { get }
    /// `count` i.i.d. points as a count×d matrix (rows are points). Every prefix of the rows
    /// is itself a transfer set of that size, so one draw gives the nested curve in n.
    func sampleTransferSet(count: Int, using stream: inout RandomStream) -> Matrix
    /// p(θ) = P[β(x) ≤ θ]: 0 below θ = 0, 1 above π/2 (a CDF, so out-of-range θ is clamped),
    /// NaN for NaN.
    func boundaryMass(_ theta: Double) -> Double
    /// Whether `boundaryMass` is exact (true) or an empirical CDF of a fixed-seed sample.
    var boundaryMassIsExact: Bool { get }
    /// Transfer risk R(w) = P[sign(wᵀx) ≠ sign(w*ᵀx)], exact where a formula exists, otherwise
    /// a held-out Monte Carlo estimate with its standard error.
    func risk(of student: [Double]) -> RiskEstimate
}

extension Geometry {
    /// u = w*/‖w*‖.
    public var teacherDirection: [Double] { VectorAngle.normalized(teacher) }

    /// (B) min over θ of p(θ) + p(π/2 − θ)^n for this geometry.
    public func riskBound(count n: Int) -> BoundValue {
        RiskBound.minimum(count: n, boundaryMass: boundaryMass)
    }

    /// The per-draw certificate R(ŵ) ≤ p(γ), γ the angle between the student and the teacher.
    public func certificate(angle gamma: Double) -> Double { boundaryMass(gamma) }
}

/// A transfer-risk value: exact (standard error 0) or a Monte Carlo estimate.
public struct RiskEstimate: Sendable, Equatable {
    public let value: Double
    /// Standard error of `value`; 0 for exact values.
    public let standardError: Double
    public let isExact: Bool

    public static func exact(_ value: Double) -> RiskEstimate {
        RiskEstimate(value: value, standardError: 0, isExact: true)
    }

    /// A proportion of `count` held-out points, with the binomial standard error.
    public static func proportion(_ disagreements: Int, of count: Int) -> RiskEstimate {
        precondition(count > 0, "a held-out estimate needs at least one point")
        let p = Double(disagreements) / Double(count)
        return RiskEstimate(value: p, standardError: (p * (1 - p) / Double(count)).squareRoot(),
                            isExact: false)
    }
}

/// Angles between vectors, accurate also for nearly parallel vectors (where arccos of the
/// cosine loses half the digits).
public enum VectorAngle {
    /// ∠(a, b) ∈ [0, π] as 2·atan2(‖â − b̂‖, ‖â + b̂‖); NaN if either vector is zero.
    public static func between(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "vectors differ in length: \(a.count) vs \(b.count)")
        let na = norm2(a), nb = norm2(b)
        guard na > 0, nb > 0 else { return .nan }
        var minus = 0.0, plus = 0.0
        for i in a.indices {
            let x = a[i] / na, y = b[i] / nb
            minus += (x - y) * (x - y)
            plus += (x + y) * (x + y)
        }
        return 2 * atan2(minus.squareRoot(), plus.squareRoot())
    }

    /// β(x) ∈ [0, π/2], the angle between x and the hyperplane u^⊥ (u a unit vector); NaN if x = 0.
    static func boundaryAngle(_ x: [Double], axis u: [Double]) -> Double {
        let g = between(x, u)
        return abs(.pi / 2 - g)
    }

    static func normalized(_ v: [Double]) -> [Double] {
        let n = norm2(v)
        return v.map { $0 / n }
    }
}

/// Shared parameter checks, so every geometry words its messages the same way.
enum Validate {
    static func dimension(_ d: Int, atLeast minimum: Int = 1) throws(ParameterError) {
        if d < minimum { throw .invalid("dimension", d, "must be an integer >= \(minimum)") }
    }

    static func teacher(_ w: [Double], dimension d: Int) throws(ParameterError) {
        if w.count != d {
            throw .invalid(field: "teacher", value: "vector of length \(w.count)",
                           expected: "must have length d = \(d)")
        }
        if let i = w.firstIndex(where: { !$0.isFinite }) {
            throw .invalid(field: "teacher[\(i)]", value: "\(w[i])", expected: "must be finite")
        }
        if w.allSatisfy({ $0 == 0 }) {
            throw .invalid(field: "teacher", value: "zero vector", expected: "must be non-zero")
        }
    }

    static func positive(_ name: String, _ x: Double) throws(ParameterError) {
        if !(x > 0 && x.isFinite) { throw .invalid(name, x, "must be > 0 and finite") }
    }

    static func sampleCount(_ name: String, _ n: Int) throws(ParameterError) {
        if n < 1 { throw .invalid(name, n, "must be >= 1") }
    }
}

/// The fixed-seed streams of a geometry's own reference samples (empirical CDF, held-out
/// points): trial index UInt64.max, which no experiment trial uses.
enum ReferenceStream {
    static func make(seed: UInt64, _ id: StreamID, index: UInt64 = 0) -> RandomStream {
        RandomStream(seed: seed, trial: .max, stream: id, index: index)
    }
}
