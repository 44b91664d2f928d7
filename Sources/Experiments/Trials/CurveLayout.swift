/// What a distillation trial measures, and where each number sits in the trial's vector.
///
/// The engine only sees vectors of doubles; this layout names every entry, so the report can
/// turn the merged statistics back into curves. Differences in n (monotonicity) and between
/// students (soft versus hard labels) are measured inside each trial on the same transfer
/// set, so their intervals are paired (common random numbers).
package struct CurveLayout: Sendable, Equatable {
    package enum Quantity: String, Sendable, Codable, CaseIterable {
        /// Transfer risk R(w) of the student.
        case risk
        /// The per-draw certificate p(γ) ≥ R (docs/THEORY.md §4 (ii)).
        case certificate
        /// R(n_{k+1}) − R(n_k) on nested prefixes (M3); keyed by n_{k+1}.
        case step
        /// R_soft(n) − R_hard(n) on the same transfer set.
        case softMinusHard = "soft-minus-hard"
        /// ‖w_solver − w_closed‖ / ‖w_closed‖: how far the simulated flow ends from the theory's
        /// limit (L1 for linear students, L2 for balanced deep ones).
        case limitGap = "limit-gap"
        /// ‖(I − P) w‖ of a deep linear student at the end of the flow.
        case offSpan = "off-span"
        /// Flow time the solver reached (how fast the student learns).
        case flowTime = "flow-time"
        /// Gradient evaluations the solver used.
        case gradientEvaluations = "gradient-evaluations"
        /// 1 when the solver met its stopping rule, 0 when it hit a limit.
        case converged
        /// 1 when γ grew from n_k to n_{k+1} by more than the solver's rounding (M1); keyed
        /// by n_{k+1}.
        case angleIncrease = "angle-increase"
        /// 1 when the certificate p(γ) grew from n_k to n_{k+1} beyond rounding (M2).
        case certificateIncrease = "certificate-increase"
        /// 1 when the risk grew from n_k to n_{k+1} beyond rounding (the draws behind M3).
        case riskIncrease = "risk-increase"
        /// 1 when the soft-label student's risk exceeded the hard-label one's beyond rounding.
        case softWorse = "soft-worse"
        /// The trial's own R_n when the estimator is the control variate (the risk is then the
        /// control-variate value), so the report can measure the variance reduction.
        case plainRisk = "plain-risk"
        /// R_n − R_n^∞ of the trial's draw (the control variate's trial term).
        case trialTerm = "cv-trial-term"
        /// The mean of R_n^∞ over the trial's cheap β-only samples (the limit term).
        case limitTerm = "cv-limit-term"
        /// log W_n of the importance estimator's prefix weight (every other value at n is
        /// already multiplied by W_n); its spread shows how far the tilt is from the target.
        case logWeight = "is-log-weight"
    }

    package struct Key: Sendable, Hashable, Codable {
        package var student: String
        package var n: Int
        package var quantity: Quantity
        package init(student: String, n: Int, quantity: Quantity) {
            self.student = student
            self.n = n
            self.quantity = quantity
        }
    }

    package private(set) var keys: [Key] = []
    private var positions: [Key: Int] = [:]

    package init() {}

    package mutating func append(_ key: Key) {
        precondition(positions[key] == nil, "curve point \(key) appears twice")
        positions[key] = keys.count
        keys.append(key)
    }

    package func index(_ student: String, _ n: Int, _ quantity: Quantity) -> Int? {
        positions[Key(student: student, n: n, quantity: quantity)]
    }

    package var count: Int { keys.count }

    /// Positions of the curve quantities (risk, certificate, paired differences), as opposed
    /// to the solver diagnostics.
    package var curvePoints: [Int] {
        keys.indices.filter { [.risk, .certificate, .step, .softMinusHard].contains(keys[$0].quantity) }
    }

    /// Positions of each student's risk at every n, in grid order: the groups whose
    /// covariance across n the engine keeps (`EngineConfiguration.covarianceGroups`).
    package var riskCurves: [(student: String, points: [Int])] {
        var order: [String] = []
        var points: [String: [Int]] = [:]
        for (i, key) in keys.enumerated() where key.quantity == .risk {
            if points[key.student] == nil { order.append(key.student) }
            points[key.student, default: []].append(i)
        }
        return order.map { ($0, points[$0]!) }
    }

}
