#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra
import Numerics

/// `mixture`: Σ_k π_k N(μ_k, σ_k² I). p(θ) is the empirical CDF of a fixed-seed reference
/// sample. R(w) is a held-out Monte Carlo estimate: only (wᵀx, w*ᵀx) matters, and for a
/// Gaussian component that pair is a bivariate normal, so each held-out point is drawn in those
/// two coordinates (exact in law, O(1) per point whatever d). The same fixed held-out stream
/// serves every student, so differences between students are paired.
public struct MixtureGeometry: Geometry {
    /// One component: weight π_k, mean μ_k, isotropic standard deviation σ_k.
    public struct Component: Sendable, Equatable {
        public enum Mean: Sendable, Equatable {
            /// μ_k given in full (length d).
            case vector([Double])
            /// μ_k = c·u, a multiple of the unit teacher axis.
            case alongTeacher(Double)
        }
        public let weight: Double
        public let mean: Mean
        public let standardDeviation: Double

        public init(weight: Double, mean: Mean, standardDeviation: Double) {
            self.weight = weight
            self.mean = mean
            self.standardDeviation = standardDeviation
        }
    }

    public let dimension: Int
    public let teacher: [Double]
    public let components: [Component]
    /// Held-out points per risk estimate.
    public let heldOutCount: Int
    public let seed: UInt64
    private let means: [[Double]]
    private let cumulativeWeights: [Double]
    private let reference: EmpiricalAngleCDF

    public init(dimension d: Int, teacher: [Double], components: [Component],
                referenceCount: Int = 20_000, heldOutCount: Int = 200_000,
                seed: UInt64 = 0) throws(ParameterError) {
        try Validate.dimension(d)
        try Validate.teacher(teacher, dimension: d)
        try Validate.sampleCount("referenceCount", referenceCount)
        try Validate.sampleCount("heldOutCount", heldOutCount)
        if components.isEmpty {
            throw .invalid(field: "components", value: "[]", expected: "must list at least one component")
        }
        let u = VectorAngle.normalized(teacher)
        var means: [[Double]] = []
        for (k, c) in components.enumerated() {
            if !(c.weight >= 0 && c.weight.isFinite) {
                throw .invalid("weights[\(k)]", c.weight, "must be >= 0 and finite")
            }
            try Validate.positive("standardDeviations[\(k)]", c.standardDeviation)
            switch c.mean {
            case .vector(let mu):
                if mu.count != d {
                    throw .invalid(field: "means[\(k)]", value: "vector of length \(mu.count)",
                                   expected: "must have length d = \(d)")
                }
                if let j = mu.firstIndex(where: { !$0.isFinite }) {
                    throw .invalid("means[\(k)][\(j)]", mu[j], "must be finite")
                }
                means.append(mu)
            case .alongTeacher(let c):
                if !c.isFinite { throw .invalid("means[\(k)]", c, "must be finite") }
                means.append(u.map { c * $0 })
            }
        }
        let total = components.reduce(0) { $0 + $1.weight }
        if abs(total - 1) > 1e-9 {
            throw .invalid("sum of weights", total, "mixture weights must sum to 1")
        }
        dimension = d
        self.teacher = teacher
        self.components = components
        self.heldOutCount = heldOutCount
        self.seed = seed
        self.means = means
        var running = 0.0
        cumulativeWeights = components.map { running += $0.weight; return running }
        var stream = ReferenceStream.make(seed: seed, .geometry, index: 2)
        let sample = Self.draw(count: referenceCount, means: means, components: components,
                               cumulative: cumulativeWeights, using: &stream)
        reference = EmpiricalAngleCDF(angles: (0..<referenceCount).map {
            VectorAngle.boundaryAngle(sample.row($0), axis: u)
        })
    }

    public var boundaryMassIsExact: Bool { false }

    public func boundaryMass(_ theta: Double) -> Double { reference(theta) }

    public func sampleTransferSet(count n: Int, using stream: inout RandomStream) -> Matrix {
        Self.draw(count: n, means: means, components: components, cumulative: cumulativeWeights,
                  using: &stream)
    }

    public func risk(of student: [Double]) -> RiskEstimate {
        precondition(student.count == dimension, "student has length \(student.count), expected \(dimension)")
        let wNorm = norm2(student)
        guard wNorm > 0 else { return .exact(.nan) }
        let w = student.map { $0 / wNorm }
        let u = teacherDirection
        // (ŵᵀz, uᵀz) for z ~ N(0, I): ŵᵀz = c·g₁ + s·g₂ with uᵀz = g₁.
        let c = min(max(dot(w, u), -1), 1), s = (1 - c * c).squareRoot()
        let studentMeans = means.map { dot(w, $0) }, teacherMeans = means.map { dot(u, $0) }
        var stream = ReferenceStream.make(seed: seed, .heldOut)
        var disagreements = 0
        for _ in 0..<heldOutCount {
            let k = Self.component(stream.uniform(), cumulativeWeights)
            let sigma = components[k].standardDeviation
            let g1 = stream.normal(), g2 = stream.normal()
            let a = studentMeans[k] + sigma * (c * g1 + s * g2)
            let b = teacherMeans[k] + sigma * g1
            if (a >= 0) != (b >= 0) { disagreements += 1 }
        }
        return .proportion(disagreements, of: heldOutCount)
    }

    private static func component(_ uniform: Double, _ cumulative: [Double]) -> Int {
        cumulative.firstIndex { uniform < $0 } ?? cumulative.count - 1
    }

    private static func draw(count n: Int, means: [[Double]], components: [Component],
                             cumulative: [Double], using stream: inout RandomStream) -> Matrix {
        let d = means[0].count
        var points = Matrix(rows: n, columns: d)
        for i in 0..<n {
            let k = component(stream.uniform(), cumulative)
            let sigma = components[k].standardDeviation
            for j in 0..<d { points.elements[i + j * n] = means[k][j] + sigma * stream.normal() }
        }
        return points
    }
}
