/// How the curves' means are estimated from the trials (docs/THEORY.md §9).
package enum EstimatorChoice: String, Sendable, Equatable, CaseIterable {
    /// The mean of the trials' risks.
    case plain
    /// R_n − R_n^∞ of the trial's own draw plus a mean of R_n^∞ over cheap β-only samples
    /// (the d → ∞ limit angle as a control variate).
    case controlVariate = "control-variate"
    /// The margin geometry's boundary angles drawn from a tilted law, every value at n weighted
    /// by the likelihood ratio of the first n points (rare events: E[R_n] far below 1/trials).
    case importance
}

/// How the control variate's limit term E[R(γ_∞,n)] is obtained (docs/THEORY.md §9).
package enum LimitTermChoice: String, Sendable, Equatable, CaseIterable {
    /// Computed once per experiment from the law of Σ tan²β_i (`LimitRiskQuadrature`): no
    /// sampling variance, a stated error estimate.
    case quadrature
    /// A mean over `limit_samples` β-only sets per trial, keyed by the trial index.
    case sampled
}

extension ExperimentSpec {
    /// Cheap β-only samples per trial of the control variate's limit term, unless the file says.
    package static let defaultLimitSamples = 256
    /// Upper bound on `limit_samples`, so one trial stays a bounded amount of work.
    package static let maximumLimitSamples = 1 << 16
    /// Upper bound on `tilt_rate` (1/radian): beyond it the tilted law is a point mass at θ₀ to
    /// double precision for any margin, and the weights of the small prefixes explode.
    package static let maximumTiltRate = 10_000.0

    /// Why the control-variate estimator does not apply to this experiment, one reason per
    /// obstacle; empty when it does. The limit angle tan²γ_∞ = 1 / Σ tan²β_i is the closed-form
    /// student's from w(0) = 0 as d → ∞ for the angular constructions (the isotropic Gaussian
    /// already has its exact expectation), and it is computed from the Gram draw's frame.
    package var controlVariateObstacles: [String] {
        var reasons: [String] = []
        switch geometry {
        case .polyTail, .margin:
            break
        default:
            reasons.append("the control variate needs the poly-tail or margin geometry, not \(geometry.kind)")
        }
        if solver.kind != .closed {
            reasons.append("the control variate needs solver \"closed\" (its limit angle is the closed-form student's)")
        }
        for (i, student) in students.enumerated() {
            if case .linear(.zero) = student { continue }
            let what = student.kind == "linear" ? "linear from another start" : student.kind
            reasons.append("the control variate needs every student to be \"linear\" from w(0) = 0, but students[\(i)] is \(what)")
        }
        if geometry.isAxiallySymmetric, students.allSatisfy({ $0 == .linear(init: .zero) }), resolvedSampler != .gram {
            reasons.append("the control variate needs the gram sampler (\"sampler\": \"gram\" or \"auto\")")
        }
        return reasons
    }
}

extension ExperimentSpec {
    /// Why the importance estimator does not apply to this experiment, one reason per obstacle;
    /// empty when it does. The tilt is of the margin geometry's boundary-angle law, and every
    /// value of a trial is weighted by the ratio of the first n points' laws. Any student's
    /// result is a function of the transfer set and of its own initialisation stream, which the
    /// tilt leaves alone, so the weights apply to every student and solver; they need the
    /// boundary angles of a Gram draw.
    package var importanceObstacles: [String] {
        var reasons: [String] = []
        if case .margin = geometry {} else {
            reasons.append("the importance estimator tilts the margin geometry's boundary angles, not \(geometry.kind)'s")
        }
        if geometry.isAxiallySymmetric, resolvedSampler != .gram {
            reasons.append("the importance estimator needs the gram sampler (\"sampler\": \"gram\" or \"auto\")")
        }
        return reasons
    }
}
