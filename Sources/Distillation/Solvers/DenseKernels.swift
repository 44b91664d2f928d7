#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Small dense kernels for the reduced problems (sizes n × n, n the transfer-set size).
// Column-major storage throughout, like BLAS/LAPACK.

/// Euclidean norm, scaled so that huge and tiny entries neither overflow nor underflow.
func scaledNorm(_ x: UnsafeBufferPointer<Double>) -> Double {
    var largest = 0.0
    for v in x { largest = max(largest, abs(v)) }
    if largest == 0 || !largest.isFinite { return largest }
    var sum = 0.0
    for v in x { let s = v / largest; sum += s * s }
    return largest * sum.squareRoot()
}

func scaledNorm(_ x: [Double]) -> Double {
    x.withUnsafeBufferPointer { scaledNorm($0) }
}

func dotProduct(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "dot: lengths \(x.count) and \(y.count) differ")
    var s = 0.0
    for i in x.indices { s += x[i] * y[i] }
    return s
}

/// Householder QR of a rows × columns matrix (column-major), as LAPACK's dgeqrf stores it:
/// R on and above the diagonal, the reflectors' tails below it.
///
/// Without pivoting, so that the factor of the first k columns is the leading block of the
/// factor of all columns: one factorization serves every nested prefix of a transfer set.
struct HouseholderQR: Sendable {
    let rows: Int
    let columns: Int
    private(set) var packed: [Double]
    private(set) var tau: [Double]

    var reflectorCount: Int { min(rows, columns) }

    init(rows: Int, columns: Int, columnMajor: [Double]) {
        precondition(columnMajor.count == rows * columns, "QR: element count mismatch")
        self.rows = rows
        self.columns = columns
        self.packed = columnMajor
        self.tau = []
        let count = min(rows, columns)
        tau.reserveCapacity(count)
        for j in 0..<count {
            tau.append(reflect(column: j))
        }
    }

    /// Forms the reflector that zeroes packed[j+1..<rows, j] and applies it to the later columns.
    private mutating func reflect(column j: Int) -> Double {
        let base = j * rows
        let alpha = packed[base + j]
        let tailNorm = packed.withUnsafeBufferPointer {
            scaledNorm(UnsafeBufferPointer(rebasing: $0[(base + j + 1)..<(base + rows)]))
        }
        if tailNorm == 0 { return 0 }
        let norm = hypot(alpha, tailNorm)
        let beta = alpha >= 0 ? -norm : norm
        let tauJ = (beta - alpha) / beta
        let inverse = 1 / (alpha - beta)
        for i in (j + 1)..<rows { packed[base + i] *= inverse }
        packed[base + j] = beta
        for c in (j + 1)..<columns {
            let cb = c * rows
            var s = packed[cb + j]
            for i in (j + 1)..<rows { s += packed[base + i] * packed[cb + i] }
            s *= tauJ
            packed[cb + j] -= s
            for i in (j + 1)..<rows { packed[cb + i] -= s * packed[base + i] }
        }
        return tauJ
    }

    /// R[i, j] (zero below the diagonal).
    func r(_ i: Int, _ j: Int) -> Double {
        i <= j ? packed[j * rows + i] : 0
    }

    private func applyReflector(_ j: Int, to x: inout [Double]) {
        let t = tau[j]
        if t == 0 { return }
        let base = j * rows
        var s = x[j]
        for i in (j + 1)..<rows { s += packed[base + i] * x[i] }
        s *= t
        x[j] -= s
        for i in (j + 1)..<rows { x[i] -= s * packed[base + i] }
    }

    /// x ← Qᵀ x for x of length `rows`; the first reflectorCount entries are the thin coordinates.
    func applyQTranspose(_ x: inout [Double]) {
        precondition(x.count == rows, "Qᵀx: length \(x.count), expected \(rows)")
        for j in 0..<reflectorCount { applyReflector(j, to: &x) }
    }

    /// x ← Q x for x of length `rows`.
    func applyQ(_ x: inout [Double]) {
        precondition(x.count == rows, "Qx: length \(x.count), expected \(rows)")
        for j in stride(from: reflectorCount - 1, through: 0, by: -1) { applyReflector(j, to: &x) }
    }
}

/// Cholesky factor L (lower, column-major) of a symmetric positive definite p × p matrix, or nil.
func choleskyFactor(_ a: [Double], order p: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: p * p)
    for j in 0..<p {
        var d = a[j * p + j]
        for k in 0..<j { d -= l[k * p + j] * l[k * p + j] }
        if !(d > 0) || !d.isFinite { return nil }
        let ljj = d.squareRoot()
        l[j * p + j] = ljj
        for i in (j + 1)..<p {
            var s = a[j * p + i]
            for k in 0..<j { s -= l[k * p + i] * l[k * p + j] }
            l[j * p + i] = s / ljj
        }
    }
    return l
}

/// Solves L Lᵀ x = b with a factor from `choleskyFactor`.
func choleskySolve(_ l: [Double], order p: Int, _ b: [Double]) -> [Double] {
    var y = b
    for i in 0..<p {
        var s = y[i]
        for k in 0..<i { s -= l[k * p + i] * y[k] }
        y[i] = s / l[i * p + i]
    }
    for i in stride(from: p - 1, through: 0, by: -1) {
        var s = y[i]
        for k in (i + 1)..<p { s -= l[i * p + k] * y[k] }
        y[i] = s / l[i * p + i]
    }
    return y
}

/// Eigenvalues and eigenvectors (columns, column-major) of a symmetric p × p matrix by cyclic
/// Jacobi rotations: slow for large p but accurate, and p is a transfer-set size here.
func symmetricEigen(_ a: [Double], order p: Int) -> (values: [Double], vectors: [Double]) {
    var m = a
    var v = [Double](repeating: 0, count: p * p)
    for i in 0..<p { v[i * p + i] = 1 }
    var total = 0.0
    for x in m { total += x * x }
    let threshold = 1e-30 * total
    for _ in 0..<100 {
        var off = 0.0
        for j in 0..<p { for i in 0..<j { off += 2 * m[j * p + i] * m[j * p + i] } }
        if off <= threshold { break }
        for q in 1..<max(p, 1) {
            for pp in 0..<q {
                let apq = m[q * p + pp]
                if apq == 0 { continue }
                let app = m[pp * p + pp], aqq = m[q * p + q]
                let theta = (aqq - app) / (2 * apq)
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<p {
                    let mkp = m[pp * p + k], mkq = m[q * p + k]
                    m[pp * p + k] = c * mkp - s * mkq
                    m[q * p + k] = s * mkp + c * mkq
                }
                for k in 0..<p {
                    let mpk = m[k * p + pp], mqk = m[k * p + q]
                    m[k * p + pp] = c * mpk - s * mqk
                    m[k * p + q] = s * mpk + c * mqk
                }
                for k in 0..<p {
                    let vkp = v[pp * p + k], vkq = v[q * p + k]
                    v[pp * p + k] = c * vkp - s * vkq
                    v[q * p + k] = s * vkp + c * vkq
                }
            }
        }
    }
    return ((0..<p).map { m[$0 * p + $0] }, v)
}
