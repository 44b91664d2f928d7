import Distillation
import Foundation
import MonteCarlo
import Experiments

/// Why an experiment's trials ended, in summary.json's words (`stop_reason`).
package enum RunStop: String, Sendable, Equatable {
    /// The fixed count, or a sequential rule's maximum, was reached.
    case trials
    /// A sequential rule's interval target was met.
    case target
    case wallTime = "wall_time"
    /// Stopped on request before its rule was met (the report of a stopped run).
    case signal
}

/// What rank 0 holds for one experiment once its trials are merged.
package struct ExperimentResult: Sendable {
    package var trial: DistillationTrial
    package var intervals: [ConfidenceInterval]
    /// Co-moments of each student's risk curve across n (the engine's covariance groups,
    /// `CurveLayout.riskCurves`); empty when not kept.
    package var groups: [CoMoments]
    package var stopReason: RunStop
    /// Whether a sequential CI target was met; nil when no target was set.
    package var targetMet: Bool?
    /// Where the time went; nil for a result rebuilt from a checkpoint (the report of a
    /// stopped run), whose timings were never recorded.
    package var timing: RunTiming?

    package init(trial: DistillationTrial, intervals: [ConfidenceInterval], groups: [CoMoments] = [],
                stopReason: RunStop, targetMet: Bool? = nil, timing: RunTiming?) {
        precondition(intervals.count == trial.layout.count, "one interval per curve point")
        self.trial = trial
        self.intervals = Self.widenedByTheLimitTermError(intervals, trial: trial)
        self.groups = groups
        self.stopReason = stopReason
        self.targetMet = targetMet
        self.timing = timing
    }

    /// A control variate whose limit term is a quadrature: the trials' Student-t half-width of the
    /// risk (and of the limit term, which has none of its own) plus the quadrature's error
    /// estimate at that n (docs/THEORY.md §9), so every interval built on them carries it.
    static func widenedByTheLimitTermError(_ intervals: [ConfidenceInterval], trial: DistillationTrial) -> [ConfidenceInterval] {
        guard let quadrature = trial.limitTermQuadrature() else { return intervals }
        var out = intervals
        for plan in trial.students {
            for (k, n) in quadrature.grid.enumerated() {
                for quantity in [CurveLayout.Quantity.risk, .limitTerm] {
                    if let i = trial.layout.index(plan.label, n, quantity) { out[i].halfWidth += quadrature.errorEstimates[k] }
                }
            }
        }
        return out
    }

    package func interval(_ student: String, _ n: Int, _ quantity: CurveLayout.Quantity) -> ConfidenceInterval? {
        trial.layout.index(student, n, quantity).map { intervals[$0] }
    }

    package var trials: Int { intervals.map(\.count).max() ?? 0 }

    /// The co-moments of a student's risk curve, if the run kept them.
    package func riskCurve(_ student: String) -> CoMoments? {
        guard let points = trial.layout.riskCurves.first(where: { $0.student == student })?.points else { return nil }
        return groups.first { $0.points == points }
    }

    /// The summary words for an engine stop reason (and whether a target was met).
    package static func stop(_ reason: MonteCarlo.StopReason) -> (reason: RunStop, targetMet: Bool?) {
        switch reason {
        case .fixedCountReached: return (.trials, nil)
        case .targetMet: return (.target, true)
        case .maximumReached: return (.trials, false)
        case .wallTimeLimit: return (.wallTime, false)
        // One part of a split run: its share is done; the merge applies the stopping rule.
        case .partComplete: return (.trials, nil)
        }
    }
}

