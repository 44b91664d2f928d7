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

    func step(_ label: String, _ mean: Double, se: Double, trials: Int = 100, increasing: Int? = nil) -> PairedDifference {
        PairedDifference(label: label, mean: mean, standardError: se, count: trials, increasingDraws: increasing)
    }

    @Test func boundHasThreeOutcomes() throws {
        // se = 0.01; the Bonferroni one-sided critical value for 2 tests at 5% is about 2.3.
        let good = try #require(VerdictRules.boundHolds([row(1, mean: 0.4, bound: 0.5), row(2, mean: 0.2, bound: 0.31)]))
        #expect(good.status == .holds)
        #expect(!good.rule.isEmpty)
        let bad = try #require(VerdictRules.boundHolds([row(1, mean: 0.4, bound: 0.5), row(2, mean: 0.4, bound: 0.3)]))
        #expect(bad.status == .fails)
        #expect(bad.numbers["violations"] == 1)
        #expect(bad.detail.contains("n = 2"))
        // A mean 1 se below B: neither side is significant.
        let close = try #require(VerdictRules.boundHolds([row(1, mean: 0.29, bound: 0.3)]))
        #expect(close.status == .inconclusive)
        #expect(VerdictRules.boundHolds([row(1, mean: 0.4)]) == nil)
    }

    @Test func boundIsFamilywise() throws {
        // One point 2 se above B among 20: significant alone (one-sided 5%: 1.66), not after
        // Bonferroni over 20 points (about 3.2).
        let rows = (1...20).map { row($0, mean: $0 == 7 ? 0.32 : 0.1, bound: 0.3) }
        let v = try #require(VerdictRules.boundHolds(rows))
        #expect(v.status == .inconclusive)
        let alone = try #require(VerdictRules.boundHolds([rows[6]]))
        #expect(alone.status == .fails)
    }

    @Test func exactAgreementNeedsPrecisionToHold() throws {
        // se = 0.001: a difference of 0.001 is z = 1 and well within 5% (agrees); with
        // se = 0.01, 0.06 is z = 6 (disagrees).
        let agree = try #require(VerdictRules.exactAgreement([row(10, mean: 0.401, trials: 10000, exact: 0.4),
                                                              row(20, mean: 0.3, trials: 10000, exact: 0.3)]))
        #expect(agree.status == .holds)
        #expect(abs(agree.numbers["max_abs_z"]! - 1) < 1e-9)
        let disagree = try #require(VerdictRules.exactAgreement([row(10, mean: 0.46, exact: 0.4), row(20, mean: 0.3, exact: 0.3)]))
        #expect(disagree.status == .fails)
        // Zero spread is compared directly.
        let zeroSpread = try #require(VerdictRules.exactAgreement([row(100, mean: 0.001, sd: 0, exact: 0)]))
        #expect(zeroSpread.status == .fails)
        // Ten trials with sd 0.3: no significant difference, but the interval is far wider
        // than the 5% margin, so the run cannot show agreement.
        let vague = try #require(VerdictRules.exactAgreement([row(10, mean: 0.45, sd: 0.3, trials: 10, exact: 0.4)]))
        #expect(vague.status == .inconclusive)
    }

    @Test func identificationNeedsZeroRiskFromDOn() throws {
        let ok = try #require(VerdictRules.identification([row(5, mean: 0.2), row(10, mean: 0, sd: 0)], dimension: 10))
        #expect(ok.status == .holds)
        let bad = try #require(VerdictRules.identification([row(10, mean: 1e-3, sd: 0)], dimension: 10))
        #expect(bad.status == .fails)
        #expect(VerdictRules.identification([row(5, mean: 0.2)], dimension: 10) == nil)
    }

    @Test func monotonicityHasThreeOutcomes() throws {
        let decreasing = step("n 1→2", -0.1, se: 0.01)
        let increase = step("n 2→3", 0.05, se: 0.01)
        let unclear = step("n 3→4", 0.01, se: 0.01)
        let verdict = try #require(VerdictRules.monotone(experiment: "e", student: "s", [decreasing, increase, unclear]))
        #expect(verdict.status == .fails)
        #expect(verdict.numbers["violations"] == 1)
        #expect(verdict.detail.contains("n 2→3"))
        #expect(!verdict.detail.contains("n 3→4"))
        let open = try #require(VerdictRules.monotone(experiment: "e", student: "s", [decreasing, unclear]))
        #expect(open.status == .inconclusive)
        let fine = try #require(VerdictRules.monotone(experiment: "e", student: "s", [decreasing, step("n 3→4", -0.05, se: 0.01)]))
        #expect(fine.status == .holds)
        // A step that increased in no trial at all holds whatever its interval (one draw of
        // −a among zeros has an interval reaching above 0).
        let pathwise = try #require(VerdictRules.monotone(experiment: "e", student: "s", [step("n 9→10", -1e-4, se: 1e-4, increasing: 0)]))
        #expect(pathwise.status == .holds)
        let notPathwise = try #require(VerdictRules.monotone(experiment: "e", student: "s", [step("n 9→10", -1e-4, se: 1e-4, increasing: 3)]))
        #expect(notPathwise.status == .inconclusive)
    }

    @Test func monotonicityIsFamilywise() throws {
        // A step 2.5 se above 0 among 19 decreasing ones: significant alone, not after Bonferroni.
        var steps = (1...19).map { step("n \($0)", -0.1, se: 0.01) }
        steps.append(step("n 20", 0.025, se: 0.01))
        #expect(try #require(VerdictRules.monotone(experiment: "e", student: "s", steps)).status == .inconclusive)
        #expect(try #require(VerdictRules.monotone(experiment: "e", student: "s", [steps[19]])).status == .fails)
    }

    @Test func pathwiseClaimsFailOnOneCounterexample() throws {
        let clean = try #require(VerdictRules.pathwise(claim: "M1", quantity: "γ", experiment: "e", student: "s",
                                                       steps: [("n 1→2", 0, 500), ("n 2→3", 0, 500)]))
        #expect(clean.status == .holds)
        let one = try #require(VerdictRules.pathwise(claim: "M1", quantity: "γ", experiment: "e", student: "s",
                                                     steps: [("n 1→2", 0, 500), ("n 2→3", 1, 500)]))
        #expect(one.status == .fails)
        #expect(one.numbers["increasing_trial_steps"] == 1)
        #expect(VerdictRules.pathwise(claim: "M1", quantity: "γ", experiment: "e", student: "s", steps: []) == nil)
    }

    func fit(_ rate: Double, halfWidth: Double) -> Result<DecayFit, DecayFitter.Failure> {
        .success(DecayFit(model: .polynomial, rate: rate, rateLow: rate - halfWidth, rateHigh: rate + halfWidth,
                          logScale: 0, points: 6, confidence: 0.95, n: [1, 2, 4, 8, 16, 32]))
    }

    @Test func aRateSlowerThanPredictedFails() throws {
        // A curve decaying like n^{-1} fitted against the bound's 1.6 of κ = 2.
        let n = [2, 4, 8, 16, 32]
        let mean = n.map { 0.4 / Double($0) }
        var c = [Double](repeating: 0, count: 25)
        for i in 0..<5 { c[i * 5 + i] = pow(0.02 * mean[i], 2) }
        let slow = DecayFitter.fit(.polynomial, n: n, mean: mean, covariance: c, trials: 1000)
        let v = VerdictRules.decayRate(claim: "C2", experiment: "e", student: "s", model: .polynomial,
                                       fit: slow, predicted: 2, threshold: 1.6)
        #expect(v.status == .fails)
        #expect(v.numbers["fitted_high"]! < 1.6)
    }

    @Test func aFasterRateHoldsAndAnUncertainOneIsInconclusive() {
        let fast = VerdictRules.decayRate(claim: "C2", experiment: "e", student: "s", model: .polynomial,
                                          fit: fit(2.5, halfWidth: 0.2), predicted: 2, threshold: 1.6)
        #expect(fast.status == .holds)
        // The interval of a poor fit straddles the threshold: it does not decide either way.
        // (A verdict that passes more easily with a wider interval would hold here.)
        let vague = VerdictRules.decayRate(claim: "C2", experiment: "e", student: "s", model: .polynomial,
                                           fit: fit(1.0, halfWidth: 8), predicted: 2, threshold: 1.6)
        #expect(vague.status == .inconclusive)
        let noFit = VerdictRules.decayRate(claim: "C1", experiment: "e", student: "s", model: .exponential,
                                           fit: .failure(.tooFewPoints(usable: 1)), predicted: 0.1, threshold: 0.1)
        #expect(noFit.status == .inconclusive)
        #expect(noFit.detail.contains("only 1 n"))
    }

    @Test func softVersusHardHasThreeOutcomes() throws {
        let better = step("n 5", -0.1, se: 0.01)
        let v = try #require(VerdictRules.softVersusHard(experiment: "e", [better, step("n 10", -0.05, se: 0.01)]))
        #expect(v.status == .holds)
        #expect(v.numbers["soft_significantly_better"] == 2)
        let worse = try #require(VerdictRules.softVersusHard(experiment: "e", [step("n 5", 0.1, se: 0.01)]))
        #expect(worse.status == .fails)
        let tie = try #require(VerdictRules.softVersusHard(experiment: "e", [better, step("n 10", 0.0, se: 0.01)]))
        #expect(tie.status == .inconclusive)
        // Soft worse in no trial (hard labels misclassify a little, soft labels nothing):
        // the interval reaches above 0, the draws do not.
        let neverWorse = try #require(VerdictRules.softVersusHard(experiment: "e", [step("n 80", -4e-4, se: 2e-4, increasing: 0)]))
        #expect(neverWorse.status == .holds)
        // n = 1: both students lie along x_1; a difference of rounding size is neither side.
        let rounding = try #require(VerdictRules.softVersusHard(experiment: "e", [
            step("n 1", 3e-17, se: 1e-17), step("n 2", -3e-17, se: 1e-17)]))
        #expect(rounding.status == .holds)
        #expect(rounding.numbers["soft_significantly_worse"] == 0)
    }

    @Test func expectationsSetTheExitStatus() {
        func verdict(_ claim: String, _ status: VerdictStatus) -> Verdict {
            Verdict(claim: claim, experiment: "e", status: status, numbers: [:], detail: "", rule: "r")
        }
        let asExpected = [verdict("B", .holds), verdict("M3", .fails)].expecting(["M3": .fails])
        #expect(asExpected.exitStatus == 0)
        #expect(asExpected[1].expected == .fails && !asExpected[1].isUnexpected)
        #expect([verdict("B", .holds), verdict("M3", .fails)].expecting([:]).exitStatus == 4)
        #expect([verdict("B", .holds), verdict("C1", .inconclusive)].expecting([:]).exitStatus == 5)
        // A difference from the expectation outranks an inconclusive verdict.
        #expect([verdict("M3", .fails), verdict("C1", .inconclusive)].expecting([:]).exitStatus == 4)
        // An inconclusive verdict is not a contradiction (5, not 4), also when failure was
        // expected; a file may declare a claim it knows the run cannot decide.
        #expect([verdict("M3", .inconclusive)].expecting(["M3": .fails]).exitStatus == 5)
        #expect([verdict("C1", .inconclusive)].expecting(["C1": .inconclusive]).exitStatus == 0)
        #expect([verdict("C1", .holds)].expecting(["C1": .inconclusive]).exitStatus == 4)
    }

    /// JSON has no NaN or infinity: such a number is written as null (never a string), reads
    /// back as NaN, and keys come out sorted. The configuration's own nulls stay nulls.
    @Test func summaryWritesNonFiniteNumbersAsNullAndSortsKeys() throws {
        let verdict = Verdict(claim: "B", experiment: "e", holds: true, numbers: ["z": .infinity, "a": .nan, "m": 0.5], detail: "d", rule: "r")
        let doc = SummaryDocument(version: "0", ranks: 2, partial: false,
                                  configuration: .object(["suite": .string("s"), "memo": .null]),
                                  experiments: ["e": .init(seed: 7, trials: 64, trialsRequested: 50, trialsPlanned: 64,
                                                      blockSize: 64, confidence: 0.95, stopReason: "fixedCountReached",
                                                      sampler: "gram")],
                                  fits: [], verdicts: [verdict], timings: [:])
        let data = try doc.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"status\" : \"holds\""))
        #expect(text.contains("\"rule\" : \"r\""))
        #expect(text.contains("\"expected\" : \"holds\""))
        // Without a CI target, target_met is written, as null.
        #expect(text.contains("\"target_met\" : null"))
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
        #expect(back.verdicts[0].status == .holds)
        #expect(back.experiments["e"]?.targetMet == nil)
        #expect(back.verdicts[0].numbers["m"] == 0.5)
        #expect(back.configuration == .object(["suite": .string("s"), "memo": .null]))
        #expect(back.experiments == doc.experiments)
        #expect(back.trials == ["e": 64])
    }
}
