internal import CBLAS

/// Whether an operand enters a product as itself or as its transpose (op(A) = A or Aᵀ).
public enum Transpose: Sendable, Hashable {
    case none
    case transposed

    internal var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Which triangle of a square matrix holds a triangular factor.
public enum Triangle: Sendable, Hashable {
    case upper
    case lower

    internal var cblas: CBLAS_UPLO { self == .upper ? CblasUpper : CblasLower }
}

/// Side of the triangular matrix in a matrix solve: op(A) X = B (left) or X op(A) = B (right).
public enum Side: Sendable, Hashable {
    case left
    case right

    internal var cblas: CBLAS_SIDE { self == .left ? CblasLeft : CblasRight }
}

// MARK: - Level 2

/// y ← α op(A) x + β y. With β = 0 the old contents of y are ignored (NaN in y does not leak).
public func gemv(_ a: Matrix, _ x: [Double], into y: inout [Double],
                 transpose: Transpose = .none, alpha: Double = 1, beta: Double = 0) {
    a.checkStorage()
    let (outRows, inRows) = transpose == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    precondition(x.count == inRows,
                 "gemv: x has length \(x.count), op(A) is \(outRows)×\(inRows)")
    precondition(y.count == outRows,
                 "gemv: y has length \(y.count), op(A) is \(outRows)×\(inRows)")
    if beta == 0 { for i in y.indices { y[i] = 0 } }
    a.elements.withUnsafeBufferPointer { ap in
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                cblas_dgemv(CblasColMajor, transpose.cblas, cInt(a.rows), cInt(a.columns),
                            alpha, ap.baseAddress, a.leadingDimension,
                            xp.baseAddress, 1, beta, yp.baseAddress, 1)
            }
        }
    }
}

/// α op(A) x as a new vector.
public func gemv(_ a: Matrix, _ x: [Double], transpose: Transpose = .none, alpha: Double = 1) -> [Double] {
    var y = [Double](repeating: 0, count: transpose == .none ? a.rows : a.columns)
    gemv(a, x, into: &y, transpose: transpose, alpha: alpha, beta: 0)
    return y
}

/// Solves op(A) x = b in place (b becomes x) for triangular A; only `triangle` of A is read.
/// A singular A (a zero on the diagonal) gives ±∞/NaN entries, not an error.
public func trsv(_ a: Matrix, _ b: inout [Double], triangle: Triangle,
                 transpose: Transpose = .none, unitDiagonal: Bool = false) {
    triangularInPlace("trsv", cblas_dtrsv, a, &b, triangle: triangle, transpose: transpose, unitDiagonal: unitDiagonal)
}

/// x ← op(A) x in place for triangular A; only `triangle` of A is read.
public func trmv(_ a: Matrix, _ x: inout [Double], triangle: Triangle,
                 transpose: Transpose = .none, unitDiagonal: Bool = false) {
    triangularInPlace("trmv", cblas_dtrmv, a, &x, triangle: triangle, transpose: transpose, unitDiagonal: unitDiagonal)
}

/// The level-2 triangular routines (dtrsv, dtrmv) share their arguments: checked once here.
private func triangularInPlace(
    _ name: String,
    _ routine: (CBLAS_ORDER, CBLAS_UPLO, CBLAS_TRANSPOSE, CBLAS_DIAG, Int32, UnsafePointer<Double>?, Int32,
                UnsafeMutablePointer<Double>?, Int32) -> Void,
    _ a: Matrix, _ x: inout [Double], triangle: Triangle, transpose: Transpose, unitDiagonal: Bool
) {
    a.checkStorage()
    precondition(a.isSquare, "\(name): A must be square, got \(a.rows)×\(a.columns)")
    precondition(x.count == a.rows, "\(name): the vector has length \(x.count), A is \(a.rows)×\(a.columns)")
    a.elements.withUnsafeBufferPointer { ap in
        x.withUnsafeMutableBufferPointer { xp in
            routine(CblasColMajor, triangle.cblas, transpose.cblas, unitDiagonal ? CblasUnit : CblasNonUnit,
                    cInt(a.rows), ap.baseAddress, a.leadingDimension, xp.baseAddress, 1)
        }
    }
}

/// The solution x of op(A) x = b for triangular A.
public func solveTriangular(_ a: Matrix, _ b: [Double], triangle: Triangle,
                            transpose: Transpose = .none, unitDiagonal: Bool = false) -> [Double] {
    var x = b
    trsv(a, &x, triangle: triangle, transpose: transpose, unitDiagonal: unitDiagonal)
    return x
}

// MARK: - Level 3

