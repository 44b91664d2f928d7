import Testing
import LinearAlgebra

/// Odd, non-square sizes push OpenBLAS through its blocked kernels and their edge loops;
/// the results are checked against plain loops written out here.
@Suite struct KernelPathTests {
    static func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows {
            for j in 0..<b.columns {
                var s = 0.0
                for k in 0..<a.columns { s += a[i, k] * b[k, j] }
                c[i, j] = s
            }
        }
        return c
    }

    @Test(arguments: [(37, 53, 29), (1, 64, 1), (65, 1, 33), (128, 17, 5)])
    func gemmAndGemvAgreeWithLoops(m: Int, k: Int, n: Int) {
        let a = sampleMatrix(rows: m, columns: k, seed: 0.3)
        let b = sampleMatrix(rows: k, columns: n, seed: 1.1)
        let expected = Self.naiveProduct(a, b)
        #expect(close(gemm(a, b), expected, 1e-12))
        #expect(close(gemm(a.transposed, b.transposed, transposeA: .transposed, transposeB: .transposed),
                      expected, 1e-12))
        let x = b.column(0)
        #expect(close(a * x, expected.column(0), 1e-12))
        #expect(close(gemv(a.transposed, x, transpose: .transposed), expected.column(0), 1e-12))
    }

    @Test func syrkAgreesWithLoopsInBothForms() {
        let a = sampleMatrix(rows: 33, columns: 70, seed: 2)
        #expect(close(syrk(a), Self.naiveProduct(a, a.transposed), 1e-12))
        #expect(close(syrk(a, transpose: .transposed), Self.naiveProduct(a.transposed, a), 1e-12))
    }

    @Test func dotAndNorm2AgreeWithLoops() {
        let x = (0..<1001).map { Double($0 % 13) - 6.5 }
        let y = (0..<1001).map { Double($0 % 7) * 0.25 }
        var s = 0.0, q = 0.0
        for i in x.indices { s += x[i] * y[i]; q += x[i] * x[i] }
        #expect(close(dot(x, y), s, 1e-13))
        #expect(close(norm2(x), q.squareRoot(), 1e-13))
    }

    @Test func eigenOfLargerGramMatrixReconstructs() throws {
        let x = sampleMatrix(rows: 60, columns: 40, seed: 4)
        let g = syrk(x, transpose: .transposed)
        let e = try symmetricEigen(g)
        #expect(zip(e.eigenvalues, e.eigenvalues.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(e.eigenvalues.first! > 0)
        #expect((e.applying { $0 } - g).frobeniusNorm <= 1e-12 * g.frobeniusNorm)
        let inverseRoot = e.applying { 1 / $0.squareRoot() }
        let shouldBeIdentity = inverseRoot * g * inverseRoot
        #expect((shouldBeIdentity - Matrix.identity(40)).frobeniusNorm <= 1e-9)
    }
}
