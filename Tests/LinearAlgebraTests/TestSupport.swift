import Foundation
import LinearAlgebra

/// |a − b| ≤ tolerance · max(1, |b|); false for NaN.
func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-13) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}

func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-13) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { close($0, $1, tolerance) }
}

func close(_ a: Matrix, _ b: Matrix, _ tolerance: Double = 1e-13) -> Bool {
    a.rows == b.rows && a.columns == b.columns && close(a.elements, b.elements, tolerance)
}

/// A deterministic, dense, well-scaled test matrix (no random generator needed).
func sampleMatrix(rows: Int, columns: Int, seed: Double = 0) -> Matrix {
    var m = Matrix(rows: rows, columns: columns)
    for j in 0..<columns {
        for i in 0..<rows {
            m[i, j] = sin(1.7 * Double(i) + 0.9 * Double(j) * Double(j + 1) + seed) + 0.1 * Double(i == j ? 1 : 0)
        }
    }
    return m
}

/// The triangle of `a` with the other entries set to zero (and optionally a unit diagonal).
func triangular(_ a: Matrix, _ triangle: Triangle, unitDiagonal: Bool = false) -> Matrix {
    var t = a
    for j in 0..<a.columns {
        for i in 0..<a.rows {
            let keep = triangle == .upper ? i <= j : i >= j
            if !keep { t[i, j] = 0 }
            if unitDiagonal && i == j { t[i, j] = 1 }
        }
    }
    return t
}
