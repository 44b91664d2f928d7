import Testing
import Foundation
import LinearAlgebra

// Reference values from NumPy (numpy.linalg.qr also calls LAPACK dgeqrf, so signs agree):
//   T=np.array([[1,2],[3,4],[5,6.]]); q,r=np.linalg.qr(T); r.tolist(); q.tolist()
//   xp=np.array([1,-2,0.5]); list(T@np.linalg.solve(T.T@T,T.T@xp))
@Suite struct QRFactorizationTests {
    /// ‖QR − A‖/‖A‖ ≤ 1e-12, ‖QᵀQ − I‖ ≤ 1e-12, R exactly zero below the diagonal, shapes thin.
    func checkFactorization(_ a: Matrix) throws {
        let f = try QRFactorization(a)
        let k = min(a.rows, a.columns)
        let q = f.q
        #expect(f.rank == k)
        #expect(q.rows == a.rows && q.columns == k)
        #expect(f.r.rows == k && f.r.columns == a.columns)
        let residual = (q * f.r - a).frobeniusNorm
        #expect(residual <= 1e-12 * max(a.frobeniusNorm, .leastNormalMagnitude))
        let orthogonality = (gemm(q, q, transposeA: .transposed) - Matrix.identity(k)).frobeniusNorm
        #expect(orthogonality <= 1e-12)
        var belowDiagonal = 0.0
        for j in 0..<f.r.columns { for i in 0..<f.r.rows where i > j { belowDiagonal += abs(f.r[i, j]) } }
        #expect(belowDiagonal == 0)
    }

    @Test(arguments: [(6, 3), (3, 5), (4, 4), (200, 17), (1, 1), (1, 4), (4, 1)])
    func reconstructsTallWideSquare(rows: Int, columns: Int) throws {
        try checkFactorization(sampleMatrix(rows: rows, columns: columns, seed: Double(rows)))
    }

    @Test func matchesNumPy() throws {
        let f = try QRFactorization(Matrix(rowMajor: [[1, 2], [3, 4], [5, 6]]))
        #expect(close(f.r, Matrix(rowMajor: [[-5.916079783099616, -7.437357441610946], [0, 0.828078671210825]]), 1e-14))
        #expect(close(f.q, Matrix(rowMajor: [[-0.16903085094570325, 0.8970852271450607],
                                             [-0.50709255283711, 0.27602622373694136],
                                             [-0.8451542547285166, -0.34503277967117696]]), 1e-14))
    }

    @Test func projectionOntoColumnSpace() throws {
        let f = try QRFactorization(Matrix(rowMajor: [[1, 2], [3, 4], [5, 6]]))
        let p = f.projection([1, -2, 0.5])
        #expect(close(p, [0.08333333333333254, -0.1666666666666669, -0.41666666666666635], 1e-13))
        #expect(close(f.projection(p), p, 1e-13))
    }

    @Test func applyQRoundTripsAndGivesCoordinates() throws {
        let a = sampleMatrix(rows: 30, columns: 4, seed: 5)
        let f = try QRFactorization(a)
        let x = (0..<30).map { Double($0 % 7) - 3 }
        var y = x
        f.applyQ(&y, transpose: .transposed)
        #expect(close(Array(y[0..<4]), gemv(f.q, x, transpose: .transposed), 1e-12))
        f.applyQ(&y)
        #expect(close(y, x, 1e-12))
    }

    @Test func zeroMatrixFactorsWithZeroR() throws {
        let a = Matrix(rows: 5, columns: 3)
        let f = try QRFactorization(a)
        #expect(f.r.frobeniusNorm == 0)
        #expect((f.q * f.r - a).frobeniusNorm == 0)
        #expect((gemm(f.q, f.q, transposeA: .transposed) - Matrix.identity(3)).frobeniusNorm <= 1e-15)
    }

    @Test(arguments: [1e150, 1e-150])
    func extremeMagnitudesReconstruct(magnitude: Double) throws {
        try checkFactorization(magnitude * sampleMatrix(rows: 8, columns: 3, seed: 7))
    }

    @Test func emptyShapesGiveEmptyFactors() throws {
        let noColumns = try QRFactorization(Matrix(rows: 5, columns: 0))
        #expect(noColumns.q.rows == 5 && noColumns.q.columns == 0)
        #expect(noColumns.r.rows == 0 && noColumns.r.columns == 0)
        #expect(noColumns.projection([1, 2, 3, 4, 5]) == [0, 0, 0, 0, 0])
        let noRows = try QRFactorization(Matrix(rows: 0, columns: 3))
        #expect(noRows.q.rows == 0 && noRows.q.columns == 0)
        #expect(noRows.r.rows == 0 && noRows.r.columns == 3)
    }

    @Test func nonFiniteInputThrowsNamingTheEntry() {
        var a = sampleMatrix(rows: 4, columns: 3)
        a[2, 1] = .infinity
        do {
            _ = try QRFactorization(a)
            Issue.record("infinite input did not throw")
        } catch {
            #expect(error.routine == "dgeqrf")
            #expect(error.reason == .nonFiniteEntry(row: 2, column: 1, value: .infinity))
        }
        a[2, 1] = .nan
        do {
            _ = try QRFactorization(a)
            Issue.record("NaN input did not throw")
        } catch {
            #expect(error.reason == .nonFiniteEntry(row: 2, column: 1, value: .nan))
            #expect(error.description.contains("(2, 1)"))
        }
    }
}

@Suite struct QRPrefixTests {
    @Test func oneFactorizationProjectsOntoEveryPrefix() throws {
        let a = sampleMatrix(rows: 12, columns: 5, seed: 9)
        let f = try QRFactorization(a)
        let x = (0..<12).map { cos(Double($0)) }
        for j in 0...5 {
            let direct = try QRFactorization(a.leadingColumns(j)).projection(x)
            #expect(close(f.projection(x, ontoLeadingColumns: j), direct, 1e-12))
        }
        let c = f.coordinates(x)
        #expect(c.count == 5)
        #expect(close(norm2(c), norm2(f.projection(x)), 1e-12))
    }

    @Test(arguments: [0, 1, 7, 8, 9, 31, 32, 33, 998, 999])
    func nonFiniteEntryIsFoundAtAnyPosition(position: Int) {
        // Exercises the unrolled body and the tail of the BLAS kernel behind the fast check.
        var a = Matrix(rows: 100, columns: 10, repeating: 1e300)
        a.elements[position] = position % 2 == 0 ? .nan : -.infinity
        do {
            _ = try QRFactorization(a)
            Issue.record("non-finite entry at \(position) not found")
        } catch {
            guard case let .nonFiniteEntry(row, column, _) = error.reason else {
                Issue.record("wrong reason \(error.reason)")
                return
            }
            #expect(row + 100 * column == position)
        }
    }
}
