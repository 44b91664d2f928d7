import Testing
import LinearAlgebra

// Reference values from NumPy:
//   Sp=np.array([[4,2,0.4],[2,5,1],[0.4,1,3.]]); b=np.array([1,2,3.])
//   np.linalg.cholesky(Sp).tolist(); list(np.linalg.solve(Sp,b)); np.linalg.slogdet(Sp)
//   Bm=np.array([[1,0],[0,1],[2,-1.]]); np.linalg.solve(Sp,Bm).tolist()
//   N3=np.array([[2,1,1],[1,2,1],[1,1,-5.]]); [np.linalg.det(N3[:k,:k]) for k in (1,2,3)] -> 2, 3, -17
@Suite struct CholeskyFactorizationTests {
    static let spd = Matrix(rowMajor: [[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]])

    @Test func factorMatchesNumPyAndReconstructs() throws {
        let c = try CholeskyFactorization(Self.spd)
        #expect(close(c.lower, Matrix(rowMajor: [[2, 0, 0], [1, 2, 0], [0.2, 0.4, 1.6733200530681511]]), 1e-14))
        #expect(close(gemm(c.lower, c.lower, transposeB: .transposed), Self.spd, 1e-14))
        #expect(close(c.logDeterminant, 3.802208139420939, 1e-14))
    }

    /// Without the condition estimate the factor is the same (only the norm dpocon needs is skipped).
    @Test func factorWithoutConditionEstimateIsTheSame() throws {
        let a = try CholeskyFactorization(Self.spd), b = try CholeskyFactorization(Self.spd, estimatingCondition: false)
        #expect(close(b.lower, a.lower, 0))
        #expect(close(b.solve([1, 2, 3]), a.solve([1, 2, 3]), 0))
    }

    @Test func readsOnlyTheLowerTriangle() throws {
        var junkAbove = Self.spd
        junkAbove[0, 2] = 1e6
        junkAbove[0, 1] = .pi
        let c = try CholeskyFactorization(junkAbove)
        #expect(close(c.lower, try CholeskyFactorization(Self.spd).lower))
    }

    @Test func solvesVectorAndMatrix() throws {
        let c = try CholeskyFactorization(Self.spd)
        #expect(close(c.solve([1, 2, 3]), [0.0625, 0.18928571428571428, 0.9285714285714285], 1e-14))
        let x = c.solve(Matrix(rowMajor: [[1, 0], [0, 1], [2, -1]]))
        var inPlace = Matrix(rowMajor: [[1, 0], [0, 1], [2, -1]])
        c.solveInPlace(&inPlace)
        #expect(close(inPlace, x))
        var v = [1.0, 2, 3]
        c.solveInPlace(&v)
        #expect(close(v, [0.0625, 0.18928571428571428, 0.9285714285714285], 1e-14))
        #expect(close(x, Matrix(rowMajor: [[0.3125, -0.125], [-0.2678571428571429, 0.33571428571428574],
                                           [0.7142857142857143, -0.42857142857142855]]), 1e-14))
    }

    @Test func largerGramMatrixSolvesWithSmallResidual() throws {
        let x = sampleMatrix(rows: 40, columns: 12, seed: 3)
        let gram = syrk(x, transpose: .transposed)
        let c = try CholeskyFactorization(gram)
        let rhs = (0..<12).map { Double($0) }
        let sol = c.solve(rhs)
        #expect(close(gram * sol, rhs, 1e-10))
    }

    @Test(arguments: [
        (Matrix(rowMajor: [[-1, 0], [0, 1]]), 1),
        (Matrix(rowMajor: [[1, 2], [2, 1]]), 2),
        (Matrix(rowMajor: [[2, 1, 1], [1, 2, 1], [1, 1, -5]]), 3),
        (Matrix(rows: 3, columns: 3), 1),
    ])
    func notPositiveDefiniteNamesTheMinor(matrix: Matrix, minor: Int) {
        do {
            _ = try CholeskyFactorization(matrix)
            Issue.record("expected a not-positive-definite error")
        } catch {
            #expect(error.routine == "dpotrf")
            #expect(error.info == minor)
            #expect(error.reason == .notPositiveDefinite(minor: minor))
            #expect(error.description.contains("leading minor of order \(minor)"))
        }
    }

    @Test func nonFiniteInputThrows() {
        var a = Self.spd
        a[1, 0] = -.infinity
        #expect(throws: LinearAlgebraError.self) { try CholeskyFactorization(a) }
    }

    @Test func oneByOneAndEmpty() throws {
        let c = try CholeskyFactorization(Matrix(rowMajor: [[9]]))
        #expect(close(c.lower[0, 0], 3))
        #expect(close(c.solve([6]), [6.0 / 9]))
        let e = try CholeskyFactorization(Matrix(rows: 0, columns: 0))
        #expect(e.solve([]).isEmpty && e.logDeterminant == 0)
    }

    /// dpocon against cond₁ from the explicit inverse: exact for a diagonal matrix, a lower bound
    /// on cond₁ within a small factor otherwise, and tiny for the Gram matrix of two nearly
    /// parallel points (cond ≈ 4e12) that dpotrf still factors.
    @Test func reciprocalConditionEstimatesTheOneNormCondition() throws {
        #expect(close(try CholeskyFactorization(Matrix.diagonal([4, 1e-4, 2])).reciprocalCondition, 1e-4 / 4, 1e-12))
        func oneNorm(_ m: Matrix) -> Double {
            (0..<m.columns).map { j in (0..<m.rows).reduce(0.0) { $0 + abs(m[$1, j]) } }.max()!
        }
        let c = try CholeskyFactorization(Self.spd)
        let exact = 1 / (oneNorm(Self.spd) * oneNorm(c.solve(Matrix.identity(3))))
        #expect(c.reciprocalCondition >= exact * (1 - 1e-12) && c.reciprocalCondition <= 3 * exact)
        let nearlyParallel = try CholeskyFactorization(syrk(Matrix(rowMajor: [[1, 0, 0], [1, 1e-6, 0]])))
        #expect(nearlyParallel.reciprocalCondition > 0 && nearlyParallel.reciprocalCondition < 1e-11)
    }

    @Test func nanRightHandSidePropagates() throws {
        let c = try CholeskyFactorization(Self.spd)
        #expect(c.solve([.nan, 0, 0]).allSatisfy { $0.isNaN })
    }
}