/// Turns merged statistics into the rows of curves.csv, the fitted decay laws and the verdicts
/// of docs/THEORY.md's claims.
package enum ExperimentAnalysis {
    /// Tolerance of L1: the flow's end against the closed form (relative, in the span).
    package static let linearLimitTolerance = 1e-6
    /// Tolerance of L2: the balanced deep student's end-to-end vector against P w*.
    package static let deepLimitTolerance = 1e-4

    package static func rows(_ result: ExperimentResult) -> [CurveRow] {
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

    /// Var(R)/Var(Y) and Var(R)/Var(R − R^∞) per curve point of a control-variate experiment,
    /// from the same trials' standard deviations; nil for the plain estimator.
    package static func varianceReductions(_ result: ExperimentResult) -> [SummaryDocument.VarianceReduction]? {
        guard result.trial.spec.estimator == .controlVariate else { return nil }
        var out: [SummaryDocument.VarianceReduction] = []
        let quadrature = result.trial.limitTermQuadrature()
        for plan in result.trial.students {
            for n in result.trial.grid {
                guard let plain = result.interval(plan.label, n, .plainRisk),
                      let estimate = result.interval(plan.label, n, .risk),
                      let term = result.interval(plan.label, n, .trialTerm) else { continue }
                let v = plain.standardDeviation * plain.standardDeviation
                let k = quadrature?.grid.firstIndex(of: n)
                out.append(.init(student: plan.label, n: n,
                                 estimate: v / (estimate.standardDeviation * estimate.standardDeviation),
                                 trialTerm: v / (term.standardDeviation * term.standardDeviation),
                                 limitTerm: k.map { quadrature!.values[$0] },
                                 limitTermError: k.map { quadrature!.errorEstimates[$0] }))
            }
        }
        return out
    }

    /// The decay law the theory predicts for this experiment's geometry, with its predicted rate.
    /// A decay law needs a curve: a grid of fewer than 3 sizes (optimization-bias studies a
    /// single n) has no rate to judge.
    package static let minimumPointsForRate = 3

    package static func predictedDecay(_ trial: DistillationTrial) -> (model: DecayFit.Model, claim: String, rate: Double)? {
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

    package static func fits(_ result: ExperimentResult) -> [SummaryDocument.Fit] {
        rateFits(result).compactMap { entry in
            guard case .success(let fit) = entry.fit else { return nil }
            return SummaryDocument.Fit(experiment: result.trial.spec.name, student: entry.student, fit: fit,
                                       predicted: entry.predicted, threshold: entry.threshold)
        }
    }

    /// The decay fit of every zero-initialised linear student (or why none was possible),
    /// with the theory's rate and the bound's own rate on the fitted points.
    package static func rateFits(_ result: ExperimentResult)
        -> [(student: String, fit: Result<DecayFit, DecayFitter.Failure>, predicted: Double, threshold: Double)]
    {
        guard let predicted = predictedDecay(result.trial) else { return [] }
        let trial = result.trial
        return trial.students.filter(\.isZeroInitialisedLinear).map { plan in
            let points = trial.grid.compactMap { n in result.interval(plan.label, n, .risk).map { (n, $0) } }
            let n = points.map(\.0), mean = points.map(\.1.mean)
            let trials = points.map(\.1.count).min() ?? 0
            let fit: Result<DecayFit, DecayFitter.Failure>
            if let curve = result.riskCurve(plan.label), curve.size == points.count,
               let covariance = curve.covarianceOfMeans {
                // The complete-case means and covariance (every n of the same trials).
                fit = DecayFitter.fit(predicted.model, n: n, mean: curve.mean, covariance: covariance,
                                      trials: curve.count, confidence: trial.spec.confidence)
            } else {
                fit = DecayFitter.fitIndependent(predicted.model, n: n, mean: mean,
                                                 standardError: points.map { $0.1.count > 1 ? $0.1.standardDeviation / Double($0.1.count).squareRoot() : 0 },
                                                 trials: trials, confidence: trial.spec.confidence)
            }
            let used = (try? fit.get().n) ?? n
            return (plan.label, fit, predicted.rate, threshold(predicted.model, rate: predicted.rate, trial: trial, n: used))
        }
    }

    /// The rate the bound itself shows on the sizes `n`: for C1 the bound (1 − q)^n is an exact
    /// exponential of rate −log(1 − q); for C2 it is min_t [t^κ + (1 − t)^{κn}] = Õ(n^−κ), whose
    /// log–log slope on a finite grid is below κ by its log factor (the slope fitted to the
    /// bound on the same n).
    static func threshold(_ model: DecayFit.Model, rate: Double, trial: DistillationTrial, n: [Int]) -> Double {
        guard model == .polynomial, case .polyTail(let kappa, _) = trial.spec.geometry, n.count >= 2 else { return rate }
        let xs = n.map { log(Double($0)) }
        let ys = n.map { log(RiskBound.polynomial(count: $0, kappa: kappa).value) }
        return -DecayFitter.slope(xs: xs, ys: ys)
    }

    package static func verdicts(_ result: ExperimentResult, rows: [CurveRow], fits: [SummaryDocument.Fit]) -> [Verdict] {
        let trial = result.trial
        let name = trial.spec.name
        let confidence = trial.spec.confidence
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
                                        detail: "fraction of solves that met the solver's stopping rule, worst n: \(fraction)",
                                        rule: VerdictRules.convergedRule))
            }
            // An iterative solver ends within its tolerance of the limit: at n ≥ d the risk is
            // then at most γ/π ≤ (relative distance to w*)/π, which L1 bounds.
            let tolerance = gaps.isEmpty ? VerdictRules.roundingTolerance : linearLimitTolerance
            if case .linear = plan.kind,
               let v = VerdictRules.identification(curve, dimension: trial.spec.d, tolerance: tolerance) {
                verdicts.append(v)
            }
            if let v = VerdictRules.exactAgreement(curve, tolerance: tolerance) { verdicts.append(v) }
            if let v = VerdictRules.boundHolds(curve, confidence: confidence) { verdicts.append(v) }
            let pairs = Array(zip(trial.grid, trial.grid.dropFirst()))
            for (claim, quantity, what) in [("M1", CurveLayout.Quantity.angleIncrease, "γ"),
                                            ("M2", .certificateIncrease, "the certificate p(γ)")] {
                let steps = pairs.compactMap { previous, n -> (label: String, increasing: Int, trials: Int)? in
                    guard let s = result.interval(plan.label, n, quantity), s.count > 0 else { return nil }
                    return ("n \(previous)→\(n)", Int((s.mean * Double(s.count)).rounded()), s.count)
                }
                if let v = VerdictRules.pathwise(claim: claim, quantity: what, experiment: name,
                                                 student: plan.label, steps: steps) {
                    verdicts.append(v)
                }
            }
            let steps = pairs.compactMap { previous, n -> PairedDifference? in
                guard let step = result.interval(plan.label, n, .step), step.count > 1 else { return nil }
                let increasing = result.interval(plan.label, n, .riskIncrease).map { Int(($0.mean * Double($0.count)).rounded()) }
                return PairedDifference(label: "n \(previous)→\(n)", mean: step.mean,
                                        standardError: step.standardDeviation / Double(step.count).squareRoot(),
                                        count: step.count, increasingDraws: increasing)
            }
            // M3 is the paper's claim about students distilled from soft labels; the hard-label
            // and w_δ curves are comparisons, drawn but not judged by it.
            if plan.isSoftLabel,
               let v = VerdictRules.monotone(experiment: name, student: plan.label, steps, confidence: confidence) {
                verdicts.append(v)
            }
        }
        if let predicted = predictedDecay(trial) {
            for entry in rateFits(result) {
                verdicts.append(VerdictRules.decayRate(claim: predicted.claim, experiment: name, student: entry.student,
                                                       model: predicted.model, fit: entry.fit,
                                                       predicted: entry.predicted, threshold: entry.threshold))
            }
        }
        let differences = trial.grid.compactMap { n -> PairedDifference? in
            guard let d = result.interval(DistillationTrial.softVersusHardLabel, n, .softMinusHard), d.count > 1 else { return nil }
            let worse = result.interval(DistillationTrial.softVersusHardLabel, n, .softWorse)
                .map { Int(($0.mean * Double($0.count)).rounded()) }
            return PairedDifference(label: "n \(n)", mean: d.mean,
                                    standardError: d.standardDeviation / Double(d.count).squareRoot(), count: d.count,
                                    increasingDraws: worse)
        }
        if let v = VerdictRules.softVersusHard(experiment: name, differences, confidence: confidence) { verdicts.append(v) }
        return verdicts.expecting(trial.spec.expect)
    }
}
