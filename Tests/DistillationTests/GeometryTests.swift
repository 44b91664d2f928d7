import Foundation
import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

@Suite struct GeometryTests {
    typealias Support = GeometryTestSupport

    @Test func gaussianBoundaryMassMatchesSciPy() throws {
        let rows = try Support.fixtureRows("geometry_gaussian_p")
        #expect(rows.count > 50)
        var geometries: [Int: GaussianGeometry] = [:]
        for row in rows {
            let (d, theta, reference) = (Int(row[0]), row[1], row[2])
            if geometries[d] == nil { geometries[d] = try GaussianGeometry(dimension: d) }
            let p = geometries[d]!.boundaryMass(theta)
            #expect(abs(p - reference) <= 1e-10, "d = \(d), θ = \(theta): \(p) vs \(reference)")
        }
    }

    /// p(0) = 0, p(π/2) = 1; θ outside [0, π/2] is clamped (p is a CDF); NaN gives NaN.
    @Test func boundaryMassSpecialValues() throws {
        let geometries: [any Geometry] = [
            try GaussianGeometry(dimension: 7),
            try PolyTailGeometry(dimension: 7, kappa: 2),
            try MarginGeometry(dimension: 7, margin: 0.2),
            try AnisotropicGeometry(dimension: 7, spectrum: .powerLaw(exponent: 1),
                                    teacher: [1, 1, 0, 0, 0, 0, 1], referenceCount: 2000),
        ]
        for g in geometries {
            #expect(g.boundaryMass(0) < 1e-3, "\(type(of: g))")
            #expect(g.boundaryMass(-1) == g.boundaryMass(0) || g.boundaryMass(-1) == 0)
            #expect(abs(g.boundaryMass(.pi / 2) - 1) < 1e-12)
            #expect(g.boundaryMass(3) == 1)
            #expect(g.boundaryMass(-.infinity) <= 1e-3)
            #expect(g.boundaryMass(.infinity) == 1)
            #expect(g.boundaryMass(.nan).isNaN)
        }
        #expect(try GaussianGeometry(dimension: 7).boundaryMass(0) == 0)
        #expect(try MarginGeometry(dimension: 7, margin: 0.2).boundaryMass(0.19) == 0)
        let poly = try PolyTailGeometry(dimension: 3, kappa: 3)
        #expect(abs(poly.boundaryMass(.pi / 4) - 0.125) < 1e-15)
        let one = try GaussianGeometry(dimension: 1)
        #expect(one.boundaryMass(1.5) == 0)
        #expect(one.boundaryMass(.pi / 2) == 1)
    }

    /// KS test: sup |F_N − p| ≤ 1.63/√N (the 1% Kolmogorov quantile), N = 20000, fixed seed.
    @Test func axialBoundaryMassMatchesSampledAngles() throws {
        let n = 20_000
        let geometries: [any AxiallySymmetricGeometry] = [
            try GaussianGeometry(dimension: 6),
            try PolyTailGeometry(dimension: 6, kappa: 0.5, radial: .chi),
            try PolyTailGeometry(dimension: 6, kappa: 3, radial: .unit),
            try MarginGeometry(dimension: 6, margin: 0.3, radial: .chi),
        ]
        for (k, g) in geometries.enumerated() {
            var stream = RandomStream(seed: 11, trial: UInt64(k), stream: .transferSet)
            let points = g.sampleTransferSet(count: n, using: &stream)
            let beta = Support.boundaryAngles(points, axis: g.teacherDirection)
            let distance = KolmogorovDistance.oneSample(beta, cdf: g.boundaryMass)
            #expect(distance <= 1.63 / Double(n).squareRoot(), "\(type(of: g)): \(distance)")
        }
    }

    /// A KS test that fails: the poly-tail sample does not follow the Gaussian's p.
    @Test func kolmogorovDistanceDetectsWrongLaw() throws {
        let poly = try PolyTailGeometry(dimension: 6, kappa: 3)
        var stream = RandomStream(seed: 3, trial: 0, stream: .transferSet)
        let beta = Support.boundaryAngles(poly.sampleTransferSet(count: 2000, using: &stream),
                                          axis: poly.teacherDirection)
        let gaussian = try GaussianGeometry(dimension: 6)
        #expect(KolmogorovDistance.oneSample(beta, cdf: gaussian.boundaryMass) > 1.63 / 2000.0.squareRoot())
    }

