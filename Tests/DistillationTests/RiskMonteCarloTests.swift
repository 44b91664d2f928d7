import Foundation
import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// Every geometry's risk evaluator against a direct count of sign disagreements on fresh
/// points, within 4 standard errors (of the count and of the evaluator if it is itself Monte
/// Carlo).
@Suite struct RiskMonteCarloTests {
    typealias Support = GeometryTestSupport

    static func check(_ g: any Geometry, angle gamma: Double, points n: Int = 20_000,
                      seed: UInt64 = 7) {
        let student = Support.student(angle: gamma, dimension: g.dimension)
        var stream = RandomStream(seed: seed, trial: 0, stream: .transferSet)
        let counted = Support.disagreement(g.sampleTransferSet(count: n, using: &stream),
                                           student: student, teacher: g.teacher)
        let evaluated = g.risk(of: student)
        let se = (counted.standardError * counted.standardError
                  + evaluated.standardError * evaluated.standardError).squareRoot()
        #expect(abs(counted.value - evaluated.value) <= 4 * max(se, 1e-4),
                "\(type(of: g)) γ = \(gamma): counted \(counted.value) ± \(counted.standardError), evaluated \(evaluated.value) ± \(evaluated.standardError)")
    }

    @Test(arguments: [0.2, 0.8, 2.0])
    func axialGeometries(angle gamma: Double) throws {
        Self.check(try GaussianGeometry(dimension: 10), angle: gamma)
        Self.check(try PolyTailGeometry(dimension: 10, kappa: 0.5), angle: gamma)
        Self.check(try PolyTailGeometry(dimension: 3, kappa: 2, radial: .unit), angle: gamma)
        Self.check(try MarginGeometry(dimension: 10, margin: 0.3), angle: gamma)
        Self.check(try MarginGeometry(dimension: 2, margin: 0.1), angle: gamma)
    }

    @Test func anisotropic() throws {
        let g = try AnisotropicGeometry(dimension: 6, spectrum: .values([4, 1, 0.5, 0.25, 0.1, 0.01]),
                                        teacher: [1, 0, 0, 0, 0, 0], referenceCount: 100)
        for gamma in [0.2, 0.8, 2.0] { Self.check(g, angle: gamma) }
        // Exact value: Σ^{1/2}w = (2 cos γ, sin γ, 0…), Σ^{1/2}w* = (2, 0…).
        let r = g.risk(of: Support.student(angle: 0.5, dimension: 6))
        #expect(r.isExact)
        #expect(abs(r.value - atan2(sin(0.5), 2 * cos(0.5)) / .pi) < 1e-14)
    }

    @Test func mixture() throws {
        let g = try MixtureGeometry(dimension: 5, teacher: [2, 0, 0, 0, 0], components: [
            .init(weight: 0.3, mean: .alongTeacher(1.5), standardDeviation: 0.7),
            .init(weight: 0.7, mean: .vector([-0.5, 1, 0, 0, 0]), standardDeviation: 1.2),
        ], referenceCount: 100, heldOutCount: 50_000)
        for gamma in [0.2, 0.8, 2.0] { Self.check(g, angle: gamma) }
        // A single centred isotropic component is the Gaussian: R = γ/π.
        let iso = try MixtureGeometry(dimension: 5, teacher: [1, 0, 0, 0, 0], components: [
            .init(weight: 1, mean: .alongTeacher(0), standardDeviation: 2),
        ], referenceCount: 100, heldOutCount: 50_000)
        let r = iso.risk(of: Support.student(angle: 1.0, dimension: 5))
        #expect(!r.isExact && r.standardError > 0)
        #expect(abs(r.value - 1 / Double.pi) <= 4 * r.standardError)
    }
}
