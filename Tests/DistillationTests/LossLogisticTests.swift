import Foundation
import Testing
@testable import Distillation

/// docs/THEORY.md §1 numerics: the residual σ(z) − σ(m) and the loss without cancellation, overflow
/// or NaN, against 400-digit references (Fixtures/logistic_reference.py, mpmath).
@Suite struct LossLogisticTests {
    struct Row {
        let z, m, residual, divergence, derivative, softplus, sigmoid: Double
    }

    static func rows() throws -> [Row] {
        let url = try #require(Bundle.module.url(forResource: "logistic_reference", withExtension: "csv",
                                                 subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").dropFirst().map { line in
            let v = try line.split(separator: ",").map { try #require(Double(String($0))) }
            return Row(z: v[0], m: v[1], residual: v[2], divergence: v[3], derivative: v[4],
                       softplus: v[5], sigmoid: v[6])
        }
    }

    /// Relative 1e-13, with an absolute floor in the subnormal range (no relative accuracy there).
    static func close(_ a: Double, _ b: Double, relative: Double = 1e-13) -> Bool {
        a.isFinite && abs(a - b) <= relative * abs(b) + 0x1p-1030
    }

    @Test func residualMatchesHighPrecisionReference() throws {
        let rows = try Self.rows()
        #expect(rows.count >= 20)
        for row in rows {
            let r = Logistic.residual(logit: row.z, target: row.m)
            #expect(Self.close(r, row.residual), "σ(\(row.z)) − σ(\(row.m)) = \(r), reference \(row.residual)")
        }
    }

    @Test func divergenceMatchesHighPrecisionReference() throws {
        for row in try Self.rows() {
            let l = Logistic.divergence(logit: row.z, target: row.m)
            // The series branch (|z − m| < 1e-3) is accurate to ~1e-9 relative; elsewhere the
            // split difference loses at most a few ulps of the linear part.
            let tolerance = abs(row.z - row.m) < 1e-3 ? 1e-9 : 1e-12
            #expect(l >= 0)
            #expect(Self.close(l, row.divergence, relative: tolerance), "ℓ(\(row.z), \(row.m)) = \(l), reference \(row.divergence)")
        }
    }

    @Test func sigmoidSoftplusAndDerivativeMatchReference() throws {
        for row in try Self.rows() {
            #expect(Self.close(Logistic.sigmoid(row.z), row.sigmoid), "σ(\(row.z))")
            #expect(Self.close(Logistic.softplus(row.z), row.softplus), "softplus(\(row.z))")
            #expect(Self.close(Logistic.sigmoidDerivative(row.z), row.derivative), "σ'(\(row.z))")
        }
    }

    @Test func noNaNOrInfinityForAnyFiniteInput() {
        let values: [Double] = [0, -0.0, 0x1p-1062, -0x1p-1062, 1, -1, 37, -37, 709.8, -745.2, 1e300, -1e300,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        for z in values {
            #expect(Logistic.sigmoid(z).isFinite && Logistic.softplus(z).isFinite
                        && Logistic.sigmoidDerivative(z).isFinite)
            for m in values {
                let r = Logistic.residual(logit: z, target: m)
                let l = Logistic.divergence(logit: z, target: m)
                #expect(r.isFinite && abs(r) <= 1, "r(\(z), \(m)) = \(r)")
                #expect(!l.isNaN && l >= 0, "ℓ(\(z), \(m)) = \(l)")
                // Antisymmetry of the residual is exact by construction.
                #expect(r == -Logistic.residual(logit: m, target: z))
            }
        }
    }

    @Test func hardLabelTargetsAreInfiniteLogits() {
        for z in [-800.0, -3, 0, 2.5, 40, 800] {
            #expect(Self.close(Logistic.residual(logit: z, target: .infinity), -Logistic.sigmoid(-z)))
            #expect(Self.close(Logistic.residual(logit: z, target: -.infinity), Logistic.sigmoid(z)))
            #expect(Self.close(Logistic.divergence(logit: z, target: .infinity), Logistic.softplus(-z)))
            #expect(Self.close(Logistic.divergence(logit: z, target: -.infinity), Logistic.softplus(z)))
        }
    }

    @Test func divergenceIsZeroExactlyAtTheTargetAndGrowsAway() {
        for m in [-300.0, -2, 0, 1e-9, 5, 300] {
            #expect(Logistic.divergence(logit: m, target: m) == 0)
            let near = Logistic.divergence(logit: m + 1e-4, target: m)
            let far = Logistic.divergence(logit: m + 1, target: m)
            #expect(near >= 0 && far > near, "m = \(m): ℓ(m+1e-4) = \(near), ℓ(m+1) = \(far)")
        }
    }
}
