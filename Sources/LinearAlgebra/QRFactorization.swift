internal import CLAPACKE

/// A = Q R for an m×n matrix A (LAPACK dgeqrf), with k = min(m, n): thin Q is m×k with
/// orthonormal columns, R is k×n upper triangular (upper trapezoidal when m < n).
///
/// Q is kept in LAPACK's compact Householder form; `q` forms it on demand, and
/// `applyQ`/`projection` use it without forming it (cheaper when m is large).
public struct QRFactorization: Sendable {
    public let rows: Int
    public let columns: Int
    /// R (k×n, zeros below the diagonal).
    public let r: Matrix
    /// dgeqrf's output: R on and above the diagonal, Householder vectors below it.
    internal let householder: Matrix
    internal let tau: [Double]

    /// min(rows, columns): the number of columns of `q` and rows of `r`.
    public var rank: Int { tau.count }

    /// Factors `a`; pass it as the last use of a variable to avoid a copy of its storage.
    /// Throws `.nonFiniteEntry` if `a` holds ±∞ or NaN.
    public init(_ a: consuming Matrix) throws(LinearAlgebraError) {
        a.checkStorage()
        try requireFinite(a, routine: "dgeqrf")
        let m = a.rows, n = a.columns, k = Swift.min(m, n)
        var tau = [Double](repeating: 0, count: k)
        let lda = a.leadingDimension
        try a.elements.withUnsafeMutableBufferPointer { (ap) throws(LinearAlgebraError) in
            try tau.withUnsafeMutableBufferPointer { (tp) throws(LinearAlgebraError) in
                try lapack("dgeqrf", arguments: ["matrix_layout", "m", "n", "a", "lda", "tau"]) {
                    LAPACKE_dgeqrf(lapackColumnMajor, cInt(m), cInt(n), ap.baseAddress, lda, tp.baseAddress)
                }
            }
        }
        var r = Matrix(rows: k, columns: n)
        for j in 0..<n {
            for i in 0..<Swift.min(j + 1, k) { r.elements[i + j * k] = a.elements[i + j * m] }
        }
        self.rows = m
        self.columns = n
        self.r = r
        self.tau = tau
        self.householder = a
    }

    /// Thin Q (m×k, orthonormal columns), formed with dorgqr.
    public var q: Matrix {
        let m = rows, k = rank
        var q = householder.leadingColumns(k)
        let lda = q.leadingDimension
        q.elements.withUnsafeMutableBufferPointer { qp in
            tau.withUnsafeBufferPointer { tp in
                var query = 0.0
                lapackInfallible("dorgqr", arguments: Self.orgqrArguments) {
                    LAPACKE_dorgqr_work(lapackColumnMajor, cInt(m), cInt(k), cInt(k), qp.baseAddress, lda,
                                        tp.baseAddress, &query, -1)
                }
                var work = [Double](repeating: 0, count: Swift.max(1, Int(query)))
                let lwork = cInt(work.count)
                work.withUnsafeMutableBufferPointer { wp in
                    lapackInfallible("dorgqr", arguments: Self.orgqrArguments) {
                        LAPACKE_dorgqr_work(lapackColumnMajor, cInt(m), cInt(k), cInt(k), qp.baseAddress, lda,
                                            tp.baseAddress, wp.baseAddress, lwork)
                    }
                }
            }
        }
        return q
    }

    /// x ← Q x or x ← Qᵀ x in place, with the FULL m×m orthogonal Q of the factorization
    /// (dormqr), for x of length m. The first k entries of Qᵀx are the coordinates of x in
    /// the thin Q's columns.
    public func applyQ(_ x: inout [Double], transpose: Transpose = .none) {
        precondition(x.count == rows, "applyQ: x has length \(x.count), Q is \(rows)×\(rows)")
        let m = rows, k = rank
        let trans = lapackChar(transpose == .none ? "N" : "T")
        let lda = householder.leadingDimension
        let ldc = cInt(Swift.max(1, m))
        householder.elements.withUnsafeBufferPointer { ap in
            tau.withUnsafeBufferPointer { tp in
                x.withUnsafeMutableBufferPointer { xp in
                    // dormqr does not modify A; LAPACKE declares it non-const.
                    let a = UnsafeMutablePointer(mutating: ap.baseAddress)
                    var query = 0.0
                    lapackInfallible("dormqr", arguments: Self.ormqrArguments) {
                        LAPACKE_dormqr_work(lapackColumnMajor, lapackChar("L"), trans, cInt(m), 1, cInt(k),
                                            a, lda, tp.baseAddress, xp.baseAddress, ldc, &query, -1)
                    }
                    var work = [Double](repeating: 0, count: Swift.max(1, Int(query)))
                    let lwork = cInt(work.count)
                    work.withUnsafeMutableBufferPointer { wp in
                        lapackInfallible("dormqr", arguments: Self.ormqrArguments) {
                            LAPACKE_dormqr_work(lapackColumnMajor, lapackChar("L"), trans, cInt(m), 1, cInt(k),
                                                a, lda, tp.baseAddress, xp.baseAddress, ldc,
                                                wp.baseAddress, lwork)
                        }
                    }
                }
            }
        }
    }

    /// Qᵀ x with the thin Q (length k): the coordinates of x's projection in the columns of `q`.
    /// Because Q's leading columns span A's leading columns, the first j of them are the
    /// coordinates for the prefix A[:, 0..<j] too, so one factorization serves nested prefixes.
    public func coordinates(_ x: [Double]) -> [Double] {
        var y = x
        applyQ(&y, transpose: .transposed)
        return Array(y[0..<rank])
    }

    /// Q Qᵀ x with the thin Q: the orthogonal projection of x onto span(q), which is the
    /// column space of A when A has full rank k.
    public func projection(_ x: [Double]) -> [Double] {
        projection(x, ontoLeadingColumns: rank)
    }

    /// Projection of x onto the span of the first `j` columns of `q` (j ≤ k), which is the span
    /// of A's first j columns when those have full rank: nested prefixes from one factorization.
    public func projection(_ x: [Double], ontoLeadingColumns j: Int) -> [Double] {
        precondition(j >= 0 && j <= rank, "projection: j = \(j) outside 0...\(rank)")
        var y = x
        applyQ(&y, transpose: .transposed)
        for i in j..<rows { y[i] = 0 }
        applyQ(&y, transpose: .none)
        return y
    }

    private static let orgqrArguments = ["matrix_layout", "m", "n", "k", "a", "lda", "tau", "work", "lwork"]
    private static let ormqrArguments = ["matrix_layout", "side", "trans", "m", "n", "k", "a", "lda", "tau",
                                         "c", "ldc", "work", "lwork"]
}
