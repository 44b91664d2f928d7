import Testing
import LinearAlgebra

@Suite struct MatrixTests {
    @Test func storageIsColumnMajor() {
        let m = Matrix(rowMajor: [[1, 2, 3], [4, 5, 6]])
        #expect(m.rows == 2 && m.columns == 3)
        #expect(m.elements == [1, 4, 2, 5, 3, 6])
        #expect(m[1, 2] == 6)
        let same = Matrix(rows: 2, columns: 3, elements: [1, 4, 2, 5, 3, 6])
        #expect(same == m)
    }

    @Test func repeatingAndIdentityAndDiagonal() {
        let z = Matrix(rows: 2, columns: 3, repeating: 7)
        #expect(z.elements.allSatisfy { $0 == 7 })
        let i3 = Matrix.identity(3)
        #expect(i3 == Matrix(rowMajor: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
        #expect(Matrix.diagonal([2, 3]) == Matrix(rowMajor: [[2, 0], [0, 3]]))
    }

    @Test func columnVectorsBuildColumns() {
        let m = Matrix(columnVectors: [[1, 2], [3, 4], [5, 6]])
        #expect(m.rows == 2 && m.columns == 3)
        #expect(m.column(1) == [3, 4])
        #expect(m.row(0) == [1, 3, 5])
    }

    @Test func subscriptSetWritesOneElement() {
        var m = Matrix(rows: 2, columns: 2)
        m[0, 1] = 5
        #expect(m.elements == [0, 0, 5, 0])
    }

    @Test func transposeSwapsIndices() {
        let m = sampleMatrix(rows: 37, columns: 70)
        let t = m.transposed
        #expect(t.rows == 70 && t.columns == 37)
        var mismatches = 0
        for i in 0..<37 { for j in 0..<70 where t[j, i] != m[i, j] { mismatches += 1 } }
        #expect(mismatches == 0)
        #expect(t.transposed == m)
    }

    @Test func rowsColumnsBlocksAndLeadingColumns() {
        let m = Matrix(rowMajor: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
        #expect(m.column(2) == [3, 7, 11])
        #expect(m.row(1) == [5, 6, 7, 8])
        #expect(m.block(rows: 1..<3, columns: 1..<3) == Matrix(rowMajor: [[6, 7], [10, 11]]))
        #expect(m.leadingColumns(2) == Matrix(rowMajor: [[1, 2], [5, 6], [9, 10]]))
        let none = m.leadingColumns(0)
        #expect(none.rows == 3 && none.columns == 0 && none.elements.isEmpty)
        let emptyBlock = m.block(rows: 0..<0, columns: 1..<3)
        #expect(emptyBlock.rows == 0 && emptyBlock.columns == 2)
    }

    @Test func emptyShapesAreValid() {
        let e = Matrix(rowMajor: [])
        #expect(e.rows == 0 && e.columns == 0)
        let tall = Matrix(rows: 4, columns: 0)
        #expect(tall.transposed.rows == 0 && tall.transposed.columns == 4)
        #expect(tall.frobeniusNorm == 0)
    }

    @Test func arithmeticAndNorms() {
        let a = Matrix(rowMajor: [[1, 2], [3, 4]])
        let b = Matrix(rowMajor: [[0.5, -1], [2, 0]])
        #expect(close(a + b, Matrix(rowMajor: [[1.5, 1], [5, 4]])))
        #expect(close(a - b, Matrix(rowMajor: [[0.5, 3], [1, 4]])))
        #expect(close(2 * a, Matrix(rowMajor: [[2, 4], [6, 8]])))
        #expect(close(a.frobeniusNorm, 30.0.squareRoot()))
        #expect(close(a.maxAbsDifference(b), 4))
        var withNaN = a
        withNaN[1, 1] = .nan
        #expect(withNaN.maxAbsDifference(a).isNaN)
    }
}
