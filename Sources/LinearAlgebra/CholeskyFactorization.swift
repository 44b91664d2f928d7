internal import CLAPACKE
internal import Foundation

/// A = L Lᵀ for a symmetric positive definite A (LAPACK dpotrf). Only the lower triangle of
/// A is read.
public struct CholeskyFactorization: Sendable {
    /// L: lower triangular, positive diagonal, zeros above the diagonal.
    public let lower: Matrix

    /// Throws `.notPositiveDefinite(minor:)` naming the first leading minor that is not
    /// positive, or `.nonFiniteEntry` if A holds ±∞ or NaN.
    public init(_ a: consuming Matrix) throws(LinearAlgebraError) {
        a.checkStorage()
        precondition(a.isSquare, "Cholesky: A must be square, got \(a.rows)×\(a.columns)")
        try requireFinite(a, routine: "dpotrf")
        let n = a.rows
        let lda = a.leadingDimension
        try a.elements.withUnsafeMutableBufferPointer { (ap) throws(LinearAlgebraError) in
            try lapack("dpotrf", arguments: ["matrix_layout", "uplo", "n", "a", "lda"],
                       positive: .notPositiveDefinite) {
                LAPACKE_dpotrf(lapackColumnMajor, lapackChar("L"), cInt(n), ap.baseAddress, lda)
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

    /// log det A = 2 Σ log L_ii.
    public var logDeterminant: Double {
        var s = 0.0
        for i in 0..<dimension { s += log(lower.elements[i + i * dimension]) }
        return 2 * s
    }
}
