internal import CLAPACKE

/// X with A X = B for a general square A (LAPACK dgesv, LU with partial pivoting).
/// Throws `.singular(pivot:)` when U has an exact zero on its diagonal.
public func solveLinear(_ a: Matrix, _ b: Matrix) throws(LinearAlgebraError) -> Matrix {
    a.checkStorage(); b.checkStorage()
    precondition(a.isSquare, "solveLinear: A must be square, got \(a.rows)×\(a.columns)")
    precondition(b.rows == a.rows, "solveLinear: B has \(b.rows) rows, A is \(a.rows)×\(a.columns)")
    try requireFinite(a, routine: "dgesv")
    try requireFinite(b, routine: "dgesv")
    let n = a.rows
    var lu = a
    var x = b
    var pivots = [Int32](repeating: 0, count: n)
    let lda = lu.leadingDimension, ldb = x.leadingDimension
    try lu.elements.withUnsafeMutableBufferPointer { (ap) throws(LinearAlgebraError) in
        try x.elements.withUnsafeMutableBufferPointer { (xp) throws(LinearAlgebraError) in
            try pivots.withUnsafeMutableBufferPointer { (pp) throws(LinearAlgebraError) in
                try lapack("dgesv", arguments: ["matrix_layout", "n", "nrhs", "a", "lda", "ipiv", "b", "ldb"],
                           positive: .singular) {
                    LAPACKE_dgesv(lapackColumnMajor, cInt(n), cInt(b.columns), ap.baseAddress, lda,
                                  pp.baseAddress, xp.baseAddress, ldb)
                }
            }
        }
    }
    return x
}

/// x with A x = b for a general square A (LAPACK dgesv).
public func solveLinear(_ a: Matrix, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
    try solveLinear(a, Matrix(rows: b.count, columns: 1, elements: b)).elements
}
