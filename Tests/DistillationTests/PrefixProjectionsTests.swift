import Foundation
import LinearAlgebra
import Testing
@testable import Distillation

/// The Gram/Cholesky route to P_k w* against the QR route of `LinearDistillationProblem`.
@Suite struct PrefixProjectionsTests {
    /// Gaussian points with coordinate j scaled by j^{−1/2} (anisotropic), n < d.
    static func points(n: Int, d: Int, seed: UInt64, anisotropic: Bool) -> Matrix {
        var x = StudentFixtures.points(n: n, d: d, seed: seed)
        if anisotropic {
            for j in 0..<d {
                for i in 0..<n { x[i, j] /= Double(j + 1).squareRoot() }
            }
        }
        return x
    }

    @Test(arguments: [false, true], [UInt64(1), 2, 3])
    func anglesAndWeightsMatchTheQRRouteAtEveryPrefix(anisotropic: Bool, seed: UInt64) throws {
        let n = 40, d = 60
        let x = Self.points(n: n, d: d, seed: seed, anisotropic: anisotropic)
        let teacher = try StudentFixtures.teacher(d: d, norm: 2, seed: seed)
        let projections = try #require(PrefixProjections(points: x, teacher: teacher))
        let qr = try LinearDistillationProblem(points: x, teacher: teacher)
        for k in 1...n {
            let student = qr.solve(prefix: k, solver: .closed)
            let angle = projections.angle(prefix: k)
            #expect(abs(angle - student.angleToTeacher) <= 1e-11 * student.angleToTeacher, "k = \(k)")
            let difference = StudentFixtures.relativeDifference(projections.weights(prefix: k), qr.weights(of: student))
            #expect(difference < 1e-11, "k = \(k): weights differ by \(difference)")
        }
    }

    /// w* = x₁ + x₂ + 1e-8 z lies almost in the span of every prefix k ≥ 2: γ_k ≈ 1e-8, which
    /// ‖w*‖² − ‖P_k w*‖² (noise of order ε‖w*‖²) cannot resolve; the formed residual can.
    @Test func tinyAnglesKeepTheirRelativeAccuracy() throws {
        let n = 10, d = 50, eta = 1e-8
        let x = Self.points(n: n, d: d, seed: 4, anisotropic: false)
        let z = try StudentFixtures.teacher(d: d, norm: 1, seed: 5)
        var w = z.weights
        scale(eta, &w)
        axpy(1, x.row(0), &w)
        axpy(1, x.row(1), &w)
        let teacher = try Teacher(weights: w)
        let projections = try #require(PrefixProjections(points: x, teacher: teacher))
        // ‖(I − P_k) w*‖ = η ‖(I − P_k) z‖ = η sin ∠(P_k z, z) for k ≥ 2.
        let zProblem = try LinearDistillationProblem(points: x, teacher: z)
        for k in 2...n {
            let expected = atan2(eta * sin(zProblem.solve(prefix: k, solver: .closed).angleToTeacher), norm2(w))
            let angle = projections.angle(prefix: k)
            #expect(abs(angle - expected) <= 1e-6 * expected, "k = \(k): \(angle) vs \(expected)")
        }
    }

    /// Repeated points, n > d and a nearly dependent point make G singular or too
    /// ill-conditioned: the caller must take the QR route.
    @Test func illConditionedGramMatricesAreRefused() throws {
        let d = 30
        let teacher = try StudentFixtures.teacher(d: d, norm: 1, seed: 6)
        var repeated = Self.points(n: 12, d: d, seed: 6, anisotropic: false)
        for j in 0..<d { repeated[7, j] = repeated[2, j] }
        #expect(PrefixProjections(points: repeated, teacher: teacher) == nil)
        #expect(PrefixProjections(points: Self.points(n: 40, d: d, seed: 7, anisotropic: false), teacher: teacher) == nil)
        var nearlyDependent = Self.points(n: 12, d: d, seed: 8, anisotropic: false)
        for j in 0..<d { nearlyDependent[11, j] = nearlyDependent[0, j] - nearlyDependent[5, j] + 1e-5 * Double(j % 3) }
        #expect(PrefixProjections(points: nearlyDependent, teacher: teacher) == nil)
        #expect(PrefixProjections(points: Self.points(n: 12, d: d, seed: 8, anisotropic: false), teacher: teacher) != nil)
    }
}
