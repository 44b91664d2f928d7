internal import CLAPACKE

/// T = Q Θ Qᵀ for a symmetric tridiagonal T (LAPACK dstevr, relatively robust representations:
/// O(n²) for all eigenvectors, where a dense solver costs O(n³)).
///
/// Why its own type: a Lanczos process produces T one row at a time and asks for its
/// eigendecomposition repeatedly as it grows; forming a dense matrix for `SymmetricEigendecomposition`
/// would cost more than the products that built T.
public struct TridiagonalEigendecomposition: Sendable {
    /// Eigenvalues in ascending order.
    public let eigenvalues: [Double]
    /// Orthonormal eigenvectors: column j belongs to `eigenvalues[j]`.
    public let eigenvectors: Matrix

    /// `diagonal` holds T's n diagonal entries, `offDiagonal` its n − 1 sub-diagonal entries.
    /// Throws `.nonFiniteEntry` for ±∞ or NaN and `.noConvergence` when LAPACK reports it.
    public init(diagonal: [Double], offDiagonal: [Double]) throws(LinearAlgebraError) {
        let n = diagonal.count
        precondition(offDiagonal.count == max(n - 1, 0),
                     "dstevr: \(n) diagonal entries need \(max(n - 1, 0)) off-diagonal ones, got \(offDiagonal.count)")
        if let k = firstNonFiniteIndex(diagonal) {
            throw LinearAlgebraError(routine: "dstevr", info: 0, reason: .nonFiniteEntry(row: k, column: k, value: diagonal[k]))
        }
        if let k = firstNonFiniteIndex(offDiagonal) {
            throw LinearAlgebraError(routine: "dstevr", info: 0,
                                     reason: .nonFiniteEntry(row: k + 1, column: k, value: offDiagonal[k]))
        }
        guard n > 0 else {
            eigenvalues = []
            eigenvectors = Matrix(rows: 0, columns: 0)
            return
        }
        var d = diagonal
        var e = offDiagonal + [0]
        var w = [Double](repeating: 0, count: n)
        var z = Matrix(rows: n, columns: n)
        var isuppz = [Int32](repeating: 0, count: 2 * n)
        var found: Int32 = 0
        let ldz = z.leadingDimension
        try d.withUnsafeMutableBufferPointer { (dp) throws(LinearAlgebraError) in
            try e.withUnsafeMutableBufferPointer { (ep) throws(LinearAlgebraError) in
                try w.withUnsafeMutableBufferPointer { (wp) throws(LinearAlgebraError) in
                    try z.elements.withUnsafeMutableBufferPointer { (zp) throws(LinearAlgebraError) in
                        try lapack("dstevr", arguments: ["matrix_layout", "jobz", "range", "n", "d", "e", "vl", "vu",
                                                         "il", "iu", "abstol", "m", "w", "z", "ldz", "isuppz"],
                                   positive: .noConvergence) {
                            LAPACKE_dstevr(lapackColumnMajor, lapackChar("V"), lapackChar("A"), cInt(n),
                                           dp.baseAddress, ep.baseAddress, 0, 0, 0, 0, 0, &found,
                                           wp.baseAddress, zp.baseAddress, ldz, &isuppz)
                        }
                    }
                }
            }
        }
        precondition(Int(found) == n, "dstevr found \(found) of \(n) eigenvalues with range A")
        eigenvalues = w
        eigenvectors = z
    }
}
