#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// DOP853 (Dormand–Prince 8(5,3)): its order on a smooth nonlinear flow with a known solution
/// (Dormand–Prince 5(4) the control), its combined error norm, and its deep linear flows against
/// Dormand–Prince 5(4)'s at a tight tolerance, ambient at small d and in the Gram sampler at
/// d = 10^5.
@Suite struct SolverDOP853Tests {
    /// u' = −ω v, v' = ω u with ω = 1 + u² + v²: r² = u² + v² is conserved, so the flow is the
    /// rotation by ω(r0) t, nonlinear in the state and known in closed form.
    struct NonlinearRotation: ODEProblem {
        var dimension: Int { 2 }
        func field(at y: [Double], time tau: Double) -> [Double] {
            let omega = 1 + y[0] * y[0] + y[1] * y[1]
            return [-omega * y[1], omega * y[0]]
        }
        func evaluate(at y: [Double], time tau: Double) -> FlowEvaluation {
            let f = field(at: y, time: tau)
            return FlowEvaluation(field: f, fieldNorm: norm2(f), gradientNorm: norm2(f), fitGap: nil)
        }
        static func exact(from y0: [Double], at t: Double) -> [Double] {
            let omega = 1 + y0[0] * y0[0] + y0[1] * y0[1]
            let c = cos(omega * t), s = sin(omega * t)
            return [c * y0[0] - s * y0[1], s * y0[0] + c * y0[1]]
        }
    }

    struct Never: TerminalEvent {
        func holds(_ evaluation: FlowEvaluation) -> Bool { false }
    }

    static let start = [0.6, 0.8]
    static let horizon = 4.0

    /// The global error at `horizon` after `steps` fixed steps of `method`.
    static func fixedStepError<M: EmbeddedMethod>(_ method: M, steps: Int) -> Double where M.Problem == NonlinearRotation {
        let problem = NonlinearRotation()
        let h = horizon / Double(steps)
        var y = start, tau = 0.0
        for _ in 0..<steps {
            let attempt = method.attempt(problem, at: y, time: tau, field: problem.field(at: y, time: tau), step: h)!
            y = attempt.next
            tau += h
        }
        let exact = NonlinearRotation.exact(from: start, at: horizon)
        return norm2(zip(y, exact).map { $0 - $1 })
    }

    /// log2 of the error ratio between consecutive halvings of the step.
    static func observedOrders<M: EmbeddedMethod>(_ method: M, steps: [Int]) -> (errors: [Double], slopes: [Double])
    where M.Problem == NonlinearRotation {
        let errors = steps.map { fixedStepError(method, steps: $0) }
        return (errors, (1..<errors.count).map { log2(errors[$0 - 1] / errors[$0]) })
    }

