import Foundation
import Testing
@testable import Numerics

/// Special functions against SciPy reference values (mpmath where SciPy is not accurate
/// enough; the generator's docstring says where).
///
/// Fixture: Fixtures/special_reference.json, written by Fixtures/make_special_reference.py
/// (SciPy 1.17). Regenerate from the package root with
///     python3 Tests/DistillationTests/Fixtures/make_special_reference.py \
///         > Tests/DistillationTests/Fixtures/special_reference.json
struct SpecialReference: Decodable {
    let scipy: String
    let logGamma: [[Double]]
    let logBeta: [[Double]]
    let incompleteBeta: [[Double]]
    let inverseIncompleteBeta: [[Double]]
    let studentTCDF: [[Double]]
    let studentTQuantile: [[Double]]
    let normalCDF: [[Double]]
    let normalQuantile: [[Double]]

    static func load() throws -> SpecialReference {
        let url = try #require(Bundle.module.url(forResource: "special_reference", withExtension: "json",
                                                 subdirectory: "Fixtures"))
        return try JSONDecoder().decode(SpecialReference.self, from: Data(contentsOf: url))
    }
}

/// |got − expected| / |expected| (0 when both are 0; ∞ when only one is).
func relativeError(_ got: Double, _ expected: Double) -> Double {
    if got == expected { return 0 }
    if expected == 0 { return .infinity }
    return abs(got - expected) / abs(expected)
}

@Suite struct SpecialReferenceTests {
    let reference: SpecialReference
    init() throws { reference = try SpecialReference.load() }

    @Test func fixtureIsComplete() {
        #expect(reference.logGamma.count > 20)
        #expect(reference.incompleteBeta.count > 1000)
                    }

    @Test func logGamma() {
        for row in reference.logGamma {
            let got = SpecialFunctions.logGamma(row[0])
            #expect(abs(got - row[1]) <= 1e-14 * abs(row[1]) + 1e-16, "lnΓ(\(row[0])) = \(got), mpmath \(row[1])")
        }
    }

    @Test func logBeta() {
        for row in reference.logBeta {
            let got = SpecialFunctions.logBeta(row[0], row[1])
            #expect(abs(got - row[2]) <= 1e-14 * max(1, abs(row[2])),
                    "lnB(\(row[0]), \(row[1])) = \(got), mpmath \(row[2])")
        }
    }

    /// The smaller tail (the one with information below 1e-16) must match to a relative
    /// 1e-12 when both shapes are ≤ 1e3, and 1e-11 above that (near the mean of very large
    /// shapes the continued fraction takes thousands of terms and rounding accumulates;
    /// the worst seen is 2e-12).
    /// Both tails must match to an absolute 1e-14 against mpmath rows (column 6 = 1), and to
    /// 5e-12 against SciPy rows, whose own error reaches ~1e-12 at shapes ≥ 1e5 (e.g.
    /// I_0.000115799(10, 1e5): mpmath 0.71909806026261, SciPy 0.7190980602639387).
    @Test func incompleteBeta() {
        #expect(reference.incompleteBeta.allSatisfy { $0.count == 6 })
        var worst = 0.0, worstSmallShapes = 0.0
        for row in reference.incompleteBeta {
            let (a, b, x, lower, upper, fromMpmath) = (row[0], row[1], row[2], row[3], row[4], row[5] == 1)
            let gotLower = SpecialFunctions.regularizedIncompleteBeta(a, b, x)
            let gotUpper = SpecialFunctions.regularizedIncompleteBetaComplement(a, b, x)
            let tolerance = max(a, b) <= 1e3 ? 1e-12 : 1e-11
            let (got, expected) = lower <= upper ? (gotLower, lower) : (gotUpper, upper)
            let error = relativeError(got, expected)
            worst = max(worst, error)
            if max(a, b) <= 1e3 { worstSmallShapes = max(worstSmallShapes, error) }
            #expect(error <= tolerance || abs(got - expected) < 1e-300,
                    "I_\(x)(\(a), \(b)): tail \(got), reference \(expected), relative error \(error)")
            let absolute = fromMpmath ? 1e-14 : 5e-12
            #expect(abs(gotLower - lower) <= absolute && abs(gotUpper - upper) <= absolute,
                    "I_\(x)(\(a), \(b)) = \(gotLower) / \(gotUpper), reference \(lower) / \(upper)")
        }
        print("incomplete beta: worst relative error of the smaller tail \(worst), \(worstSmallShapes) for shapes ≤ 1e3")
    }

    /// Against SciPy's betaincinv, relative to z = min(x, 1 − x), allowing for the root's
    /// condition number κ = min(p, 1 − p) / (z dI/dx): tolerance 5e-11 · max(1, κ)
    /// (the fixture keeps only rows whose SciPy round trip is good to 1e-11).
    @Test func inverseIncompleteBeta() {
        #expect(reference.inverseIncompleteBeta.count > 350)
        for row in reference.inverseIncompleteBeta {
            let (a, b, p, expected, kappa) = (row[0], row[1], row[2], row[3], row[4])
            let got = SpecialFunctions.inverseRegularizedIncompleteBeta(a, b, p)
            let error = expected > 0.5 ? relativeError(1 - got, 1 - expected) : relativeError(got, expected)
            #expect(error <= 5e-11 * max(1, kappa),
                    "I⁻¹(\(a), \(b), \(p)) = \(got), SciPy \(expected), κ \(kappa)")
        }
    }

    /// 1e-12 relative up to ν = 1e3; 1e-11 above, where the continued fraction of
    /// I_x(ν/2, ½) cancels (2.5e-12 at ν = 1e6, t = −10). From ν = 1e7 the 1/ν expansion is used.
    @Test func studentTCDF() {
        for row in reference.studentTCDF {
            let (nu, t, expected) = (row[0], row[1], row[2])
            let got = SpecialFunctions.studentTCDF(t, degreesOfFreedom: nu)
            let tolerance = nu <= 1e3 ? 1e-12 : 1e-11
            #expect(relativeError(got, expected) <= tolerance || abs(got - expected) < 1e-300,
                    "T_\(nu)(\(t)) = \(got), SciPy \(expected)")
        }
    }

    @Test func studentTQuantile() {
        for row in reference.studentTQuantile {
            let (nu, p, expected) = (row[0], row[1], row[2])
            let got = SpecialFunctions.studentTQuantile(p, degreesOfFreedom: nu)
            #expect(relativeError(got, expected) <= 1e-11, "T_\(nu)⁻¹(\(p)) = \(got), SciPy \(expected)")
        }
    }

    /// 1e-14 relative for x ≥ −5; 1e-13 in the far lower tail, where the rounding of x/√2
    /// is amplified by erfc (SciPy's ndtr does the same and is off by 6e-14 at −30).
    @Test func normalCDF() {
        for row in reference.normalCDF {
            let got = SpecialFunctions.normalCDF(row[0])
            let tolerance = row[0] >= -5 ? 1e-14 : 1e-13
            #expect(relativeError(got, row[1]) <= tolerance || abs(got - row[1]) < Double.leastNormalMagnitude,
                    "Φ(\(row[0])) = \(got), mpmath \(row[1])")
        }
    }

    @Test func normalQuantile() {
        for row in reference.normalQuantile {
            let got = SpecialFunctions.normalQuantile(row[0])
            #expect(relativeError(got, row[1]) <= 1e-14 || abs(got - row[1]) <= 1e-16,
                    "Φ⁻¹(\(row[0])) = \(got), SciPy \(row[1])")
        }
    }
}
