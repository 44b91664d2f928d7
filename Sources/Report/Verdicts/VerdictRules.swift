import Distillation
import Foundation
import Numerics

/// A paired difference between two curve points of the same trials (common random numbers),
/// e.g. R(n_{k+1}) − R(n_k) for monotonicity or R_soft(n) − R_hard(n).
public struct PairedDifference: Sendable, Codable, Equatable {
    public var label: String
    public var mean: Double
    public var ciLow: Double
    public var ciHigh: Double

    public init(label: String, mean: Double, ciLow: Double, ciHigh: Double) {
        self.label = label
        self.mean = mean
        self.ciLow = ciLow
        self.ciHigh = ciHigh
    }
}

/// The rules that turn curves into verdicts. Each takes what one claim needs and says whether
/// it holds, with the margin. Significance is judged on the run's own intervals.
public enum VerdictRules {
    /// B: E[R_n] ≤ bound at every n. A point violates it when its whole interval lies above.
    public static func boundHolds(_ curve: [CurveRow]) -> Verdict? {
        let checked = curve.filter { $0.bound != nil }
        guard let first = checked.first else { return nil }
        var violations: [Int] = []
        var worstExcess = -Double.infinity
        for row in checked {
            let bound = row.bound!
            worstExcess = max(worstExcess, row.mean - bound)
            if row.ciLow > bound { violations.append(row.n) }
        }
        let detail = violations.isEmpty
            ? "the mean risk stays below B at all \(checked.count) n (largest mean − B = \(format(worstExcess)))"
            : "the interval lies above B at n = \(violations.map(String.init).joined(separator: ", "))"
        return Verdict(claim: "B", experiment: first.experiment, student: first.student,
                       holds: violations.isEmpty,
                       numbers: ["points": Double(checked.count), "violations": Double(violations.count),
                                 "max_mean_minus_bound": worstExcess],
                       detail: detail)
    }

    /// Agreement with the exact isotropic-Gaussian expectation: z-scores of mean − exact,
    /// judged against a Bonferroni-corrected normal quantile at a familywise level.
    /// Differences within `tolerance` count as agreement whatever their z-score: an iterative
    /// solver stops at a finite tolerance, and a curve point whose draws all sit at the exact
    /// value (risk 0 at n ≥ d) has a spread made of that residue alone.
    public static func exactAgreement(_ curve: [CurveRow], familywiseLevel: Double = 0.01,
                                      tolerance: Double = roundingTolerance) -> Verdict? {
        let checked = curve.filter { $0.exact != nil }
        guard let first = checked.first else { return nil }
        let critical = SpecialFunctions.normalQuantile(1 - familywiseLevel / (2 * Double(checked.count)))
        var maxZ = 0.0
        var worstN = checked[0].n
        var exactMismatch = false
        for row in checked {
            let difference = row.mean - row.exact!
            let se = row.standardError
            if abs(difference) <= tolerance {
                continue
            } else if se > 0 {
                let z = abs(difference) / se
                if z > maxZ { maxZ = z; worstN = row.n }
            } else {
                // No spread at all (e.g. risk identically 0 at n ≥ d): compare directly.
                exactMismatch = true
                worstN = row.n
            }
        }
        let holds = maxZ <= critical && !exactMismatch
        return Verdict(claim: "exact-gaussian", experiment: first.experiment, student: first.student,
                       holds: holds,
                       numbers: ["points": Double(checked.count), "max_abs_z": maxZ, "critical_z": critical],
                       detail: "largest |z| = \(format(maxZ)) at n = \(worstN) against \(format(critical)) (Bonferroni, familywise \(familywiseLevel))")
    }

