/// The explicit Dormand–Prince 5(4) pair with FSAL (Hairer–Wanner's DOPRI5 constants) for
/// y' = F(τ, y), driven by `integrateAdaptively` with the PI controller.
///
/// Stiffness: nearly parallel points or n close to d make the training flow's Jacobian
/// ill-conditioned. An explicit method is then stable only for h ≲ 3.3/λ_max, far below what
/// accuracy needs once the fast modes have decayed. The error estimate grows as soon as h leaves
/// the stability region, so the controller rejects or shrinks the step and settles at the
/// stability limit; the PI term (the previous error's exponent) damps the oscillation around that
/// limit that a plain controller shows. The cost is then about κ · log(1/tol) steps, κ the
/// condition number; when the step budget runs out the run says so.
struct DormandPrince<Problem: ODEProblem>: EmbeddedMethod {
    let controller = StepController(acceptExponent: 0.17, previousExponent: 0.04, rejectExponent: 0.2, maxGrowth: 10)
    var jacobianEvaluations: Int { 0 }

    func attempt(_ problem: Problem, at y: [Double], time tau: Double, field: [Double], step h: Double) -> StepAttempt? {
        precondition(problem.hasIdentityMass, "Dormand–Prince integrates y' = F only (M = I)")
        let n = y.count
        let a = DormandPrinceTableau.a, c = DormandPrinceTableau.c, weights = DormandPrinceTableau.errorWeights
        // The seven stages side by side in one buffer, so that the combinations below run over
        // raw storage: with an array per stage they cost more than the deep student's gradient.
        var k = [Double](repeating: 0, count: 7 * n)
        func store(_ values: [Double], stage s: Int) {
            k.withUnsafeMutableBufferPointer { out in
                values.withUnsafeBufferPointer { v in for i in 0..<n { out[s * n + i] = v[i] } }
            }
        }
        store(field, stage: 0)
        var stage = [Double](repeating: 0, count: n)
        var endpoint: FlowEvaluation? = nil
        for s in 1..<7 {
            let r = a[s]
            // y + h Σ_j a_sj k_j, the sum left to right in j, written out per stage so that the
            // loop over i vectorizes.
            k.withUnsafeBufferPointer { kb in
                y.withUnsafeBufferPointer { yb in
                    stage.withUnsafeMutableBufferPointer { out in
                        let k0 = kb.baseAddress!, k1 = k0 + n, k2 = k1 + n, k3 = k2 + n, k4 = k3 + n, k5 = k4 + n
                        switch s {
                        case 1:
                            let r0 = r[0]
                            for i in 0..<n { out[i] = yb[i] + h * (r0 * k0[i]) }
                        case 2:
                            let r0 = r[0], r1 = r[1]
                            for i in 0..<n { out[i] = yb[i] + h * (r0 * k0[i] + r1 * k1[i]) }
                        case 3:
                            let r0 = r[0], r1 = r[1], r2 = r[2]
                            for i in 0..<n { out[i] = yb[i] + h * (r0 * k0[i] + r1 * k1[i] + r2 * k2[i]) }
                        case 4:
                            let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3]
                            for i in 0..<n {
                                out[i] = yb[i] + h * (r0 * k0[i] + r1 * k1[i] + r2 * k2[i] + r3 * k3[i])
                            }
                        case 5:
                            let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4]
                            for i in 0..<n {
                                out[i] = yb[i] + h * (r0 * k0[i] + r1 * k1[i] + r2 * k2[i] + r3 * k3[i] + r4 * k4[i])
                            }
                        default:
                            let r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5]
                            for i in 0..<n {
                                out[i] = yb[i] + h * (r0 * k0[i] + r1 * k1[i] + r2 * k2[i] + r3 * k3[i] + r4 * k4[i]
                                                      + r5 * k5[i])
                            }
                        }
                    }
                }
            }
            if s == 6 {
                // Row 7 of a is the weights b: stage is the 5th-order solution, its F is the
                // next step's first stage.
                let evaluation = problem.evaluate(at: stage, time: tau + h)
                store(evaluation.field, stage: s)
                endpoint = evaluation
            } else {
                store(problem.field(at: stage, time: tau + c[s] * h), stage: s)
            }
        }
        var error = [Double](repeating: 0, count: n)
        k.withUnsafeBufferPointer { kb in
            error.withUnsafeMutableBufferPointer { out in
                let k0 = kb.baseAddress!, k1 = k0 + n, k2 = k1 + n, k3 = k2 + n, k4 = k3 + n, k5 = k4 + n, k6 = k5 + n
                let w0 = weights[0], w1 = weights[1], w2 = weights[2], w3 = weights[3], w4 = weights[4],
                    w5 = weights[5], w6 = weights[6]
                for i in 0..<n {
                    let e = w0 * k0[i] + w1 * k1[i] + w2 * k2[i] + w3 * k3[i] + w4 * k4[i] + w5 * k5[i] + w6 * k6[i]
                    out[i] = e * h
                }
            }
        }
        return StepAttempt(next: stage, error: error, evaluations: 6, endpoint: endpoint)
    }

    /// The flow of `problem` from `start` (τ = 0) until `event` holds or a limit is reached.
    static func integrate<Event: TerminalEvent>(_ problem: Problem, from start: [Double], initial: FlowEvaluation,
                                                event: Event, limits: IntegrationLimits) -> ODESolution {
        var method = DormandPrince()
        return integrateAdaptively(problem, method: &method, from: start, initial: initial, event: event, limits: limits)
    }
}

/// DOPRI5's coefficients.
enum DormandPrinceTableau {
    static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    static let a: [[Double]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    static let errorWeights: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]
}
