import Testing
@testable import LinearAlgebra

/// The one checking function that every LAPACKE call goes through, fed LAPACK's info codes.
@Suite struct LAPACKInfoTests {
    func reason(_ info: Int32, _ positive: PositiveInfo? = nil) -> LinearAlgebraError? {
        do {
            try lapack("dxxxxx", arguments: ["matrix_layout", "n", "a", "lda"], positive: positive) { info }
            return nil
        } catch {
            return error
        }
    }

    @Test func zeroIsSuccess() {
        #expect(reason(0) == nil)
    }

    @Test func negativeInfoNamesTheArgument() throws {
        let e = try #require(reason(-3))
        #expect(e.routine == "dxxxxx" && e.info == -3)
        #expect(e.reason == .illegalArgument(index: 3, name: "a"))
        #expect(e.description.contains("argument 3 (a)"))
    }

    @Test func positiveInfoIsReadPerRoutine() {
        #expect(reason(2, .notPositiveDefinite)?.reason == .notPositiveDefinite(minor: 2))
        #expect(reason(5, .singular)?.reason == .singular(pivot: 5))
        #expect(reason(1, .noConvergence)?.reason == .noConvergence(count: 1))
    }

    @Test func memoryErrorsAreOutOfMemory() {
        #expect(reason(-1010)?.reason == .outOfMemory)
        #expect(reason(-1011)?.reason == .outOfMemory)
    }

    @Test func firstNonFiniteIndexFindsOnlyNonFinite() {
        #expect(firstNonFiniteIndex([]) == nil)
        #expect(firstNonFiniteIndex([1e308, -1e308, .leastNonzeroMagnitude, 0]) == nil)
        #expect(firstNonFiniteIndex([0, 1, .infinity, .nan]) == 2)
        #expect(firstNonFiniteIndex([.nan]) == 0)
    }
}
