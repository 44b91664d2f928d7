import Experiments
import Distillation
import Foundation
import Numerics

/// A paired difference between two curve points of the same trials (common random numbers),
/// e.g. R(n_{k+1}) − R(n_k) for monotonicity or R_soft(n) − R_hard(n).
package struct PairedDifference: Sendable, Codable, Equatable {
    package var label: String
    package var mean: Double
    /// Standard error of the mean difference (sd/√N).
    package var standardError: Double
    /// Trials behind it.
    package var count: Int
    /// Trials in which the difference exceeded rounding (the risk grew, or soft labels did
    /// worse); nil where not recorded.
    package var increasingDraws: Int?

    package init(label: String, mean: Double, standardError: Double, count: Int, increasingDraws: Int? = nil) {
        self.label = label
        self.mean = mean
        self.standardError = standardError
        self.count = count
        self.increasingDraws = increasingDraws
    }
}

/// The rules that turn curves into verdicts (docs/THEORY.md §8). Each takes what one claim
/// needs and returns holds, fails or inconclusive with the numbers and the rule in words.
/// Claims tested at several n (or steps) use Bonferroni's correction: each of the k tests is
/// made at level α/k, α = 1 − confidence, so the chance of any false finding is at most α.
package enum VerdictRules {
    /// Differences at or below this are rounding, not disagreement.
    package static let roundingTolerance = 1e-9
    /// Relative margin of the exact-expectation claim: agreement within it counts as agreement.
    package static let exactRelativeMargin = 0.1

    /// One-sided Bonferroni critical value: t_{1 − α/k, N − 1}.
    static func critical(level: Double, tests k: Int, trials: Int) -> Double {
        let alpha = 1 - level
        let p = 1 - alpha / Double(max(k, 1))
        return trials > 1 ? SpecialFunctions.studentTQuantile(p, degreesOfFreedom: Double(trials - 1)) : .infinity
    }

    // MARK: B

    package static let boundRule = "holds when at every n the Bonferroni upper limit of the mean risk (one-sided, family-wise level 1 − confidence over the n) is at or below B; fails when at some n the lower limit lies above B; inconclusive otherwise"

    /// B: E[R_n] ≤ bound at every n.
    package static func boundHolds(_ curve: [CurveRow], confidence: Double = 0.95) -> Verdict? {
        let checked = curve.filter { $0.bound != nil }
        guard let first = checked.first else { return nil }
        var above: [Int] = [], undecided: [Int] = []
        var worstExcess = -Double.infinity
        for row in checked {
            let bound = row.bound!
            let c = critical(level: confidence, tests: checked.count, trials: row.trials)
            let se = row.standardError
            let low = se > 0 ? row.mean - c * se : row.mean
            let high = se > 0 ? row.mean + c * se : row.mean
            worstExcess = max(worstExcess, row.mean - bound)
            if low > bound + roundingTolerance { above.append(row.n) }
            else if high > bound + roundingTolerance { undecided.append(row.n) }
        }
        let status: VerdictStatus = !above.isEmpty ? .fails : (undecided.isEmpty ? .holds : .inconclusive)
        let detail: String
        switch status {
        case .holds: detail = "the mean risk lies below B at all \(checked.count) n (largest mean − B = \(format(worstExcess)))"
        case .fails: detail = "the risk lies significantly above B at n = \(list(above))"
        case .inconclusive: detail = "the interval reaches above B at n = \(list(undecided)); more trials would decide"
        }
        return Verdict(claim: "B", experiment: first.experiment, student: first.student, status: status,
                       numbers: ["points": Double(checked.count), "violations": Double(above.count),
                                 "undecided": Double(undecided.count), "max_mean_minus_bound": worstExcess,
                                 "familywise_level": 1 - confidence],
                       detail: detail, rule: boundRule)
    }

    // MARK: Exact Gaussian expectation

    package static let exactRule = "fails when some n differs from the exact expectation significantly (|z| above the two-sided Bonferroni critical value at family-wise level 0.01); holds when none does and every n's simultaneous interval lies within 10% (relative, or 1e-9 absolute) of the exact value; inconclusive otherwise"

    /// Agreement with the exact isotropic-Gaussian expectation (an equality claim: it holds
    /// only when the run is precise enough to show agreement, not merely no disagreement).
    /// Differences within `tolerance` count as agreement whatever their z-score: an iterative
    /// solver stops at a finite tolerance, and a point whose draws all sit at the exact value
    /// (risk 0 at n ≥ d) has a spread made of that residue alone.
    package static func exactAgreement(_ curve: [CurveRow], familywiseLevel: Double = 0.01,
                                      tolerance: Double = roundingTolerance) -> Verdict? {
        let checked = curve.filter { $0.exact != nil }
        guard let first = checked.first else { return nil }
        let z = SpecialFunctions.normalQuantile(1 - familywiseLevel / (2 * Double(checked.count)))
        var maxZ = 0.0
        var worstN = checked[0].n
        var disagree: [Int] = [], imprecise: [Int] = []
        for row in checked {
            let exact = row.exact!
            let difference = row.mean - exact
            let se = row.standardError
            let margin = max(exactRelativeMargin * abs(exact), tolerance)
            if abs(difference) <= tolerance { continue }
            if se > 0 {
                let score = abs(difference) / se
                if score > maxZ { maxZ = score; worstN = row.n }
                if score > z { disagree.append(row.n) }
                else if abs(difference) + z * se > margin { imprecise.append(row.n) }
            } else {
                // No spread at all (e.g. risk identically 0 at n ≥ d): compare directly.
                disagree.append(row.n)
            }
        }
        let status: VerdictStatus = !disagree.isEmpty ? .fails : (imprecise.isEmpty ? .holds : .inconclusive)
        var detail = "largest |z| = \(format(maxZ)) at n = \(worstN) against \(format(z)) (Bonferroni, family-wise \(familywiseLevel))"
        if !disagree.isEmpty { detail += "; disagrees at n = \(list(disagree))" }
        if !imprecise.isEmpty { detail += "; interval wider than the 10% margin at n = \(list(imprecise))" }
        return Verdict(claim: "exact-gaussian", experiment: first.experiment, student: first.student, status: status,
                       numbers: ["points": Double(checked.count), "max_abs_z": maxZ, "critical_z": z,
                                 "disagreeing": Double(disagree.count), "imprecise": Double(imprecise.count),
                                 "relative_margin": exactRelativeMargin],
                       detail: detail, rule: exactRule)
    }

    // MARK: Identification

    package static let identificationRule = "holds when at every n ≥ d the mean risk and its upper limit are within the tolerance of 0 (the student is the teacher); fails otherwise"

    /// Identification: for n ≥ d the student is the teacher, so every draw's risk is 0.
    package static func identification(_ curve: [CurveRow], dimension d: Int, tolerance: Double = 1e-9) -> Verdict? {
        let checked = curve.filter { $0.n >= d }
        guard let first = checked.first else { return nil }
        let worst = checked.map { max(abs($0.mean), abs($0.ciHigh)) }.max() ?? 0
        return Verdict(claim: "identification", experiment: first.experiment, student: first.student,
                       holds: worst <= tolerance,
                       numbers: ["points": Double(checked.count), "max_risk": worst, "tolerance": tolerance],
                       detail: "largest risk at n ≥ d = \(d): \(format(worst)) (tolerance \(format(tolerance)))",
                       rule: identificationRule)
    }

    // MARK: Monotonicity

    package static let pathwiseRule = "pathwise: holds when no step of any trial increases by more than 1e-9; fails when one does (one counterexample suffices)"

    /// M1 (γ) and M2 (p(γ)): pathwise non-increasing in n. `increases` counts, per step, the
    /// trials whose value grew by more than rounding.
    package static func pathwise(claim: String, quantity: String, experiment: String, student: String?,
                                steps: [(label: String, increasing: Int, trials: Int)]) -> Verdict? {
        guard !steps.isEmpty else { return nil }
        let bad = steps.filter { $0.increasing > 0 }
        let total = bad.reduce(0) { $0 + $1.increasing }
        let trials = steps.map(\.trials).max() ?? 0
        let detail = bad.isEmpty
            ? "\(quantity) never increased over \(steps.count) steps × \(trials) trials"
            : "\(quantity) increased in \(total) trial-steps: " + bad.prefix(5).map { "\($0.label) in \($0.increasing) trials" }.joined(separator: "; ")
        return Verdict(claim: claim, experiment: experiment, student: student, holds: bad.isEmpty,
                       numbers: ["steps": Double(steps.count), "trials": Double(trials),
                                 "increasing_trial_steps": Double(total)],
                       detail: detail, rule: pathwiseRule)
    }

    package static let monotoneRule = "fails when some step's mean increase is significant (one-sided Bonferroni lower limit above 1e-9, family-wise level 1 − confidence over the steps); holds when every step's Bonferroni upper limit is at or below 1e-9, or the step increased in no trial at all; inconclusive otherwise"

    /// M3: the expected risk never increases with n (paired differences over nested prefixes).
    package static func monotone(experiment: String, student: String?, _ differences: [PairedDifference],
                                confidence: Double = 0.95) -> Verdict? {
        guard !differences.isEmpty else { return nil }
        var violations: [(PairedDifference, Double, Double)] = []
        var undecided: [String] = []
        for d in differences {
            let c = critical(level: confidence, tests: differences.count, trials: d.count)
            let low = d.mean - c * d.standardError, high = d.mean + c * d.standardError
            if low > roundingTolerance { violations.append((d, low, high)) }
            else if high > roundingTolerance && d.increasingDraws != 0 { undecided.append(d.label) }
        }
        let largest = differences.map(\.mean).max() ?? 0
        let status: VerdictStatus = !violations.isEmpty ? .fails : (undecided.isEmpty ? .holds : .inconclusive)
        let detail: String
        switch status {
        case .holds: detail = "no increase over \(differences.count) steps (largest mean step \(format(largest)))"
        case .fails:
            detail = "significant increases: " + violations.map {
                "\($0.0.label) by \(format($0.0.mean)) [\(format($0.1)), \(format($0.2))]"
            }.joined(separator: "; ")
        case .inconclusive:
            detail = "no significant increase, but the interval reaches above 0 at \(undecided.joined(separator: ", "))"
        }
        return Verdict(claim: "M3", experiment: experiment, student: student, status: status,
                       numbers: ["steps": Double(differences.count), "violations": Double(violations.count),
                                 "undecided": Double(undecided.count), "largest_mean_step": largest,
                                 "familywise_level": 1 - confidence],
                       detail: detail, rule: monotoneRule)
    }

    // MARK: Decay rates

    package static func rateRule(_ model: DecayFit.Model) -> String {
        switch model {
        case .exponential:
            return "holds when the fitted rate's whole interval (generalized least squares on log risk with the covariance across n) lies at or above the predicted rate −log(1 − q) of the bound (1 − q)^n (an exact exponential: no log factor); fails when it lies wholly below; inconclusive when it straddles the prediction or no law could be fitted"
        case .polynomial:
            return "holds when the fitted exponent's whole interval (generalized least squares on log risk with the covariance across n) lies at or above the bound's own exponent on the same n (min_t [t^κ + (1 − t)^{κn}] = Õ(n^−κ) carries a log factor, so on a finite grid its log–log slope is below κ); fails when it lies wholly below; inconclusive when it straddles it or no law could be fitted"
        }
    }

    /// C1/C2: the curve decays at least as fast as the theory predicts.
    /// - Parameters:
    ///   - predicted: the theory's rate (−log(1 − q), or κ).
    ///   - threshold: the rate the bound itself shows on the fit's grid (equal to `predicted`
    ///     for C1; below κ for C2 by the log factor).
    package static func decayRate(claim: String, experiment: String, student: String?, model: DecayFit.Model,
                                 fit: Result<DecayFit, DecayFitter.Failure>, predicted: Double,
                                 threshold: Double) -> Verdict {
        let name = model == .exponential ? "rate q" : "exponent κ"
        switch fit {
        case .failure(let failure):
            return Verdict(claim: claim, experiment: experiment, student: student, status: .inconclusive,
                           numbers: ["predicted": predicted, "threshold": threshold],
                           detail: "no decay law fitted: \(failure)", rule: rateRule(model))
        case .success(let fit):
            let status: VerdictStatus = fit.rateLow >= threshold ? .holds : (fit.rateHigh < threshold ? .fails : .inconclusive)
            let side = status == .holds ? "at or above" : (status == .fails ? "below" : "straddling")
            return Verdict(claim: claim, experiment: experiment, student: student, status: status,
                           numbers: ["fitted": fit.rate, "fitted_low": fit.rateLow, "fitted_high": fit.rateHigh,
                                     "predicted": predicted, "threshold": threshold, "points": Double(fit.points),
                                     "chi_square": fit.chiSquare, "degrees_of_freedom": Double(fit.degreesOfFreedom)],
                           detail: "fitted \(name) = \(format(fit.rate)) [\(format(fit.rateLow)), \(format(fit.rateHigh))] over n = \(fit.n.map(String.init).joined(separator: ", ")), \(side) the bound's \(format(threshold)) (theory \(format(predicted)))",
                           rule: rateRule(model))
        }
    }

    // MARK: Limits

    package static let limitRule = "holds when the largest relative distance between the solver's end and the closed-form limit (its upper limit where there is spread) is within the tolerance; fails otherwise"

    /// L1/L2: the simulated flow ends where the theory says (closed form P w* + (I − P) w(0)).
    package static func limitAgreement(claim: String, experiment: String, student: String?,
                                      maxRelativeDifference: Double, tolerance: Double) -> Verdict {
        Verdict(claim: claim, experiment: experiment, student: student,
                holds: maxRelativeDifference <= tolerance,
                numbers: ["max_relative_difference": maxRelativeDifference, "tolerance": tolerance],
                detail: "largest relative distance between the flow's limit and the closed form: \(format(maxRelativeDifference)) (tolerance \(format(tolerance)))",
                rule: limitRule)
    }

    // MARK: Soft versus hard labels

    package static let softVersusHardRule = "fails when at some n soft labels are significantly worse than hard labels (one-sided Bonferroni lower limit of soft − hard above 1e-9, family-wise level 1 − confidence over the n); holds when at every n the Bonferroni upper limit is at or below 1e-9 or soft labels were worse in no trial at all (soft never worse); inconclusive otherwise"

    /// Distillation versus hard labels: soft − hard paired differences; distillation holds up
    /// when it is never worse.
    package static func softVersusHard(experiment: String, _ differences: [PairedDifference],
                                      confidence: Double = 0.95) -> Verdict? {
        guard !differences.isEmpty else { return nil }
        // With one point both students lie along x_1 and their risks differ by rounding only:
        // an interval of width 1e-17 away from 0 is not a difference.
        var worse: [String] = [], better: [String] = [], undecided: [String] = []
        for d in differences {
            let c = critical(level: confidence, tests: differences.count, trials: d.count)
            let low = d.mean - c * d.standardError, high = d.mean + c * d.standardError
            if low > roundingTolerance { worse.append(d.label) }
            else if high > roundingTolerance && d.increasingDraws != 0 { undecided.append(d.label) }
            if high < -roundingTolerance { better.append(d.label) }
        }
        let status: VerdictStatus = !worse.isEmpty ? .fails : (undecided.isEmpty ? .holds : .inconclusive)
        var detail = "soft labels significantly better at \(better.count) of \(differences.count) n, worse at \(worse.count)"
        if !worse.isEmpty { detail += " (\(worse.joined(separator: ", ")))" }
        if !undecided.isEmpty { detail += "; undecided at \(undecided.joined(separator: ", "))" }
        return Verdict(claim: "soft-vs-hard", experiment: experiment, student: nil, status: status,
                       numbers: ["points": Double(differences.count),
                                 "soft_significantly_better": Double(better.count),
                                 "soft_significantly_worse": Double(worse.count),
                                 "undecided": Double(undecided.count),
                                 "mean_difference": differences.map(\.mean).reduce(0, +) / Double(differences.count),
                                 "familywise_level": 1 - confidence],
                       detail: detail, rule: softVersusHardRule)
    }

    // MARK: Convergence

    package static let convergedRule = "holds when every solve at every n met the solver's stopping rule; fails otherwise"

    static func format(_ x: Double) -> String {
        String(format: "%.4g", x)
    }

    static func list(_ ns: [Int]) -> String { ns.map(String.init).joined(separator: ", ") }
}