/// C ← α op(A) op(B) + β C. With β = 0 the old contents of C are ignored.
public func gemm(_ a: Matrix, _ b: Matrix, into c: inout Matrix,
                 transposeA: Transpose = .none, transposeB: Transpose = .none,
                 alpha: Double = 1, beta: Double = 0) {
    a.checkStorage(); b.checkStorage(); c.checkStorage()
    let (m, k) = transposeA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    let (kb, n) = transposeB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
    precondition(k == kb, "gemm: op(A) is \(m)×\(k) but op(B) is \(kb)×\(n)")
    precondition(c.rows == m && c.columns == n, "gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
    if beta == 0 { for i in c.elements.indices { c.elements[i] = 0 } }
    let ldc = c.leadingDimension
    a.elements.withUnsafeBufferPointer { ap in
        b.elements.withUnsafeBufferPointer { bp in
            c.elements.withUnsafeMutableBufferPointer { cp in
                cblas_dgemm(CblasColMajor, transposeA.cblas, transposeB.cblas,
                            cInt(m), cInt(n), cInt(k), alpha,
                            ap.baseAddress, a.leadingDimension, bp.baseAddress, b.leadingDimension,
                            beta, cp.baseAddress, ldc)
            }
        }
    }
}

/// α op(A) op(B) as a new matrix.
public func gemm(_ a: Matrix, _ b: Matrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
                 alpha: Double = 1) -> Matrix {
    let m = transposeA == .none ? a.rows : a.columns
    let n = transposeB == .none ? b.columns : b.rows
    var c = Matrix(rows: m, columns: n)
    gemm(a, b, into: &c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: 0)
    return c
}

/// C ← α A Aᵀ + β C (`transpose: .none`) or C ← α Aᵀ A + β C (`.transposed`), BLAS syrk.
/// Both triangles of C are filled on return, so C is the full symmetric matrix; C must be
/// symmetric on entry when β ≠ 0 (its upper triangle is what is read).
public func syrk(_ a: Matrix, into c: inout Matrix, transpose: Transpose = .none,
                 alpha: Double = 1, beta: Double = 0) {
    a.checkStorage(); c.checkStorage()
    let (n, k) = transpose == .none ? (a.rows, a.columns) : (a.columns, a.rows)
    precondition(c.rows == n && c.columns == n, "syrk: C is \(c.rows)×\(c.columns), expected \(n)×\(n)")
    if beta == 0 { for i in c.elements.indices { c.elements[i] = 0 } }
    let ldc = c.leadingDimension
    a.elements.withUnsafeBufferPointer { ap in
        c.elements.withUnsafeMutableBufferPointer { cp in
            cblas_dsyrk(CblasColMajor, CblasUpper, transpose.cblas, cInt(n), cInt(k),
                        alpha, ap.baseAddress, a.leadingDimension, beta, cp.baseAddress, ldc)
            // Mirror the upper triangle into the lower one.
            for j in 0..<n {
                for i in (j + 1)..<Swift.max(j + 1, n) { cp[i + j * n] = cp[j + i * n] }
            }
        }
    }
}

/// α A Aᵀ (`.none`) or α Aᵀ A (`.transposed`) as a full symmetric matrix (a Gram matrix).
public func syrk(_ a: Matrix, transpose: Transpose = .none, alpha: Double = 1) -> Matrix {
    let n = transpose == .none ? a.rows : a.columns
    var c = Matrix(rows: n, columns: n)
    syrk(a, into: &c, transpose: transpose, alpha: alpha, beta: 0)
    return c
}

/// Solves op(A) X = α B (`.left`) or X op(A) = α B (`.right`) in place (B becomes X) for
/// triangular A; only `triangle` of A is read.
public func trsm(_ a: Matrix, _ b: inout Matrix, triangle: Triangle, transpose: Transpose = .none,
                 side: Side = .left, alpha: Double = 1, unitDiagonal: Bool = false) {
    a.checkStorage(); b.checkStorage()
    precondition(a.isSquare, "trsm: A must be square, got \(a.rows)×\(a.columns)")
    let needed = side == .left ? b.rows : b.columns
    precondition(a.rows == needed,
                 "trsm: A is \(a.rows)×\(a.columns) but B is \(b.rows)×\(b.columns) (side \(side))")
    let (m, n) = (b.rows, b.columns)
    let ldb = b.leadingDimension
    a.elements.withUnsafeBufferPointer { ap in
        b.elements.withUnsafeMutableBufferPointer { bp in
            cblas_dtrsm(CblasColMajor, side.cblas, triangle.cblas, transpose.cblas,
                        unitDiagonal ? CblasUnit : CblasNonUnit, cInt(m), cInt(n), alpha,
                        ap.baseAddress, a.leadingDimension, bp.baseAddress, ldb)
        }
    }
}

/// The solution X of op(A) X = B (`.left`) or X op(A) = B (`.right`) for triangular A.
public func solveTriangular(_ a: Matrix, _ b: Matrix, triangle: Triangle, transpose: Transpose = .none,
                            side: Side = .left, unitDiagonal: Bool = false) -> Matrix {
    var x = b
    trsm(a, &x, triangle: triangle, transpose: transpose, side: side, unitDiagonal: unitDiagonal)
    return x
}