    /// The rows are s·u + t·v with the sampled (s, t): the teacher-frame law is the point law.
    @Test func transferSetRowsHaveTheTeacherFrameCoordinates() throws {
        let teacher = [0.0, 3, 4, 0, 0]
        let g = try MarginGeometry(dimension: 5, margin: 0.4, teacher: teacher)
        var a = RandomStream(seed: 5, trial: 2, stream: .transferSet)
        var b = a
        let frame = g.sampleTeacherFrame(count: 50, using: &a)
        let points = g.sampleTransferSet(count: 50, using: &b)
        let u = g.teacherDirection
        for i in 0..<50 {
            let x = points.row(i)
            let s = dot(x, u)
            let t = (max(dot(x, x) - s * s, 0)).squareRoot()
            #expect(abs(s - frame.along[i]) < 1e-12)
            #expect(abs(t - frame.across[i]) < 1e-12)
        }
    }

    @Test func largeDimensionSamplingStaysOrthogonal() throws {
        let g = try PolyTailGeometry(dimension: 100_000, kappa: 1, radial: .unit)
        var stream = RandomStream(seed: 1, trial: 0, stream: .transferSet)
        let points = g.sampleTransferSet(count: 3, using: &stream)
        #expect(points.rows == 3 && points.columns == 100_000)
        for i in 0..<3 { #expect(abs(norm2(points.row(i)) - 1) < 1e-12) }
    }

    /// The empirical p of the anisotropic and mixture geometries against a fresh sample
    /// (two-sample KS at 1%: 1.63·√(2/N)).
    @Test func empiricalBoundaryMassMatchesFreshSample() throws {
        let n = 5000
        let geometries: [any Geometry] = [
            try AnisotropicGeometry(dimension: 8, spectrum: .powerLaw(exponent: 1.5),
                                    teacher: [1, 0, 0, 1, 0, 0, 0, 0], referenceCount: n),
            try MixtureGeometry(dimension: 8, teacher: [1, 0, 0, 0, 0, 0, 0, 0], components: [
                .init(weight: 0.5, mean: .alongTeacher(2), standardDeviation: 1),
                .init(weight: 0.5, mean: .alongTeacher(-2), standardDeviation: 0.5),
            ], referenceCount: n, heldOutCount: 1000),
        ]
        for (k, g) in geometries.enumerated() {
            #expect(!g.boundaryMassIsExact)
            var stream = RandomStream(seed: 21, trial: UInt64(k), stream: .transferSet)
            let beta = Support.boundaryAngles(g.sampleTransferSet(count: n, using: &stream),
                                              axis: g.teacherDirection)
            let distance = KolmogorovDistance.oneSample(beta, cdf: g.boundaryMass)
            #expect(distance <= 1.63 * (2 / Double(n)).squareRoot(), "\(type(of: g)): \(distance)")
        }
    }
}

/// The Gaussian p(θ) (quadrature of cos^{d−2}) against the numerics branch's incomplete beta.
@Suite struct GeometryIncompleteBetaTests {
    @Test(arguments: [4, 10, 100, 10_000, 1_000_000])
    func gaussianBoundaryMassIsIncompleteBeta(dimension d: Int) throws {
        let g = try GaussianGeometry(dimension: d)
        let scale = 1 / Double(d).squareRoot()
        for theta in ([0.01, 0.3, 1, 2, 3, 5].map({ $0 * scale }) + [0.5, 1.2]) where theta <= .pi / 2 {
            let s = sin(theta)
            let reference = SpecialFunctions.regularizedIncompleteBeta(0.5, Double(d - 1) / 2, s * s)
            #expect(abs(g.boundaryMass(theta) - reference) < 1e-10, "d = \(d), θ = \(theta)")
        }
    }
}
