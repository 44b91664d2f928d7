import Testing
import LinearAlgebra

// Reference values from NumPy:
//   Sp=np.array([[4,2,0.4],[2,5,1],[0.4,1,3.]]); w,v=np.linalg.eigh(Sp); list(w)
//   (v@np.diag(np.sqrt(w))@v.T).tolist()
//   G=np.array([[0,2,1],[1,1,-1],[3,0,2.]]); list(np.linalg.solve(G,np.array([1,2,3.])))
@Suite struct SymmetricEigendecompositionTests {
    static let spd = Matrix(rowMajor: [[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]])

    @Test func eigenvaluesAscendingMatchNumPy() throws {
        let e = try symmetricEigen(Self.spd)
        #expect(close(e.eigenvalues, [2.2564722211479875, 2.901971219300918, 6.841556559551098], 1e-14))
        let v = e.eigenvectors
        #expect((gemm(v, v, transposeA: .transposed) - Matrix.identity(3)).frobeniusNorm <= 1e-14)
        #expect(close(e.applying { $0 }, Self.spd, 1e-14))
    }

    @Test func squareRootMatchesNumPy() throws {
        let root = try symmetricEigen(Self.spd).applying { $0.squareRoot() }
        #expect(close(root, Matrix(rowMajor: [
            [1.9395012585532028, 0.48212004476324677, 0.07677975324281283],
            [0.4821200447632468, 2.1693359919577784, 0.2480758279922797],
            [0.07677975324281287, 0.24807582799227967, 1.7124728473928912]]), 1e-14))
        #expect(close(root * root, Self.spd, 1e-13))
    }

    @Test func zeroAndOneByOneAndEmpty() throws {
        let z = try symmetricEigen(Matrix(rows: 4, columns: 4))
        #expect(z.eigenvalues.allSatisfy { $0 == 0 })
        #expect(close(try symmetricEigen(Matrix(rowMajor: [[-2.5]])).eigenvalues, [-2.5]))
        #expect(try symmetricEigen(Matrix(rows: 0, columns: 0)).eigenvalues.isEmpty)
    }

    @Test func nonFiniteInputThrows() {
        var a = Self.spd
        a[0, 2] = .nan
        #expect(throws: LinearAlgebraError.self) { try symmetricEigen(a) }
    }
}

@Suite struct LinearSolveTests {
    @Test func solvesAgainstNumPy() throws {
        let g = Matrix(rowMajor: [[0, 2, 1], [1, 1, -1], [3, 0, 2]])
        let x = try solveLinear(g, [1, 2, 3])
        #expect(close(x, [1.153846153846154, 0.6153846153846154, -0.23076923076923078], 1e-14))
        let bm = Matrix(columnVectors: [[1, 2, 3], [0, 0, 1]])
        let xm = try solveLinear(g, bm)
        #expect(close(g * xm, bm, 1e-14))
    }

    @Test func singularMatrixNamesThePivot() {
        do {
            _ = try solveLinear(Matrix(rowMajor: [[1, 2], [2, 4]]), [1, 1])
            Issue.record("expected a singular-matrix error")
        } catch {
            #expect(error.reason == .singular(pivot: 2))
            #expect(error.description.contains("singular"))
        }
    }
}
