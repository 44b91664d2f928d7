#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import Numerics

/// `gaussian`: x ~ N(0, I_d). Rotation invariant, so R = γ/π exactly; as an axially symmetric
/// geometry s ~ N(0, 1) and t ~ χ_{d−1}.
public struct GaussianGeometry: AxiallySymmetricGeometry {
    public let dimension: Int
    public let teacher: [Double]
    /// ∫_0^{φmax} cos^{d−2} φ dφ, the normaliser of p.
    private let normalisation: Double
    private let cutoff: Double

    public init(dimension d: Int, teacher: [Double]) throws(ParameterError) {
        try Validate.dimension(d)
        try Validate.teacher(teacher, dimension: d)
        self.dimension = d
        self.teacher = teacher
        let m = Double(max(d - 2, 0))
        cutoff = m == 0 ? .pi / 2 : min(.pi / 2, (160 / m).squareRoot())
        // The normaliser is ≈ √(π/(2m)); integrate it to 1e-14 of that scale.
        normalisation = d > 3
            ? Self.integral(upTo: cutoff, power: m, cutoff: cutoff, scale: (Double.pi / (2 * m)).squareRoot())
            : 1
    }

    /// Teacher ‖w*‖·e_1.
    public init(dimension d: Int, teacherNorm: Double = 1) throws(ParameterError) {
        try Validate.dimension(d)
        try Validate.positive("teacherNorm", teacherNorm)
        try self.init(dimension: d, teacher: AngularConstruction.defaultTeacher(dimension: d, norm: teacherNorm))
    }

    public var boundaryMassIsExact: Bool { true }

    /// p(θ) = I_{sin²θ}(1/2, (d−1)/2) = P[|x̂₁| ≤ sin θ], computed as the normalised integral
    /// of cos^{d−2} φ over [0, θ] (the density of arcsin |x̂₁|); closed forms for d ≤ 3.
    public func boundaryMass(_ theta: Double) -> Double {
        if theta.isNaN { return .nan }
        let th = min(max(theta, 0), .pi / 2)
        switch dimension {
        case 1: return th < .pi / 2 ? 0 : 1
        case 2: return th / (.pi / 2)
        case 3: return sin(th)
        default:
            if th >= cutoff { return 1 }
            let m = Double(dimension - 2)
            let value = Self.integral(upTo: th, power: m, cutoff: cutoff, scale: normalisation) / normalisation
            return min(max(value, 0), 1)
        }
    }

    /// Exact R = γ/π (the axial quadrature gives the same; tests compare them).
    public func risk(of student: [Double]) -> RiskEstimate {
        .exact(VectorAngle.between(student, teacher) / .pi)
    }

    public func sampleTeacherFrame(count n: Int, using stream: inout RandomStream) -> TeacherFrameSample {
        var frame = TeacherFrameSample(along: [], across: [])
        for _ in 0..<n {
            frame.along.append(stream.normal())
            frame.across.append(dimension > 1
                ? stream.chiSquare(degreesOfFreedom: Double(dimension - 1)).squareRoot() : 0)
        }
        return frame
    }

    private static func integral(upTo theta: Double, power m: Double, cutoff: Double,
                                 scale: Double = 1) -> Double {
        guard theta > 0 else { return 0 }
        let pieces = max(1, Int((16 * theta / cutoff).rounded(.up)))
        let points = PiecewiseQuadrature.breakPoints(from: 0, to: theta, pieces: pieces)
        return PiecewiseQuadrature.integrate({ exp(m * PiecewiseQuadrature.logCos($0)) }, over: points,
                                            absoluteTolerance: 1e-14 * scale)
    }
}
