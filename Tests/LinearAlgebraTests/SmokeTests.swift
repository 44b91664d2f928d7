import Testing
import LinearAlgebra

@Suite struct SmokeTests {
    @Test func qrOfSmallMatrixReconstructs() throws {
        let a = Matrix(rowMajor: [[1, 2], [3, 4], [5, 6]])
        let f = try QRFactorization(a)
        let back = f.q * f.r
        #expect(back.maxAbsDifference(a) < 1e-12)
    }
}
