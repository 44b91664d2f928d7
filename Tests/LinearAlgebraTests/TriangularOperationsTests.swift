import Testing
import LinearAlgebra

/// (UᵀU)⁻¹ from a triangular U (dpotri), the triangular condition estimate (dtrcon) and the
/// triangularity test.
@Suite struct TriangularOperationsTests {
    /// An upper triangular U with a negative diagonal entry (a QR's R may have one).
    static let upper = Matrix(rowMajor: [[2, -1, 0.5], [0, -3, 1], [0, 0, 0.25]])

    @Test func gramInverseIsTheInverseOfUTransposeU() throws {
        let gram = gemm(Self.upper, Self.upper, transposeA: .transposed)
        let inverse = try gramInverse(upper: Self.upper)
        #expect(close(gemm(inverse, gram), Matrix.identity(3), 1e-12))
        // Both triangles are filled (symmetric), matching the Cholesky route.
        #expect(close(inverse, try CholeskyFactorization(gram).solve(Matrix.identity(3)), 1e-12))
        #expect(inverse.maxAbsDifference(inverse.transposed) == 0)
        // Only the upper triangle is read.
        var junkBelow = Self.upper
        junkBelow[2, 0] = 1e6
        #expect(close(try gramInverse(upper: junkBelow), inverse, 0))
    }

    @Test func gramInverseRejectsZeroPivotsAndNonFiniteEntries() {
        var singular = Self.upper
        singular[1, 1] = 0
        #expect(throws: LinearAlgebraError.self) { try gramInverse(upper: singular) }
        var nan = Self.upper
        nan[0, 2] = .nan
        #expect(throws: LinearAlgebraError.self) { try gramInverse(upper: nan) }
        #expect((try? gramInverse(upper: Matrix(rows: 0, columns: 0)))?.elements.isEmpty == true)
    }

    @Test func triangularConditionEstimatesTheOneAndInfinityNorms() {
        func norm(_ m: Matrix, one: Bool) -> Double {
            let n = m.rows
            return (0..<n).map { j in (0..<n).reduce(0.0) { $0 + abs(one ? m[$1, j] : m[j, $1]) } }.max()!
        }
        let inverse = solveTriangular(Self.upper, Matrix.identity(3), triangle: .upper)
        for (kind, one) in [(ConditionNorm.one, true), (.infinity, false)] {
            let exact = 1 / (norm(Self.upper, one: one) * norm(inverse, one: one))
            let estimate = triangularReciprocalCondition(Self.upper, triangle: .upper, norm: kind)
            #expect(estimate >= exact * (1 - 1e-12) && estimate <= 3 * exact, "\(kind): \(estimate) vs \(exact)")
        }
        #expect(close(triangularReciprocalCondition(Matrix.diagonal([4, 1e-4, 2]), triangle: .upper), 1e-4 / 4, 1e-12))
        var singular = Self.upper
        singular[2, 2] = 0
        #expect(triangularReciprocalCondition(singular, triangle: .upper) == 0)
    }

    @Test func upperTriangularityIsExact() {
        #expect(isUpperTriangular(Self.upper))
        var below = Self.upper
        below[1, 0] = 1e-300
        #expect(!isUpperTriangular(below))
        #expect(!isUpperTriangular(Matrix(rows: 2, columns: 3)))
    }
}
