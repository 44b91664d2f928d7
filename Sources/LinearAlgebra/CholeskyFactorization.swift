internal import CLAPACKE
internal import Foundation

/// A = L Lᵀ for a symmetric positive definite A (LAPACK dpotrf). Only the lower triangle of
/// A is read.
public struct CholeskyFactorization: Sendable {
    /// L: lower triangular, positive diagonal, zeros above the diagonal.
    public let lower: Matrix
    /// ‖A‖₁ of the factored matrix, kept for `reciprocalCondition` (dpocon needs it).
    private let oneNorm: Double

    /// Throws `.notPositiveDefinite(minor:)` naming the first leading minor that is not
    /// positive, or `.nonFiniteEntry` if A holds ±∞ or NaN. `estimatingCondition` false skips
    /// the O(n²) norm `reciprocalCondition` needs (for factors that are only solved with, such as
    /// an integrator's stage matrices); `reciprocalCondition` is then a programming error.
    public init(_ a: consuming Matrix, estimatingCondition: Bool = true) throws(LinearAlgebraError) {
        a.checkStorage()
        precondition(a.isSquare, "Cholesky: A must be square, got \(a.rows)×\(a.columns)")
        try requireFinite(a, routine: "dpotrf")
        let n = a.rows
        let lda = a.leadingDimension
        oneNorm = estimatingCondition ? a.elements.withUnsafeBufferPointer { ap in
            LAPACKE_dlansy(lapackColumnMajor, lapackChar("1"), lapackChar("L"), cInt(n), ap.baseAddress, lda)
        } : .nan
        try a.elements.withUnsafeMutableBufferPointer { (ap) throws(LinearAlgebraError) in
            try lapack("dpotrf", arguments: ["matrix_layout", "uplo", "n", "a", "lda"],
                       positive: .notPositiveDefinite) {
                // The _work entry point: `requireFinite` above already did LAPACKE's NaN scan.
                LAPACKE_dpotrf_work(lapackColumnMajor, lapackChar("L"), cInt(n), ap.baseAddress, lda)
            }
        }
        for j in 0..<n {
            for i in 0..<j { a.elements[i + j * n] = 0 }
        }
        self.lower = a
    }

    public var dimension: Int { lower.rows }

    /// x with A x = b, by two triangular solves (NaN in b propagates to x).
    public func solve(_ b: [Double]) -> [Double] {
        var x = b
        solveInPlace(&x)
        return x
    }

    /// X with A X = B.
    public func solve(_ b: Matrix) -> Matrix {
        var x = b
        solveInPlace(&x)
        return x
    }

    /// b ← A⁻¹ b without allocating.
    public func solveInPlace(_ b: inout [Double]) {
        precondition(b.count == dimension, "Cholesky.solve: b has length \(b.count), A is \(dimension)×\(dimension)")
        trsv(lower, &b, triangle: .lower)
        trsv(lower, &b, triangle: .lower, transpose: .transposed)
    }

    /// B ← A⁻¹ B without allocating.
    public func solveInPlace(_ b: inout Matrix) {
        precondition(b.rows == dimension, "Cholesky.solve: B has \(b.rows) rows, A is \(dimension)×\(dimension)")
        trsm(lower, &b, triangle: .lower)
        trsm(lower, &b, triangle: .lower, transpose: .transposed)
    }

    /// An estimate of 1/cond₁(A) = 1/(‖A‖₁‖A⁻¹‖₁) (LAPACK dpocon, O(n²)): near ε, solves with
    /// this factor lose about log₁₀(1/rcond) digits. dpocon's ‖A⁻¹‖₁ is a lower bound,
    /// in practice within a factor of a few.
    public var reciprocalCondition: Double {
        precondition(!oneNorm.isNaN, "Cholesky.reciprocalCondition: factored with estimatingCondition: false")
        let n = dimension
        var rcond = 0.0
        lower.elements.withUnsafeBufferPointer { lp in
            lapackInfallible("dpocon", arguments: ["matrix_layout", "uplo", "n", "a", "lda", "anorm", "rcond"]) {
                LAPACKE_dpocon(lapackColumnMajor, lapackChar("L"), cInt(n), lp.baseAddress,
                               lower.leadingDimension, oneNorm, &rcond)
            }
        }
        return rcond
    }

    /// log det A = 2 Σ log L_ii.
    public var logDeterminant: Double {
        var s = 0.0
        for i in 0..<dimension { s += log(lower.elements[i + i * dimension]) }
        return 2 * s
    }
}
