import Foundation
import Testing

/// The presets reproduce their claims of docs/THEORY.md: run as shipped (or with fewer trials where
/// the shipped count is for the paper-quality curve), their verdicts hold.
@Suite(.serialized) struct PresetRunTests {
    struct Summary: Decodable {
        struct Entry: Decodable {
            var claim: String
            var experiment: String
            var holds: Bool
            var numbers: [String: Double]
            var detail: String
        }
        struct Experiment: Decodable { var trials: Int }
        var verdicts: [Entry]
        var experiments: [String: Experiment]
        var trials: [String: Int] { experiments.mapValues(\.trials) }
    }

    func run(_ preset: String, _ options: [String] = []) throws -> Summary {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-preset-\(preset)-\(UUID().uuidString)")
        let result = try kdmc(["run", preset, "--out", out.path] + options)
        #expect(result.status == 0, "\(result.stderr)")
        defer { try? FileManager.default.removeItem(at: out) }
        return try JSONDecoder().decode(Summary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
    }

    /// docs/THEORY.md §3: the Monte Carlo curve agrees with E[R_n] = E[γ]/π from the Beta law at
    /// every n (Bonferroni z-scores), on the preset as shipped (sequential, half-width 0.002).
    @Test func gaussianExactAgreesWithTheExactExpectation() throws {
        let summary = try run("gaussian-exact")
        let exact = try #require(summary.verdicts.first { $0.claim == "exact-gaussian" })
        #expect(exact.holds, "\(exact.detail)")
        #expect(exact.numbers["points"] == 12)
        let z = try #require(exact.numbers["max_abs_z"]), critical = try #require(exact.numbers["critical_z"])
        #expect(z < critical)
        #expect(summary.verdicts.first { $0.claim == "B" }?.holds == true)
    }

    /// docs/THEORY.md §4 (C2): for κ = 1, 2, 4 the mean risk stays below B at every n, and the fitted
    /// exponent is at least the predicted κ (512 of the preset's 4000 trials per experiment).
    @Test func polyTailStaysBelowTheBoundAndDecaysPolynomially() throws {
        let summary = try run("poly-tail", ["--trials", "500"])
        for kappa in [1, 2, 4] {
            let name = "poly-tail-k\(kappa)"
            let bound = try #require(summary.verdicts.first { $0.experiment == name && $0.claim == "B" })
            #expect(bound.holds, "\(name): \(bound.detail)")
            #expect(bound.numbers["violations"] == 0)
            #expect(bound.numbers["points"] == 11)
            let rate = try #require(summary.verdicts.first { $0.experiment == name && $0.claim == "C2" })
            #expect(rate.holds, "\(name): \(rate.detail)")
            #expect(rate.numbers["predicted"] == Double(kappa))
        }
    }

    /// A single n (optimization bias, n = 5) has no decay rate to judge, and the flow meets
    /// its closed form (L1).
    @Test func optimizationBiasHasNoRateVerdictAndItsVerdictsHold() throws {
        let summary = try run("optimization-bias", ["--trials", "64"])
        #expect(!summary.verdicts.contains { $0.claim == "C2" })
        #expect(summary.verdicts.contains { $0.claim == "L1" })
        for verdict in summary.verdicts { #expect(verdict.holds, "\(verdict.claim): \(verdict.detail)") }
    }
}
