#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import Numerics

/// `poly-tail(κ)`: β = (π/2)·U^{1/κ}, x = ρ(±sin β·u + cos β·v), so p(θ) = (2θ/π)^κ exactly
/// (C2 holds with equality). Needs d ≥ 2 (in d = 1 every point lies on the teacher axis).
public struct PolyTailGeometry: AxiallySymmetricGeometry {
    public let dimension: Int
    public let teacher: [Double]
    public let kappa: Double
    public let radial: RadialLaw

    public init(dimension d: Int, kappa: Double, radial: RadialLaw = .chi,
                teacher: [Double]? = nil) throws(ParameterError) {
        try Validate.dimension(d, atLeast: 2)
        try Validate.positive("kappa", kappa)
        let w = teacher ?? AngularConstruction.defaultTeacher(dimension: d, norm: 1)
        try Validate.teacher(w, dimension: d)
        self.dimension = d
        self.kappa = kappa
        self.radial = radial
        self.teacher = w
    }

    public var boundaryMassIsExact: Bool { true }

    public func boundaryMass(_ theta: Double) -> Double {
        AngularConstruction.clamped(theta) { pow(2 * $0 / .pi, kappa) }
    }

    public func sampleTeacherFrame(count n: Int, using stream: inout RandomStream) -> TeacherFrameSample {
        AngularConstruction.sample(count: n, dimension: dimension, radial: radial, using: &stream) {
            .pi / 2 * pow($0.uniform(), 1 / kappa)
        }
    }
}

/// `margin(θ₀)`: β uniform on [θ₀, π/2] (same construction as poly-tail), so p(θ) = 0 below
/// θ₀ and the exponential corollary C1 applies.
public struct MarginGeometry: AxiallySymmetricGeometry {
    public let dimension: Int
    public let teacher: [Double]
    public let margin: Double
    public let radial: RadialLaw

    public init(dimension d: Int, margin theta0: Double, radial: RadialLaw = .chi,
                teacher: [Double]? = nil) throws(ParameterError) {
        try Validate.dimension(d, atLeast: 2)
        if !(theta0 > 0 && theta0 < .pi / 2) {
            throw .invalid("margin", theta0, "must be an angle in radians strictly between 0 and pi/2")
        }
        let w = teacher ?? AngularConstruction.defaultTeacher(dimension: d, norm: 1)
        try Validate.teacher(w, dimension: d)
        self.dimension = d
        self.margin = theta0
        self.radial = radial
        self.teacher = w
    }

    public var boundaryMassIsExact: Bool { true }
    public var boundaryMassKinks: [Double] { [margin] }

    public func boundaryMass(_ theta: Double) -> Double {
        AngularConstruction.clamped(theta) { max(0, ($0 - margin) / (.pi / 2 - margin)) }
    }

    /// q = 1 − p(π/2 − θ₀), the mass within θ₀ of the teacher axis (C1).
    public var axisMass: Double { 1 - boundaryMass(.pi / 2 - margin) }

    public func sampleTeacherFrame(count n: Int, using stream: inout RandomStream) -> TeacherFrameSample {
        AngularConstruction.sample(count: n, dimension: dimension, radial: radial, using: &stream) {
            margin + (.pi / 2 - margin) * $0.uniform()
        }
    }
}