    /// Fixed steps: DOP853 with h = 4/5 … 4/40 (ω h = 1.6 … 0.2), where its global error falls by
    /// 2^8 per halving (slopes within [7.5, 8.5]) and stays far above rounding; Dormand–Prince
    /// 5(4), the control, with h = 4/160 … 4/1280 (its asymptotic range), by 2^5 (within
    /// [4.5, 5.5]): the test tells the orders apart.
    @Test func globalErrorFallsAsTheEighthPowerOfTheStep() {
        let high = Self.observedOrders(DOP853<NonlinearRotation>(), steps: [5, 10, 20, 40])
        let low = Self.observedOrders(DormandPrince<NonlinearRotation>(), steps: [160, 320, 640, 1280])
        #expect(high.errors.last! > 1e-12, "DOP853 errors \(high.errors) reach rounding")
        for slope in high.slopes { #expect(slope > 7.5 && slope < 8.5, "DOP853 slopes \(high.slopes), errors \(high.errors)") }
        for slope in low.slopes { #expect(slope > 4.5 && slope < 5.5, "DP5 slopes \(low.slopes), errors \(low.errors)") }
    }

    /// Adaptive runs to the same time at local tolerance 1e-12: both are accurate to about the
    /// tolerance, and DOP853 needs fewer than half of Dormand–Prince's evaluations.
    @Test func adaptiveRunIsAccurateWithFewerEvaluations() {
        let problem = NonlinearRotation()
        let limits = IntegrationLimits(tolerance: 1e-12, flowTime: Self.horizon, steps: 100_000)
        let initial = problem.evaluate(at: Self.start, time: 0)
        let high = DOP853.integrate(problem, from: Self.start, initial: initial, event: Never(), limits: limits)
        let low = DormandPrince.integrate(problem, from: Self.start, initial: initial, event: Never(), limits: limits)
        let exact = NonlinearRotation.exact(from: Self.start, at: Self.horizon)
        #expect(high.outcome == .timeLimit && low.outcome == .timeLimit)
        let highError = norm2(zip(high.state, exact).map { $0 - $1 })
        let lowError = norm2(zip(low.state, exact).map { $0 - $1 })
        #expect(highError < 1e-9 && lowError < 1e-9, "errors DOP853 \(highError), DP5 \(lowError)")
        #expect(2 * high.evaluations < low.evaluations, "evaluations DOP853 \(high.evaluations), DP5 \(low.evaluations)")
        // 11 stage evaluations per attempt and one at each accepted end point, plus the start.
        #expect(high.evaluations == 1 + 12 * high.acceptedSteps + 11 * high.rejectedSteps)
    }

    /// The combined norm e5² / √(e5² + 0.01 e3²) on hand-computed cases (scale 1: tolerance 1 on a
    /// state of largest entry 1): e3 = 0 gives e5; e3 = 10 e5 gives e5 / √2; zero estimates give
    /// 0; a non-finite estimate gives ∞.
    @Test func combinedErrorNormIsHairersFormula() {
        var norm = ErrorNorm(tolerance: 1, state: [1, 1])
        let y = [1.0, 1.0]
        let e5 = [3.0, 4.0]  // RMS √12.5
        #expect(abs(norm.measure(from: y, to: y, error: e5, lowOrderError: [0, 0]) - 12.5.squareRoot()) < 1e-14)
        #expect(abs(norm.measure(from: y, to: y, error: e5, lowOrderError: [30, 40]) - 2.5) < 1e-14)
        #expect(norm.measure(from: y, to: y, error: [0, 0], lowOrderError: [0, 0]) == 0)
        #expect(norm.measure(from: y, to: y, error: e5, lowOrderError: [.nan, 0]) == .infinity)
        // The control: without the 3rd-order estimate the norm is e5's RMS, not 2.5.
        #expect(abs(norm.measure(from: y, to: y, error: e5) - 2.5) > 1)
    }

    /// The deep linear student's flow by DOP853 (the default, `rosenbrock`) and by Dormand–Prince
    /// 5(4), both at local tolerance 1e-13; with stopping tolerances 1e-10, or (`timeLimit`) none.
    static func pair(_ problem: LinearDistillationProblem, prefix k: Int, widths: [Int], scale: Double,
                     timeLimit: Double = .infinity) throws -> (high: DeepLinearStudent, low: DeepLinearStudent) {
        let stopping = timeLimit.isFinite ? 0 : 1e-10
        func solve(_ integrator: FlowIntegrator) throws -> DeepLinearStudent {
            let options = try SolverOptions(gradientTolerance: stopping, fitTolerance: stopping, timeLimit: timeLimit,
                                            maxSteps: 400_000, integrationTolerance: 1e-13, integrator: integrator)
            return try problem.solveDeep(prefix: k, architecture: DeepLinearArchitecture(hiddenWidths: widths),
                                         initialization: .random(scale: scale),
                                         stream: RandomStream(seed: 91, trial: 0, stream: .studentInit, index: 0),
                                         options: options)
        }
        return (try solve(.rosenbrock), try solve(.dormandPrince))
    }

    static func layers(_ student: DeepLinearStudent) -> [Double] { student.layers.flatMap(\.elements) }

    /// Random starts (the layers' flow, where DOP853 runs by default). At the stopping rule: the
    /// same layers, end-to-end vector and off-span norm to 1e-8 relative, in fewer evaluations.
    /// The flow times agree to 1e-3 relative: each run locates the stopping rule only to 0.1 % of
    /// its last step (`ODEProblem.eventTolerance`), and DOP853's last steps are longer. Along the
    /// trajectory, where no event is located (a time limit at a tenth of Dormand–Prince's flow
    /// time, short of the limit): the same layers to 1e-8.
    static func expectAgreement(_ problem: LinearDistillationProblem, prefix k: Int, widths: [Int], scale: Double,
                                _ label: String) throws {
        let (high, low) = try pair(problem, prefix: k, widths: widths, scale: scale)
        #expect(high.statistics.converged && low.statistics.converged, "\(label): \(high.statistics) | \(low.statistics)")
        let layers = StudentFixtures.relativeDifference(Self.layers(high), Self.layers(low))
        #expect(layers < 1e-8, "\(label): layers differ by \(layers)")
        let endToEnd = StudentFixtures.relativeDifference(high.coordinates, low.coordinates)
        #expect(endToEnd < 1e-8, "\(label): end-to-end vectors differ by \(endToEnd)")
        #expect(low.offSpanNorm > 1e-2, "\(label): the random start keeps an off-span part")
        #expect(abs(high.offSpanNorm - low.offSpanNorm) <= 1e-8 * low.offSpanNorm,
                "\(label): off-span \(high.offSpanNorm) vs \(low.offSpanNorm)")
        let th = try #require(high.statistics.flowTime), tl = try #require(low.statistics.flowTime)
        #expect(abs(th / tl - 1) < 1e-3, "\(label): flow times \(th) (DOP853) vs \(tl) (DP5)")
        #expect(high.statistics.gradientEvaluations < low.statistics.gradientEvaluations,
                "\(label): evaluations \(high.statistics.gradientEvaluations) vs \(low.statistics.gradientEvaluations)")

        let (highMid, lowMid) = try pair(problem, prefix: k, widths: widths, scale: scale, timeLimit: tl / 10)
        #expect(highMid.statistics.stopReason == .timeLimit && lowMid.statistics.stopReason == .timeLimit,
                "\(label): \(highMid.statistics) | \(lowMid.statistics)")
        let mid = StudentFixtures.relativeDifference(Self.layers(highMid), Self.layers(lowMid))
        #expect(mid < 1e-8, "\(label): layers at t = \(tl / 10) differ by \(mid)")
        let progress = StudentFixtures.relativeDifference(Self.layers(lowMid), Self.layers(low))
        #expect(progress > 1e-4, "\(label): at t/10 already within \(progress) of the end")
    }

    /// A small ambient draw (d = 12, n = 6), depth 3, widths 5 and 4.
    @Test func deepFlowAgreesWithDormandPrinceAtSmallD() throws {
        let problem = try StudentFixtures.problem(n: 6, d: 12, norm: 1, seed: 404)
        try Self.expectAgreement(problem, prefix: 6, widths: [5, 4], scale: 0.3, "d = 12, k = 6")
    }

    /// D1's geometry: gaussian d = 10^5 in the Gram sampler, depth 3, widths 32, random start 0.01.
    @Test(arguments: [5, 20])
    func deepFlowAgreesWithDormandPrinceAtLargeD(k: Int) throws {
        let geometry = try GaussianGeometry(dimension: 100_000, teacherNorm: 1)
        var stream = RandomStream(seed: 92, trial: 0, stream: .transferSet, index: 0)
        let problem = try LinearDistillationProblem(gram: geometry.sampleGramTransferSet(count: k, using: &stream),
                                                    teacherNorm: 1)
        try Self.expectAgreement(problem, prefix: k, widths: [32, 32], scale: 0.01, "d = 10^5, k = \(k)")
    }
}
