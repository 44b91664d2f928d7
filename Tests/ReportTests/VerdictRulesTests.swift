import Foundation
import Experiments
import MonteCarlo
import Testing
@testable import Report

@Suite struct VerdictRulesTests {
    func row(_ n: Int, mean: Double, sd: Double = 0.1, trials: Int = 100, exact: Double? = nil,
             bound: Double? = nil) -> CurveRow {
        let half = 1.984 * sd / Double(trials).squareRoot()
        return CurveRow(experiment: "e", student: "s", n: n, trials: trials, mean: mean, sd: sd,
                        ciLow: mean - half, ciHigh: mean + half, exact: exact, bound: bound)
    }

    @Test func boundHoldsAndFails() throws {
        let good = try #require(VerdictRules.boundHolds([row(1, mean: 0.4, bound: 0.5), row(2, mean: 0.3, bound: 0.31)]))
        #expect(good.holds)
        #expect(good.numbers["violations"] == 0)
        let bad = try #require(VerdictRules.boundHolds([row(1, mean: 0.4, bound: 0.5), row(2, mean: 0.4, bound: 0.3)]))
        #expect(!bad.holds)
        #expect(bad.numbers["violations"] == 1)
        #expect(bad.detail.contains("n = 2"))
        #expect(VerdictRules.boundHolds([row(1, mean: 0.4)]) == nil)
    }

    @Test func exactAgreementUsesZScores() throws {
        // se = 0.01: a difference of 0.01 is z = 1 (agrees), 0.06 is z = 6 (disagrees).
        let agree = try #require(VerdictRules.exactAgreement([row(10, mean: 0.41, exact: 0.4), row(20, mean: 0.3, exact: 0.3)]))
        #expect(agree.holds)
        #expect(abs(agree.numbers["max_abs_z"]! - 1) < 1e-9)
        let disagree = try #require(VerdictRules.exactAgreement([row(10, mean: 0.46, exact: 0.4), row(20, mean: 0.3, exact: 0.3)]))
        #expect(!disagree.holds)
        // Zero spread is compared directly.
        let zeroSpread = try #require(VerdictRules.exactAgreement([row(100, mean: 0.001, sd: 0, exact: 0)]))
        #expect(!zeroSpread.holds)
    }

    @Test func identificationNeedsZeroRiskFromDOn() throws {
        let ok = try #require(VerdictRules.identification([row(5, mean: 0.2), row(10, mean: 0, sd: 0)], dimension: 10))
        #expect(ok.holds)
        let bad = try #require(VerdictRules.identification([row(10, mean: 1e-3, sd: 0)], dimension: 10))
        #expect(!bad.holds)
        #expect(VerdictRules.identification([row(5, mean: 0.2)], dimension: 10) == nil)
    }

    @Test func monotonicityReportsEachViolation() throws {
        let steps = [PairedDifference(label: "n 1→2", mean: -0.1, ciLow: -0.12, ciHigh: -0.08),
                     PairedDifference(label: "n 2→3", mean: 0.02, ciLow: 0.01, ciHigh: 0.03),
                     PairedDifference(label: "n 3→4", mean: 0.01, ciLow: -0.01, ciHigh: 0.03)]
        let verdict = try #require(VerdictRules.monotone(experiment: "e", student: "s", steps))
        #expect(!verdict.holds)
        #expect(verdict.numbers["violations"] == 1)
        #expect(verdict.detail.contains("n 2→3"))
        #expect(!verdict.detail.contains("n 3→4"))
        let fine = try #require(VerdictRules.monotone(experiment: "e", student: "s", [steps[0], steps[2]]))
        #expect(fine.holds)
    }

    @Test func decayRateComparesTheIntervalWithThePrediction() {
        let fit = DecayFit(model: .exponential, rate: 0.1, rateLow: 0.08, rateHigh: 0.12, logScale: 0,
                           points: 5, confidence: 0.95)
        #expect(VerdictRules.decayRate(claim: "C1", experiment: "e", student: nil, fit: fit, predicted: 0.11).holds)
        #expect(!VerdictRules.decayRate(claim: "C1", experiment: "e", student: nil, fit: fit, predicted: 0.2).holds)
    }

    @Test func softVersusHardCountsSignificantSides() throws {
        let d = [PairedDifference(label: "n 5", mean: -0.1, ciLow: -0.2, ciHigh: -0.05),
                 PairedDifference(label: "n 10", mean: 0.0, ciLow: -0.01, ciHigh: 0.01)]
        let v = try #require(VerdictRules.softVersusHard(experiment: "e", d))
        #expect(v.holds)
        #expect(v.numbers["soft_significantly_better"] == 1)
        let worse = try #require(VerdictRules.softVersusHard(experiment: "e", [PairedDifference(label: "n 5", mean: 0.1, ciLow: 0.05, ciHigh: 0.2)]))
        #expect(!worse.holds)
        // n = 1: both students lie along x_1; a difference of rounding size is neither side.
        let rounding = try #require(VerdictRules.softVersusHard(experiment: "e", [
            PairedDifference(label: "n 1", mean: 3e-17, ciLow: 2e-17, ciHigh: 4e-17),
            PairedDifference(label: "n 2", mean: -3e-17, ciLow: -4e-17, ciHigh: -2e-17)]))
        #expect(rounding.holds)
        #expect(rounding.numbers["soft_significantly_worse"] == 0)
        #expect(rounding.numbers["soft_significantly_better"] == 0)
    }

    /// JSON has no NaN or infinity: such a number is written as null (never a string), reads
    /// back as NaN, and keys come out sorted. The configuration's own nulls stay nulls.
    @Test func summaryWritesNonFiniteNumbersAsNullAndSortsKeys() throws {
        let verdict = Verdict(claim: "B", experiment: "e", holds: true, numbers: ["z": .infinity, "a": .nan, "m": 0.5], detail: "d")
        let doc = SummaryDocument(version: "0", ranks: 2, partial: false,
                                  configuration: .object(["suite": .string("s"), "memo": .null]),
                                  experiments: ["e": .init(seed: 7, trials: 64, trialsRequested: 50, trialsPlanned: 64,
                                                      blockSize: 64, confidence: 0.95, stopReason: "fixedCountReached",
                                                      sampler: "gram")],
                                  fits: [], verdicts: [verdict], timings: [:])
        let data = try doc.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("nan") && !text.contains("inf\""))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let numbers = try #require(((object["verdicts"] as? [[String: Any]])?.first)?["numbers"] as? [String: Any])
        #expect(numbers["a"] is NSNull && numbers["z"] is NSNull)
        #expect((numbers["m"] as? NSNumber)?.doubleValue == 0.5)
        #expect(object["schema_version"] as? Int == SummaryDocument.schemaVersion)
        #expect((object["configuration"] as? [String: Any])?["suite"] as? String == "s")
        let a = try #require(text.range(of: "\"a\""))
        let z = try #require(text.range(of: "\"z\""))
        #expect(a.lowerBound < z.lowerBound)
        let back = try SummaryDocument.decode(data)
        #expect(back.verdicts[0].numbers["z"]?.isNaN == true)
        #expect(back.verdicts[0].numbers["a"]?.isNaN == true)
        #expect(back.verdicts[0].numbers["m"] == 0.5)
        #expect(back.configuration == .object(["suite": .string("s"), "memo": .null]))
        #expect(back.experiments == doc.experiments)
        #expect(back.trials == ["e": 64])
    }
}
