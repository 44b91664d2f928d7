import Testing
import LinearAlgebra

@Suite struct VectorOperationsTests {
    @Test func dotAxpyScale() {
        #expect(close(dot([1, 2, 3], [4, -5, 0.5]), -4.5))
        #expect(dot([], []) == 0)
        var y = [1.0, 1, 1]
        axpy(2, [1, -1, 0.5], &y)
        #expect(close(y, [3, -1, 2]))
        var x = [1.0, -2, 4]
        scale(-0.5, &x)
        #expect(close(x, [-0.5, 1, -2]))
        #expect(close(scaled(3, [1, 2]), [3, 6]))
    }

    @Test func norm2OfSimpleVectors() {
        #expect(close(norm2([3, 4]), 5))
        #expect(norm2([]) == 0)
        #expect(norm2([0, 0, 0]) == 0)
        #expect(close(norm2([-2]), 2))
    }

    @Test(arguments: [1e150, 1e200, 1e300, 1e-150, 1e-200, 1e-300])
    func norm2NeitherOverflowsNorUnderflows(magnitude: Double) {
        // Naive Σx² overflows to ∞ above ~1e154 and underflows to 0 below ~1e-154.
        let n = norm2([magnitude, -magnitude, magnitude, magnitude])
        #expect(close(n, 2 * magnitude, 1e-14))
    }

    @Test func norm2OfInfinityIsInfinity() {
        #expect(norm2([1, .infinity, 2]) == .infinity)
    }
}
