internal import CLAPACKE

/// Which norm a condition estimate is taken in.
public enum ConditionNorm: Sendable, Hashable {
    case one
    case infinity

    internal var lapack: CChar { lapackChar(self == .one ? "1" : "I") }
}

/// An estimate of 1/cond(A) = 1/(‖A‖ ‖A⁻¹‖) in `norm` for a square triangular A (LAPACK dtrcon,
/// O(n²)); only `triangle` of A is read. 0 when A has a zero on its diagonal.
public func triangularReciprocalCondition(_ a: Matrix, triangle: Triangle, norm: ConditionNorm = .one) -> Double {
    a.checkStorage()
    precondition(a.isSquare, "trcon: A must be square, got \(a.rows)×\(a.columns)")
    let n = a.rows
    if n == 0 { return 1 }
    for i in 0..<n where !(a.elements[i + i * n] != 0 && a.elements[i + i * n].isFinite) { return 0 }
    var rcond = 0.0
    a.elements.withUnsafeBufferPointer { ap in
        lapackInfallible("dtrcon", arguments: ["matrix_layout", "norm", "uplo", "diag", "n", "a", "lda", "rcond"]) {
            LAPACKE_dtrcon(lapackColumnMajor, norm.lapack, lapackChar(triangle == .upper ? "U" : "L"),
                           lapackChar("N"), cInt(n), ap.baseAddress, a.leadingDimension, &rcond)
        }
    }
    return rcond
}

/// (UᵀU)⁻¹ for a square upper triangular U with no zero on its diagonal (LAPACK dpotri:
/// U⁻¹U⁻ᵀ, about n³/3 + n³/3 flops), both triangles filled. Only the upper triangle of U is read.
///
/// Why: when U is already the triangular factor of a Gram matrix (the R of a QR), its inverse
/// needs neither the product UᵀU nor a new factorization nor a solve against the identity.
/// Throws `.singular(pivot:)` for a zero on the diagonal, `.nonFiniteEntry` for ±∞ or NaN.
public func gramInverse(upper u: Matrix) throws(LinearAlgebraError) -> Matrix {
    u.checkStorage()
    precondition(u.isSquare, "potri: U must be square, got \(u.rows)×\(u.columns)")
    let n = u.rows
    var a = Matrix(rows: n, columns: n)
    for j in 0..<n { for i in 0...j { a.elements[i + j * n] = u.elements[i + j * n] } }
    try requireFinite(a, routine: "dpotri")
    if n == 0 { return a }
    let lda = a.leadingDimension
    try a.elements.withUnsafeMutableBufferPointer { (ap) throws(LinearAlgebraError) in
        try lapack("dpotri", arguments: ["matrix_layout", "uplo", "n", "a", "lda"], positive: .singular) {
            LAPACKE_dpotri(lapackColumnMajor, lapackChar("U"), cInt(n), ap.baseAddress, lda)
        }
    }
    for j in 0..<n { for i in (j + 1)..<n { a.elements[i + j * n] = a.elements[j + i * n] } }
    return a
}

/// Whether every entry below the diagonal of the square matrix A is exactly zero.
public func isUpperTriangular(_ a: Matrix) -> Bool {
    guard a.isSquare else { return false }
    let n = a.rows
    for j in 0..<n { for i in (j + 1)..<n where a.elements[i + j * n] != 0 { return false } }
    return true
}
