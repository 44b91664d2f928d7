import Foundation
import Testing
import LinearAlgebra

/// The symmetric tridiagonal eigendecomposition (dstevr) and the triangular product (dtrmv) that
/// the Lanczos tail of the linear flow is built from.
@Suite struct TridiagonalEigendecompositionTests {
    /// The n × n second-difference matrix tridiag(−1, 2, −1) has eigenvalues 2 − 2 cos(jπ/(n + 1)),
    /// j = 1…n, with eigenvectors sin(ijπ/(n + 1)).
    @Test func secondDifferenceMatrixHasItsKnownSpectrum() throws {
        let n = 40
        let t = try TridiagonalEigendecomposition(diagonal: Array(repeating: 2, count: n),
                                                  offDiagonal: Array(repeating: -1, count: n - 1))
        let expected = (1...n).map { 2 - 2 * cos(Double($0) * .pi / Double(n + 1)) }
        #expect(close(t.eigenvalues, expected, 1e-13))
        // First eigenvector ∝ sin(iπ/(n + 1)), up to sign, unit norm.
        let v = (0..<n).map { t.eigenvectors[$0, 0] }
        var exact = (1...n).map { sin(Double($0) * .pi / Double(n + 1)) }
        let size = exact.reduce(0) { $0 + $1 * $1 }.squareRoot()
        exact = exact.map { $0 / size * (v[0] < 0 ? -1 : 1) }
        #expect(close(v, exact, 1e-12))
    }

    @Test func eigenvectorsReconstructTheMatrixAndAreOrthonormal() throws {
        let d = [4.0, 1e-3, -2, 7, 0.5], e = [1.0, -3, 1e-8, 2]
        let t = try TridiagonalEigendecomposition(diagonal: d, offDiagonal: e)
        #expect(t.eigenvalues == t.eigenvalues.sorted())
        var dense = Matrix(rows: 5, columns: 5)
        for i in 0..<5 { dense[i, i] = d[i] }
        for i in 0..<4 { dense[i + 1, i] = e[i]; dense[i, i + 1] = e[i] }
        var scaled = t.eigenvectors
        for j in 0..<5 { for i in 0..<5 { scaled[i, j] *= t.eigenvalues[j] } }
        #expect(close(gemm(scaled, t.eigenvectors, transposeB: .transposed), dense, 1e-12))
        #expect(close(gemm(t.eigenvectors, t.eigenvectors, transposeA: .transposed), Matrix.identity(5), 1e-13))
    }

    @Test func smallAndDegenerateSizes() throws {
        let empty = try TridiagonalEigendecomposition(diagonal: [], offDiagonal: [])
        #expect(empty.eigenvalues.isEmpty)
        let one = try TridiagonalEigendecomposition(diagonal: [-3.5], offDiagonal: [])
        #expect(close(one.eigenvalues, [-3.5]))
        #expect(close(abs(one.eigenvectors[0, 0]), 1))
        // A zero off-diagonal splits T: the eigenvalues are the diagonal's.
        let split = try TridiagonalEigendecomposition(diagonal: [3, 1, 2], offDiagonal: [0, 0])
        #expect(close(split.eigenvalues, [1, 2, 3]))
        // Huge and tiny magnitudes keep their relative accuracy.
        let scaled = try TridiagonalEigendecomposition(diagonal: [2e150, 2e150], offDiagonal: [-1e150])
        #expect(close(scaled.eigenvalues[0] / 1e150, 1, 1e-14) && close(scaled.eigenvalues[1] / 1e150, 3, 1e-14))
        let tiny = try TridiagonalEigendecomposition(diagonal: [2e-150, 2e-150], offDiagonal: [-1e-150])
        #expect(close(tiny.eigenvalues[0] / 1e-150, 1, 1e-14) && close(tiny.eigenvalues[1] / 1e-150, 3, 1e-14))
    }

    @Test func nonFiniteEntriesAreRefused() {
        #expect(throws: LinearAlgebraError.self) {
            try TridiagonalEigendecomposition(diagonal: [1, .nan], offDiagonal: [0])
        }
        #expect(throws: LinearAlgebraError.self) {
            try TridiagonalEigendecomposition(diagonal: [1, 2], offDiagonal: [.infinity])
        }
    }

    @Test func triangularProductMatchesTheDenseOne() {
        let a = sampleMatrix(rows: 6, columns: 6, seed: 3)
        let x = (0..<6).map { Double($0) - 2.5 }
        for triangle in [Triangle.upper, .lower] {
            let dense = triangular(a, triangle)
            for transpose in [Transpose.none, .transposed] {
                var y = x
                trmv(a, &y, triangle: triangle, transpose: transpose)
                #expect(close(y, gemv(dense, x, transpose: transpose), 1e-13))
            }
        }
    }
}