    /// Identification: for n ≥ d the student is the teacher, so every draw's risk is 0.
    public static func identification(_ curve: [CurveRow], dimension d: Int, tolerance: Double = 1e-9) -> Verdict? {
        let checked = curve.filter { $0.n >= d }
        guard let first = checked.first else { return nil }
        let worst = checked.map { max(abs($0.mean), abs($0.ciHigh)) }.max() ?? 0
        return Verdict(claim: "identification", experiment: first.experiment, student: first.student,
                       holds: worst <= tolerance,
                       numbers: ["points": Double(checked.count), "max_risk": worst, "tolerance": tolerance],
                       detail: "largest risk at n ≥ d = \(d): \(format(worst)) (tolerance \(format(tolerance)))")
    }

    /// M3: the expected risk never increases with n. A violation is a paired increase whose
    /// interval lies wholly above 0; each is listed.
    public static func monotone(experiment: String, student: String?, _ differences: [PairedDifference]) -> Verdict? {
        guard !differences.isEmpty else { return nil }
        let violations = differences.filter { $0.ciLow > 0 }
        let largest = differences.map(\.mean).max() ?? 0
        let detail = violations.isEmpty
            ? "no significant increase over \(differences.count) steps (largest mean step \(format(largest)))"
            : "significant increases: " + violations.map {
                "\($0.label) by \(format($0.mean)) [\(format($0.ciLow)), \(format($0.ciHigh))]"
            }.joined(separator: "; ")
        return Verdict(claim: "M3", experiment: experiment, student: student, holds: violations.isEmpty,
                       numbers: ["steps": Double(differences.count), "violations": Double(violations.count),
                                 "largest_mean_step": largest],
                       detail: detail)
    }

    /// C1/C2: the curve decays at least as fast as the theory predicts — the fitted rate's
    /// interval reaches the predicted rate (it is not significantly slower).
    public static func decayRate(claim: String, experiment: String, student: String?,
                                 fit: DecayFit, predicted: Double) -> Verdict {
        let name = fit.model == .exponential ? "rate q" : "exponent κ"
        return Verdict(claim: claim, experiment: experiment, student: student,
                       holds: fit.rateHigh >= predicted,
                       numbers: ["fitted": fit.rate, "fitted_low": fit.rateLow, "fitted_high": fit.rateHigh,
                                 "predicted": predicted, "points": Double(fit.points)],
                       detail: "fitted \(name) = \(format(fit.rate)) [\(format(fit.rateLow)), \(format(fit.rateHigh))] against predicted \(format(predicted))")
    }

    /// L1/L2: the simulated flow ends where the theory says (closed form P w* + (I − P) w(0)).
    public static func limitAgreement(claim: String, experiment: String, student: String?,
                                      maxRelativeDifference: Double, tolerance: Double) -> Verdict {
        Verdict(claim: claim, experiment: experiment, student: student,
                holds: maxRelativeDifference <= tolerance,
                numbers: ["max_relative_difference": maxRelativeDifference, "tolerance": tolerance],
                detail: "largest relative distance between the flow's limit and the closed form: \(format(maxRelativeDifference)) (tolerance \(format(tolerance)))")
    }

    /// Distillation versus hard labels: soft − hard paired differences; distillation holds up
    /// when it is never significantly worse.
    public static func softVersusHard(experiment: String, _ differences: [PairedDifference]) -> Verdict? {
        guard !differences.isEmpty else { return nil }
        // With one point both students lie along x_1 and their risks differ by rounding only:
        // an interval of width 1e-17 away from 0 is not a difference.
        let worse = differences.filter { $0.ciLow > roundingTolerance }
        let better = differences.filter { $0.ciHigh < -roundingTolerance }
        return Verdict(claim: "soft-vs-hard", experiment: experiment, student: nil, holds: worse.isEmpty,
                       numbers: ["points": Double(differences.count),
                                 "soft_significantly_better": Double(better.count),
                                 "soft_significantly_worse": Double(worse.count),
                                 "mean_difference": differences.map(\.mean).reduce(0, +) / Double(differences.count)],
                       detail: "soft labels significantly better at \(better.count) of \(differences.count) n, worse at \(worse.count)")
    }

    /// Differences at or below this are rounding, not disagreement.
    public static let roundingTolerance = 1e-9

    static func format(_ x: Double) -> String {
        String(format: "%.4g", x)
    }
}
