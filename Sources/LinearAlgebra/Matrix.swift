/// A dense matrix of `Double` stored in COLUMN-MAJOR order: element (i, j) lives at
/// `elements[i + j * rows]`. Column-major is what BLAS and LAPACK expect, so the wrappers in
/// this module pass `elements` to C without reordering.
///
/// Invariant: `elements.count == rows * columns`. `elements` is mutable for in-place work
/// on hot paths; every wrapper that hands memory to C re-checks the invariant.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    public var elements: [Double]

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// `elements` in column-major order.
    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        precondition(elements.count == rows * columns,
                     "Matrix \(rows)×\(columns) needs \(rows * columns) elements, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// Literal convenience: one inner array per row, as matrices are written on paper.
    /// An empty outer array gives a 0×0 matrix.
    public init(rowMajor rowArrays: [[Double]]) {
        let m = rowArrays.count
        let n = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == n }, "Ragged rows in Matrix(rowMajor:)")
        var e = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n { e[i + j * m] = rowArrays[i][j] }
        }
        self.init(rows: m, columns: n, elements: e)
    }

    /// Columns given as vectors of equal length (for example the points of a transfer set).
    public init(columnVectors: [[Double]], rows: Int? = nil) {
        let m = rows ?? columnVectors.first?.count ?? 0
        precondition(columnVectors.allSatisfy { $0.count == m }, "Column vectors must all have length \(m)")
        var e = [Double]()
        e.reserveCapacity(m * columnVectors.count)
        for c in columnVectors { e.append(contentsOf: c) }
        self.init(rows: m, columns: columnVectors.count, elements: e)
    }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.elements[i + i * n] = 1 }
        return m
    }

    /// A matrix with `diagonal` on its diagonal and zeros elsewhere.
    public static func diagonal(_ diagonal: [Double]) -> Matrix {
        let n = diagonal.count
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.elements[i + i * n] = diagonal[i] }
        return m
    }

    public subscript(i: Int, j: Int) -> Double {
        get {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns,
                         "Index (\(i), \(j)) out of range for \(rows)×\(columns) matrix")
            return elements[i + j * rows]
        }
        set {
            precondition(i >= 0 && i < rows && j >= 0 && j < columns,
                         "Index (\(i), \(j)) out of range for \(rows)×\(columns) matrix")
            elements[i + j * rows] = newValue
        }
    }

    public var isSquare: Bool { rows == columns }

    public var transposed: Matrix {
        var t = [Double](repeating: 0, count: elements.count)
        let m = rows, n = columns
        elements.withUnsafeBufferPointer { src in
            t.withUnsafeMutableBufferPointer { dst in
                // Blocked so both reads and writes stay within cache lines.
                let b = 32
                var jb = 0
                while jb < n {
                    let je = Swift.min(jb + b, n)
                    var ib = 0
                    while ib < m {
                        let ie = Swift.min(ib + b, m)
                        for j in jb..<je {
                            for i in ib..<ie { dst[j + i * n] = src[i + j * m] }
                        }
                        ib = ie
                    }
                    jb = je
                }
            }
        }
        return Matrix(rows: n, columns: m, elements: t)
    }

    public func column(_ j: Int) -> [Double] {
        precondition(j >= 0 && j < columns, "Column \(j) out of range for \(rows)×\(columns) matrix")
        return Array(elements[(j * rows)..<((j + 1) * rows)])
    }

    public func row(_ i: Int) -> [Double] {
        precondition(i >= 0 && i < rows, "Row \(i) out of range for \(rows)×\(columns) matrix")
        return (0..<columns).map { elements[i + $0 * rows] }
    }

    /// Copy of the sub-matrix with the given row and column ranges.
    public func block(rows r: Range<Int>, columns c: Range<Int>) -> Matrix {
        precondition(r.lowerBound >= 0 && r.upperBound <= rows && c.lowerBound >= 0 && c.upperBound <= columns,
                     "Block \(r)×\(c) out of range for \(rows)×\(columns) matrix")
        var e = [Double]()
        e.reserveCapacity(r.count * c.count)
        for j in c {
            e.append(contentsOf: elements[(r.lowerBound + j * rows)..<(r.upperBound + j * rows)])
        }
        return Matrix(rows: r.count, columns: c.count, elements: e)
    }

    /// The first `k` columns; one contiguous copy thanks to column-major storage.
    public func leadingColumns(_ k: Int) -> Matrix {
        precondition(k >= 0 && k <= columns, "leadingColumns(\(k)) out of range for \(rows)×\(columns) matrix")
        return Matrix(rows: rows, columns: k, elements: Array(elements[0..<(k * rows)]))
    }

    /// ‖A‖_F, computed with BLAS nrm2 so it neither overflows nor underflows.
    public var frobeniusNorm: Double { norm2(elements) }

    /// Largest |a_ij − b_ij|; NaN if any entry of either is NaN.
    public func maxAbsDifference(_ other: Matrix) -> Double {
        precondition(rows == other.rows && columns == other.columns,
                     "Shape mismatch: \(rows)×\(columns) vs \(other.rows)×\(other.columns)")
        var worst = 0.0
        for k in elements.indices {
            let d = abs(elements[k] - other.elements[k])
            if d.isNaN { return .nan }
            worst = Swift.max(worst, d)
        }
        return worst
    }

    internal func checkStorage() {
        precondition(elements.count == rows * columns,
                     "Matrix \(rows)×\(columns) has \(elements.count) elements; its storage was resized")
    }

    /// Leading dimension for BLAS/LAPACK, which require it to be at least 1 even for empty matrices.
    internal var leadingDimension: Int32 { cInt(Swift.max(1, rows)) }
}

extension Matrix {
    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns,
                     "Shape mismatch in +: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
        var c = a
        axpy(1, b.elements, &c.elements)
        return c
    }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns,
                     "Shape mismatch in -: \(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns)")
        var c = a
        axpy(-1, b.elements, &c.elements)
        return c
    }

    public static func * (alpha: Double, a: Matrix) -> Matrix {
        var c = a
        scale(alpha, &c.elements)
        return c
    }

    /// A x.
    public static func * (a: Matrix, x: [Double]) -> [Double] { gemv(a, x) }

    /// A B.
    public static func * (a: Matrix, b: Matrix) -> Matrix { gemm(a, b) }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        var lines = ["Matrix \(rows)×\(columns)"]
        for i in 0..<Swift.min(rows, 8) {
            var cells = (0..<Swift.min(columns, 8)).map { String(self[i, $0]) }
            if columns > 8 { cells.append("…") }
            lines.append("  [" + cells.joined(separator: ", ") + "]")
        }
        if rows > 8 { lines.append("  …") }
        return lines.joined(separator: "\n")
    }
}

/// Converts a dimension to the 32-bit integer of the C interfaces; larger is a programmer error.
@inline(__always)
internal func cInt(_ n: Int) -> Int32 {
    guard let v = Int32(exactly: n) else {
        preconditionFailure("Dimension \(n) does not fit the 32-bit BLAS/LAPACK interface")
    }
    return v
}
