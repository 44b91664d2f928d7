import Distillation
import Foundation
import MonteCarlo
import Experiments

/// What rank 0 holds for one experiment once its trials are merged.
public struct ExperimentResult: Sendable {
    public var trial: DistillationTrial
    public var intervals: [ConfidenceInterval]
    public var stopReason: String
    /// Where the time went; nil for a result rebuilt from a checkpoint (the report of a
    /// stopped run), whose timings were never recorded.
    public var timing: RunTiming?

    public init(trial: DistillationTrial, intervals: [ConfidenceInterval], stopReason: String, timing: RunTiming?) {
        precondition(intervals.count == trial.layout.count, "one interval per curve point")
        self.trial = trial
        self.intervals = intervals
        self.stopReason = stopReason
        self.timing = timing
    }

    public func interval(_ student: String, _ n: Int, _ quantity: CurveLayout.Quantity) -> ConfidenceInterval? {
        trial.layout.index(student, n, quantity).map { intervals[$0] }
    }

    public var trials: Int { intervals.map(\.count).max() ?? 0 }
}

/// Turns merged statistics into the rows of curves.csv, the fitted decay laws and the verdicts
/// of docs/THEORY.md's claims.
public enum ExperimentAnalysis {
    /// Tolerance of L1: the flow's end against the closed form (relative, in the span).
    public static let linearLimitTolerance = 1e-6
    /// Tolerance of L2: the balanced deep student's end-to-end vector against P w*.
    public static let deepLimitTolerance = 1e-4

    public static func rows(_ result: ExperimentResult) -> [CurveRow] {
        let trial = result.trial
        var rows: [CurveRow] = []
        for plan in trial.students {
            for n in trial.grid {
                guard let risk = result.interval(plan.label, n, .risk) else { continue }
                let exact = plan.isZeroInitialisedLinear ? trial.setup.exactExpectation?(n) : nil
                let bound = plan.isZeroInitialisedLinear ? trial.setup.geometry.riskBound(count: n).value : nil
                let certificate = result.interval(plan.label, n, .certificate)?.mean
                rows.append(CurveRow(
                    experiment: trial.spec.name, student: plan.label, n: n, trials: risk.count,
                    mean: risk.mean, sd: risk.standardDeviation, ciLow: risk.low, ciHigh: risk.high,
                    exact: exact, bound: bound, certificate: certificate))
            }
        }
        return rows
    }

    /// The decay law the theory predicts for this experiment's geometry, with its predicted rate.
    /// A decay law needs a curve: a grid of fewer than 3 sizes (optimization-bias studies a
    /// single n) has no rate to judge.
    public static let minimumPointsForRate = 3

    public static func predictedDecay(_ trial: DistillationTrial) -> (model: DecayFit.Model, claim: String, rate: Double)? {
        guard trial.grid.count >= minimumPointsForRate else { return nil }
        switch trial.spec.geometry {
        case .margin:
            guard let margin = trial.setup.geometry as? MarginGeometry else { return nil }
            // E[R_n] ≤ (1 − q)^n: the rate in n is −log(1 − q).
            return (.exponential, "C1", -log1p(-margin.axisMass))
        case .polyTail(let kappa, _):
            return (.polynomial, "C2", kappa)
        default:
            return nil
        }
    }

    public static func fits(_ result: ExperimentResult) -> [SummaryDocument.Fit] {
        guard let predicted = predictedDecay(result.trial) else { return [] }
        let trial = result.trial
        var fits: [SummaryDocument.Fit] = []
        for plan in trial.students where plan.isZeroInitialisedLinear {
            let points = trial.grid.compactMap { n in result.interval(plan.label, n, .risk).map { (n, $0) } }
            if let fit = DecayFitter.fit(predicted.model, n: points.map(\.0), mean: points.map(\.1.mean),
                                         standardError: points.map { $0.1.count > 1 ? $0.1.standardDeviation / Double($0.1.count).squareRoot() : 0 },
                                         confidence: trial.spec.confidence) {
                fits.append(SummaryDocument.Fit(experiment: trial.spec.name, student: plan.label, fit: fit,
                                                predicted: predicted.rate))
            }
        }
        return fits
    }

