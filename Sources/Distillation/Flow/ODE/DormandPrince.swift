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
            let row = a[s]
            k.withUnsafeBufferPointer { kb in
                y.withUnsafeBufferPointer { yb in
                    row.withUnsafeBufferPointer { r in
                        stage.withUnsafeMutableBufferPointer { out in
                            for i in 0..<n {
                                var sum = 0.0
                                for j in 0..<s { sum += r[j] * kb[j * n + i] }
                                out[i] = yb[i] + h * sum
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
            weights.withUnsafeBufferPointer { w in
                error.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        var e = 0.0
                        for j in 0..<7 { e += w[j] * kb[j * n + i] }
                        out[i] = e * h
                    }
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
