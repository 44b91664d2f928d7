import Distillation
import Experiments
import Numerics
import Foundation
import MonteCarlo
import Testing
@testable import Report

/// Coverage of the decay-rate interval (docs: README "Verdicts"): independent replications of
/// an isotropic Gaussian run whose target is known. The target of a replication is the rate
/// that the same fit (same n, same weights) gives on the exact expectations E[R_n]; a 95%
/// interval must contain it in 95% of replications. Level of the check: with 400 replications
/// the observed coverage of a correct interval has a standard deviation of 1.1%, so the
/// accepted band 95% ± 3% is 2.7 of them wide on each side. The control is the same fit with
/// the points taken as independent, which must miss the band.
@Suite struct RateCoverageTests {
    static let replications = 400
    static let trials = 1000
    static let d = 20
    /// Dense nested prefixes: neighbouring points share most of their draws.
    static let grid = Array(1...12)

    /// One trial of the closed-form student P w* on isotropic Gaussian points: by rotation
    /// invariance the angles γ_n of nested prefixes have the joint law of
    /// cos²γ_n = Σ_{i≤n} z_i² / Σ_{i≤d} z_i² for one standard normal z ∈ R^d (a fixed teacher
    /// and a uniform nested flag of spans ≡ a uniform teacher and fixed coordinate spans).
    static func risks(_ stream: inout RandomStream) -> [Double] {
        let z = stream.normals(count: d).map { $0 * $0 }
        let total = z.reduce(0, +)
        var along = 0.0
        var out: [Double] = []
        for n in 1...grid.last! {
            along += z[n - 1]
            if grid.contains(n) { out.append(atan2((total - along).squareRoot(), along.squareRoot()) / .pi) }
        }
        return out
    }

    struct Replicate {
        var covered: Bool
        var independentCovered: Bool
    }

    static func replicate(_ r: Int, exact: [Double]) throws -> Replicate {
        let k = grid.count
        var curve = CoMoments(points: Array(0..<k))
        for t in 0..<trials {
            var stream = RandomStream(seed: 77, trial: UInt64(r * trials + t), stream: 0)
            curve.add(trial: risks(&stream))
        }
        let covariance = try #require(curve.covarianceOfMeans)
        let fit = try DecayFitter.fit(.polynomial, n: grid, mean: curve.mean, covariance: covariance, trials: trials).get()
        // The target: the same log-scale weights applied to the exact expectations.
        let target = try DecayFitter.fit(.polynomial, n: grid, mean: exact,
                                         covariance: rescaled(covariance, from: curve.mean, to: exact), trials: trials).get()
        let se = (0..<k).map { covariance[$0 * k + $0].squareRoot() }
        let independent = try DecayFitter.fitIndependent(.polynomial, n: grid, mean: curve.mean, standardError: se, trials: trials).get()
        let independentTarget = try DecayFitter.fitIndependent(
            .polynomial, n: grid, mean: exact, standardError: (0..<k).map { se[$0] * exact[$0] / curve.mean[$0] },
            trials: trials).get()
        #expect(fit.points == k && target.points == k && independent.points == k)
        return Replicate(covered: fit.rateLow <= target.rate && target.rate <= fit.rateHigh,
                         independentCovered: independent.rateLow <= independentTarget.rate && independentTarget.rate <= independent.rateHigh)
    }

    /// The covariance of log m is Σ_ij/(m_i m_j); the target keeps the replication's weights
    /// on the log scale by scaling Σ with the exact values in place of the means.
    static func rescaled(_ c: [Double], from m: [Double], to e: [Double]) -> [Double] {
        let k = m.count
        var out = c
        for i in 0..<k { for j in 0..<k { out[i * k + j] = c[i * k + j] * (e[i] * e[j]) / (m[i] * m[j]) } }
        return out
    }

    @Test func theCovarianceFitCoversItsTargetAndTheIndependentFitDoesNot() throws {
        let exact = Self.grid.map { GaussianExpectation.expectedRisk(count: $0, dimension: Self.d) }
        var results: [Replicate] = []
        for r in 0..<Self.replications { results.append(try Self.replicate(r, exact: exact)) }
        let coverage = Double(results.filter(\.covered).count) / Double(results.count)
        let independent = Double(results.filter(\.independentCovered).count) / Double(results.count)
        print("rate interval coverage, \(results.count) replications × \(Self.trials) trials, d = \(Self.d), n = 1…12: covariance (GLS) fit \(coverage), independent-points fit \(independent)")
        #expect(abs(coverage - 0.95) <= 0.03, "covariance fit coverage \(coverage)")
        #expect(abs(independent - 0.95) > 0.03, "independent-points coverage \(independent)")
    }
}
