#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra

/// P_k w*, the projection of the teacher onto the span of the first k points, for every prefix
/// k of a transfer set: the closed-form linear student from w(0) = 0 (docs/THEORY.md §2), from one
/// Cholesky factorisation G = X Xᵀ = L Lᵀ of the Gram matrix instead of a QR of the d × n Xᵀ.
///
/// Q = Xᵀ L⁻ᵀ has orthonormal columns and its first k span the first k points (L's leading
/// k × k block is the factor of the prefix's Gram matrix), so c = Qᵀ w* = L⁻¹ X w* holds the
/// coordinates of every P_k w*: ‖P_k w*‖ = ‖c[0..<k]‖. Forming G is n²d flops of BLAS-3 syrk,
/// against 2n²(d − n/3) for Householder QR, much of it at BLAS-2 speed.
///
/// The price is the squared condition number: `init` returns nil when G is too ill-conditioned
/// for the angles to be accurate (repeated or dependent points, n > d), and the caller then
/// uses the QR of `LinearDistillationProblem`.
public struct PrefixProjections: Sendable {
    /// The smallest accepted estimate of 1/cond₁(G): the relative error of c is about
    /// ε·cond(G) ≤ 2.2e-16 / 1e-6 ≈ 2e-10, which keeps the angles accurate to ~1e-9.
    public static let minimumReciprocalCondition = 1e-6

    /// X (n × d, rows are points).
    let points: Matrix
    let factor: CholeskyFactorization
    /// c = L⁻¹ X w*.
    let coordinates: [Double]
    /// ‖P_k w*‖² = Σ_{i<k} c_i², for k = 0…n.
    let alongSquares: [Double]
    /// ‖w* − P_k w*‖² = ‖w* − P_n w*‖² + Σ_{i≥k} c_i², for k = 0…n: a sum of squares, so it
    /// keeps its relative accuracy when w* nearly lies in the span, where ‖w*‖² − ‖P_k w*‖²
    /// would cancel.
    let offSquares: [Double]

    /// Nil when G is not positive definite in floating point or its reciprocal condition
    /// estimate is below `minimumReciprocalCondition`.
    public init?(points: Matrix, teacher: Teacher) {
        precondition(teacher.dimension == points.columns,
                     "teacher has dimension \(teacher.dimension), points have \(points.columns) columns")
        let n = points.rows
        precondition(n >= 1, "a transfer set needs a point")
        guard let factor = try? CholeskyFactorization(syrk(points)),
              factor.reciprocalCondition >= Self.minimumReciprocalCondition else { return nil }
        var c = teacher.logits(of: points)
        trsv(factor.lower, &c, triangle: .lower)
        // w* − P_n w* = w* − Xᵀ L⁻ᵀ c, formed once (O(n d)) for the sum-of-squares tails.
        var a = c
        trsv(factor.lower, &a, triangle: .lower, transpose: .transposed)
        var residual = teacher.weights
        gemv(points, a, into: &residual, transpose: .transposed, alpha: -1, beta: 1)
        var along = [Double](repeating: 0, count: n + 1), off = along
        off[n] = dot(residual, residual)
        for i in 0..<n { along[i + 1] = along[i] + c[i] * c[i] }
        for i in stride(from: n - 1, through: 0, by: -1) { off[i] = off[i + 1] + c[i] * c[i] }
        self.points = points
        self.factor = factor
        self.coordinates = c
        self.alongSquares = along
        self.offSquares = off
    }

    /// n, the size of the largest transfer set.
    public var pointCount: Int { points.rows }

    /// γ_k = ∠(P_k w*, w*) ∈ [0, π/2], accurate also when tiny (atan2, not arccos); π/2 when w*
    /// is orthogonal to the first k points, as `LinearDistillationProblem` reports it.
    public func angle(prefix k: Int) -> Double {
        precondition(k >= 1 && k <= pointCount, "prefix \(k) out of range 1...\(pointCount)")
        return atan2(offSquares[k].squareRoot(), alongSquares[k].squareRoot())
    }

    /// P_k w* = X_kᵀ a with L_kᵀ a = c[0..<k], as a d-vector (O(k² + n d)).
    public func weights(prefix k: Int) -> [Double] {
        precondition(k >= 1 && k <= pointCount, "prefix \(k) out of range 1...\(pointCount)")
        var a = Array(coordinates[0..<k])
        let block = k == pointCount ? factor.lower : factor.lower.block(rows: 0..<k, columns: 0..<k)
        trsv(block, &a, triangle: .lower, transpose: .transposed)
        // The points past k get coefficient 0, so X_kᵀ a is one product with all of X.
        a.append(contentsOf: repeatElement(0, count: pointCount - k))
        return gemv(points, a, transpose: .transposed)
    }
}