    public static func verdicts(_ result: ExperimentResult, rows: [CurveRow], fits: [SummaryDocument.Fit]) -> [Verdict] {
        let trial = result.trial
        let name = trial.spec.name
        var verdicts: [Verdict] = []
        for plan in trial.students {
            let curve = rows.filter { $0.student == plan.label }
            let gaps = trial.grid.compactMap { result.interval(plan.label, $0, .limitGap) }
            if !gaps.isEmpty {
                let worst = gaps.map { max($0.mean, $0.count > 1 ? $0.high : $0.mean) }.max() ?? .nan
                switch plan.kind {
                case .linear:
                    verdicts.append(VerdictRules.limitAgreement(claim: "L1", experiment: name, student: plan.label,
                                                                maxRelativeDifference: worst, tolerance: linearLimitTolerance))
                case .deepLinear:
                    verdicts.append(VerdictRules.limitAgreement(claim: "L2", experiment: name, student: plan.label,
                                                                maxRelativeDifference: worst, tolerance: deepLimitTolerance))
                default: break
                }
            }
            let converged = trial.grid.compactMap { result.interval(plan.label, $0, .converged) }
            if !converged.isEmpty {
                let fraction = converged.map(\.mean).min() ?? .nan
                verdicts.append(Verdict(claim: "converged", experiment: name, student: plan.label, holds: fraction == 1,
                                        numbers: ["smallest_converged_fraction": fraction],
                                        detail: "fraction of solves that met the solver's stopping rule, worst n: \(fraction)"))
            }
            // An iterative solver ends within its tolerance of the limit: at n ≥ d the risk is
            // then at most γ/π ≤ (relative distance to w*)/π, which L1 bounds.
            let tolerance = gaps.isEmpty ? VerdictRules.roundingTolerance : linearLimitTolerance
            if case .linear = plan.kind,
               let v = VerdictRules.identification(curve, dimension: trial.spec.d, tolerance: tolerance) {
                verdicts.append(v)
            }
            if let v = VerdictRules.exactAgreement(curve, tolerance: tolerance) { verdicts.append(v) }
            if let v = VerdictRules.boundHolds(curve) { verdicts.append(v) }
            let steps = zip(trial.grid, trial.grid.dropFirst()).compactMap { previous, n -> PairedDifference? in
                guard let step = result.interval(plan.label, n, .step), step.count > 1 else { return nil }
                return PairedDifference(label: "n \(previous)→\(n)", mean: step.mean, ciLow: step.low, ciHigh: step.high)
            }
            // M3 is the paper's claim about students distilled from soft labels; the hard-label
            // and w_δ curves are comparisons, drawn but not judged by it.
            if plan.isSoftLabel, let v = VerdictRules.monotone(experiment: name, student: plan.label, steps) {
                verdicts.append(v)
            }
        }
        if let predicted = predictedDecay(trial) {
            for plan in trial.students where plan.isZeroInitialisedLinear {
                if let fit = fits.first(where: { $0.student == plan.label }) {
                    verdicts.append(VerdictRules.decayRate(claim: predicted.claim, experiment: name, student: fit.student,
                                                           fit: fit.fit, predicted: predicted.rate))
                } else if let zero = rows.first(where: { $0.student == plan.label && $0.mean == 0 && $0.ciHigh == 0 }) {
                    // Every draw has risk 0 from some n on: faster than any rate a fit could give.
                    verdicts.append(Verdict(claim: predicted.claim, experiment: name, student: plan.label, holds: true,
                                            numbers: ["zero_from_n": Double(zero.n), "predicted": predicted.rate],
                                            detail: "every draw has risk 0 from n = \(zero.n) on; too few positive points to fit, the decay is faster than predicted (\(VerdictRules.format(predicted.rate)))"))
                } else {
                    verdicts.append(Verdict(claim: predicted.claim, experiment: name, student: plan.label, holds: false,
                                            numbers: ["predicted": predicted.rate],
                                            detail: "no decay law could be fitted (fewer than 3 points with a positive mean)"))
                }
            }
        }
        let differences = trial.grid.compactMap { n -> PairedDifference? in
            guard let d = result.interval(DistillationTrial.softVersusHardLabel, n, .softMinusHard), d.count > 1 else { return nil }
            return PairedDifference(label: "n \(n)", mean: d.mean, ciLow: d.low, ciHigh: d.high)
        }
        if let v = VerdictRules.softVersusHard(experiment: name, differences) { verdicts.append(v) }
        return verdicts
    }
}
