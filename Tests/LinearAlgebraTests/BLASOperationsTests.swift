import Testing
import LinearAlgebra

// Reference values from NumPy 1.x/2.x (python3, numpy):
//   A=np.array([[1,-2],[0.5,3],[4,-1]]); x=np.array([2,-1.]); y0=np.ones(3)
//   list(2*A@x-0.5*y0)                                   -> [7.5, -4.5, 17.5]
//   x3=np.array([1,2,-3.]); y2=np.array([0.5,-1]); list(-1*A.T@x3+3*y2) -> [11.5, -10.0]
//   A=np.array([[1,2,3],[-1,0.5,2]]); B=np.array([[2,0,-1,1],[1,3,0.25,-2],[0,-1,4,0.5]])
//   (1.5*A@B-2*np.ones((2,4))).tolist() -> [[4,2.5,15.25,-4.25],[-4.25,-2.75,11.6875,-3.5]]
//   S=np.array([[1,2],[-3,0.5],[4,-1]]); (S@S.T).tolist(); (S.T@S).tolist()
//   L=np.array([[2,0,0],[-1,3,0],[0.5,1,4.]]); b=np.array([1,2,3.])
//   list(np.linalg.solve(L,b)) -> [0.5, 0.8333333333333334, 0.4791666666666667]
//   list(np.linalg.solve(L.T,b)) -> [0.5208333333333334, 0.4166666666666667, 0.75]
@Suite struct BLASOperationsTests {
    let a = Matrix(rowMajor: [[1, -2], [0.5, 3], [4, -1]])

    @Test func gemvNoTransposeWithAlphaBeta() {
        var y = [1.0, 1, 1]
        gemv(a, [2, -1], into: &y, alpha: 2, beta: -0.5)
        #expect(close(y, [7.5, -4.5, 17.5]))
        #expect(close(a * [2, -1], [4, -2, 9]))
    }

    @Test func gemvTransposedWithAlphaBeta() {
        var y = [0.5, -1]
        gemv(a, [1, 2, -3], into: &y, transpose: .transposed, alpha: -1, beta: 3)
        #expect(close(y, [11.5, -10]))
        #expect(close(gemv(a, [1, 2, -3], transpose: .transposed), [-10, 7]))
    }

    @Test func gemvBetaZeroIgnoresOldContents() {
        var y = [Double.nan, .infinity, -.infinity]
        gemv(a, [2, -1], into: &y)
        #expect(close(y, [4, -2, 9]))
    }

    @Test func gemvPropagatesNaN() {
        let y = gemv(a, [.nan, 1])
        #expect(y.allSatisfy { $0.isNaN })
        var withNaN = a
        withNaN[1, 0] = .nan
        let z = gemv(withNaN, [2, -1])
        #expect(z[1].isNaN)
        #expect(close(z[0], 4) && close(z[2], 9))
        let t = gemv(withNaN, [1, 1, 1], transpose: .transposed)
        #expect(t[0].isNaN && close(t[1], 0))
    }

    @Test func gemvOfZeroMatrixAndEmptyShapes() {
        #expect(gemv(Matrix(rows: 3, columns: 2), [1e300, -1e300]) == [0, 0, 0])
        // k = 0 columns: A x is the zero vector of length rows.
        #expect(gemv(Matrix(rows: 3, columns: 0), []) == [0, 0, 0])
        #expect(gemv(Matrix(rows: 0, columns: 2), [1, 2]).isEmpty)
        #expect(close(gemv(Matrix(rowMajor: [[3]]), [2]), [6]))
    }

    static let gemmA = Matrix(rowMajor: [[1, 2, 3], [-1, 0.5, 2]])
    static let gemmB = Matrix(rowMajor: [[2, 0, -1, 1], [1, 3, 0.25, -2], [0, -1, 4, 0.5]])
    static let gemmExpected = Matrix(rowMajor: [[4, 2.5, 15.25, -4.25], [-4.25, -2.75, 11.6875, -3.5]])

    @Test(arguments: [(Transpose.none, Transpose.none), (.none, .transposed),
                      (.transposed, .none), (.transposed, .transposed)])
    func gemmAllTransposeCombinations(transposeA: Transpose, transposeB: Transpose) {
        // Store each operand so that op(stored) is the original; the product must not change.
        let storedA = transposeA == .none ? Self.gemmA : Self.gemmA.transposed
        let storedB = transposeB == .none ? Self.gemmB : Self.gemmB.transposed
        var c = Matrix(rows: 2, columns: 4, repeating: 1)
        gemm(storedA, storedB, into: &c, transposeA: transposeA, transposeB: transposeB, alpha: 1.5, beta: -2)
        #expect(close(c, Self.gemmExpected))
        let plain = gemm(storedA, storedB, transposeA: transposeA, transposeB: transposeB, alpha: 1.5)
        #expect(close(plain, 1.5 * (Self.gemmA * Self.gemmB)))
    }

