#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import Numerics

/// The d → ∞ limit of the closed-form student's angle (docs/THEORY.md §9): with
/// x_i = s_i u + t_i v_i and orthonormal v_i, tan²γ_∞,k = 1 / Σ_{i≤k} (s_i/t_i)².
///
/// It depends on the points' angles to the boundary alone (|s_i|/|t_i| = tan β_i), so its
/// expectation can be estimated from draws of the β_i, O(n) each, where the trial itself needs
/// a Gram draw, O(n²).
public enum LimitAngle {
    /// γ_∞ from Σ tan²β_i: π/2 for an empty sum, 0 when a point lies on the teacher axis.
    @inline(__always)
    public static func angle(sumOfSquaredTangents sum: Double) -> Double {
        atan2(1, sum.squareRoot())
    }

    /// γ_∞,k for every prefix k = 1…n of a drawn set.
    public static func angles(frame: TeacherFrameSample) -> [Double] {
        angles(along: frame.along, across: frame.across)
    }

    /// γ_∞,k from the parts s_i along and t_i across the teacher axis.
    public static func angles(along: [Double], across: [Double]) -> [Double] {
        precondition(along.count == across.count, "one across part per along part")
        var sum = 0.0
        var out = [Double](repeating: 0, count: along.count)
        for i in out.indices {
            let ratio = along[i] / across[i]
            sum += ratio * ratio
            out[i] = angle(sumOfSquaredTangents: sum)
        }
        return out
    }

    /// The mean over `samples` independent sets of Σ R(γ_∞,n) at each n of `grid` (ascending),
    /// each set drawing tan²β_1 … tan²β_{max n} from `stream` in order: the control variate's
    /// limit term of one trial.
    public static func meanRisk(of geometry: some BoundaryAngleLaw, grid: [Int], samples: Int,
                                risk: (Double) -> Double, using stream: inout RandomStream) -> [Double] {
        precondition(samples >= 1, "need at least one limit sample, got \(samples)")
        precondition(!grid.isEmpty && grid.first! >= 1 && zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 },
                     "the grid must be ascending sizes ≥ 1")
        var total = [Double](repeating: 0, count: grid.count)
        let largest = grid.last!
        for _ in 0..<samples {
            var sum = 0.0
            var k = 0
            for i in 1...largest {
                sum += geometry.squaredBoundaryTangent(using: &stream)
                if i == grid[k] {
                    total[k] += risk(angle(sumOfSquaredTangents: sum))
                    k += 1
                }
            }
        }
        let scale = 1 / Double(samples)
        return total.map { $0 * scale }
    }
}

/// An axially symmetric geometry whose angle to the boundary, β, can be drawn alone (without
/// the radius and sign of a point): what the limit term's cheap samples need.
public protocol BoundaryAngleLaw: AxiallySymmetricGeometry {
    /// tan²β for one β of the geometry's law; the same law as `sampleTeacherFrame`'s β.
    func squaredBoundaryTangent(using stream: inout RandomStream) -> Double
    /// p'(θ), the density of β on [0, π/2] (0 where β cannot lie): what the limit term's
    /// quadrature (``LimitRiskQuadrature``) integrates.
    func boundaryAngleDensity(_ theta: Double) -> Double
}

extension PolyTailGeometry: BoundaryAngleLaw {
    public func squaredBoundaryTangent(using stream: inout RandomStream) -> Double {
        let t = tan(.pi / 2 * pow(stream.uniform(), 1 / kappa))
        return t * t
    }

    public func boundaryAngleDensity(_ theta: Double) -> Double {
        guard theta > 0, theta <= .pi / 2 else { return 0 }
        return kappa * 2 / .pi * pow(2 * theta / .pi, kappa - 1)
    }
}

extension MarginGeometry: BoundaryAngleLaw {
    public func squaredBoundaryTangent(using stream: inout RandomStream) -> Double {
        let t = tan(margin + (.pi / 2 - margin) * stream.uniform())
        return t * t
    }

    public func boundaryAngleDensity(_ theta: Double) -> Double {
        theta >= margin && theta <= .pi / 2 ? 1 / (.pi / 2 - margin) : 0
    }
}