    @Test func gemmHugeAndTinyMagnitudes() {
        let big = Matrix(rowMajor: [[1e150, 0], [0, 1e-150]])
        let p = big * big
        #expect(close(p[0, 0] / 1e300, 1) && close(p[1, 1] / 1e-300, 1))
        #expect(p[0, 1] == 0 && p[1, 0] == 0)
    }

    @Test func gemmEmptyInnerDimensionGivesZero() {
        let c = gemm(Matrix(rows: 2, columns: 0), Matrix(rows: 0, columns: 3))
        #expect(c == Matrix(rows: 2, columns: 3))
    }

    static let s = Matrix(rowMajor: [[1, 2], [-3, 0.5], [4, -1]])

    @Test func syrkBothFormsAreFullAndSymmetric() {
        let aat = syrk(Self.s)
        #expect(close(aat, Matrix(rowMajor: [[5, -2, 2], [-2, 9.25, -12.5], [2, -12.5, 17]])))
        #expect(aat.maxAbsDifference(aat.transposed) == 0)
        let ata = syrk(Self.s, transpose: .transposed)
        #expect(close(ata, Matrix(rowMajor: [[26, -3.5], [-3.5, 5.25]])))
        #expect(ata.maxAbsDifference(ata.transposed) == 0)
    }

    @Test func syrkLargerAgreesWithGemm() {
        let m = sampleMatrix(rows: 50, columns: 7)
        let g = syrk(m, transpose: .transposed, alpha: 2)
        #expect(close(g, gemm(m, m, transposeA: .transposed, alpha: 2), 1e-12))
        #expect(g.maxAbsDifference(g.transposed) == 0)
    }

    @Test func syrkWithBetaAccumulates() {
        var c = Matrix.identity(2)
        syrk(Self.s, into: &c, transpose: .transposed, alpha: 0.5, beta: 3)
        #expect(close(c, Matrix(rowMajor: [[16, -1.75], [-1.75, 5.625]])))
    }

    // Only the named triangle is read: the other one holds junk.
    static let full = Matrix(rowMajor: [[2, 99, -7], [-1, 3, 55], [0.5, 1, 4]])
    static let b = [1.0, 2, 3]

    @Test func trsvAgainstReference() {
        #expect(close(solveTriangular(Self.full, Self.b, triangle: .lower), [0.5, 0.8333333333333334, 0.4791666666666667]))
        #expect(close(solveTriangular(Self.full, Self.b, triangle: .lower, transpose: .transposed),
                      [0.5208333333333334, 0.4166666666666667, 0.75]))
        // Uᵀ of the same numbers: upper(Lᵀ) solves like Lᵀ.
        let u = triangular(Self.full, .lower).transposed
        #expect(close(solveTriangular(u, Self.b, triangle: .upper), [0.5208333333333334, 0.4166666666666667, 0.75]))
    }

    @Test(arguments: [Triangle.upper, .lower], [Transpose.none, .transposed])
    func trsvResiduals(triangle: Triangle, transpose: Transpose) {
        let m = sampleMatrix(rows: 6, columns: 6, seed: 1) + 3 * Matrix.identity(6)
        let rhs = (0..<6).map { Double($0) - 2.5 }
        for unit in [false, true] {
            let x = solveTriangular(m, rhs, triangle: triangle, transpose: transpose, unitDiagonal: unit)
            let t = triangular(m, triangle, unitDiagonal: unit)
            #expect(close(gemv(t, x, transpose: transpose), rhs, 1e-12))
        }
    }

    @Test(arguments: [Triangle.upper, .lower], [Transpose.none, .transposed])
    func trsmResidualsBothSides(triangle: Triangle, transpose: Transpose) {
        let m = sampleMatrix(rows: 4, columns: 4, seed: 2) + 3 * Matrix.identity(4)
        let t = triangular(m, triangle)
        let left = sampleMatrix(rows: 4, columns: 3, seed: 3)
        let x = solveTriangular(m, left, triangle: triangle, transpose: transpose, side: .left)
        #expect(close(gemm(t, x, transposeA: transpose), left, 1e-12))
        let right = sampleMatrix(rows: 5, columns: 4, seed: 4)
        let y = solveTriangular(m, right, triangle: triangle, transpose: transpose, side: .right)
        #expect(close(gemm(y, t, transposeB: transpose), right, 1e-12))
        var scaledX = left
        trsm(m, &scaledX, triangle: triangle, transpose: transpose, alpha: 2)
        #expect(close(scaledX, 2 * x, 1e-12))
    }

    @Test func triangularSolveOneByOneAndEmpty() {
        #expect(close(solveTriangular(Matrix(rowMajor: [[4]]), [2], triangle: .upper), [0.5]))
        #expect(solveTriangular(Matrix(rows: 0, columns: 0), [], triangle: .lower).isEmpty)
        let x = solveTriangular(Matrix.identity(3), Matrix(rows: 3, columns: 0), triangle: .lower)
        #expect(x.rows == 3 && x.columns == 0)
    }
}
