import Foundation
import LinearAlgebra
import Testing
@testable import Distillation

/// The Lanczos exponential (`LanczosProcess`, `KrylovExponential`) against the dense matrix
/// exponential, and the linear flow's tail (`LinearTail`) against RODAS4 integrating the same flow
/// to its end, with hand-offs far from the limit as the controls that must miss.
@Suite struct LinearTailTests {
    /// A symmetric positive definite B = Q diag(λ) Qᵀ with λ spread over `decades`, Q from the QR of
    /// a fixed matrix, and the dense exp(−sB) v.
    struct DenseCase {
        let b: Matrix
        let eigen: SymmetricEigendecomposition
        let start: [Double]

        init(size: Int, decades: Double) throws {
            let q = try QRFactorization(StudentFixtures.points(n: size, d: size, seed: 77)).q
            var scaled = q
            for j in 0..<size {
                let lambda = pow(10, -decades * Double(j) / Double(size - 1))
                for i in 0..<size { scaled[i, j] *= lambda }
            }
            b = gemm(scaled, q, transposeB: .transposed)
            eigen = try SymmetricEigendecomposition(b)
            start = (0..<size).map { sin(Double($0) + 0.5) }
        }

        func apply(_ v: [Double]) -> [Double] { gemv(b, v) }

        func exact(at s: Double) -> [Double] {
            gemv(eigen.applying { exp(-s * $0) }, start)
        }

        var slowest: Double { eigen.eigenvalues[0] }
    }

    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        StudentFixtures.relativeDifference(a, b)
    }

    @Test func aFullBasisIsTheExponentialAtEveryTime() throws {
        let dense = try DenseCase(size: 30, decades: 3)
        var process = LanczosProcess(start: dense.start)
        while process.size < 30 && !process.isExhausted { process.extend(dense.apply) }
        let exponential = try #require(process.exponential())
        for s in [0, 0.1, 1, 1 / dense.slowest, 20 / dense.slowest] {
            let exact = dense.exact(at: s)
            #expect(Self.relativeError(exponential.state(at: s), exact) < 1e-9, "s = \(s)")
            let energy = dot(exact, gemv(dense.b, exact))
            #expect(abs(exponential.energy(at: s) / energy - 1) < 1e-9, "s = \(s)")
        }
        #expect(abs(exponential.slowestRate / dense.slowest - 1) < 1e-9)
    }

    /// The control: four vectors resolve early times, not the slow decay at late ones.
    @Test func aSmallBasisMissesTheLateExponential() throws {
        let dense = try DenseCase(size: 30, decades: 3)
        var process = LanczosProcess(start: dense.start)
        for _ in 0..<4 { process.extend(dense.apply) }
        let exponential = try #require(process.exponential())
        let late = 20 / dense.slowest
        #expect(Self.relativeError(exponential.state(at: late), dense.exact(at: late)) > 1e-3)
        #expect(Self.relativeError(exponential.state(at: 0), dense.exact(at: 0)) < 1e-12)
    }

    @Test func anEigenvectorStartExhaustsTheSpaceInOneProduct() throws {
        let dense = try DenseCase(size: 12, decades: 2)
        let v = (0..<12).map { 3 * dense.eigen.eigenvectors[$0, 5] }
        var process = LanczosProcess(start: v)
        process.extend(dense.apply)
        #expect(process.isExhausted && process.size == 1 && process.products == 1)
        process.extend(dense.apply)
        #expect(process.products == 1)
        let exponential = try #require(process.exponential())
        let lambda = dense.eigen.eigenvalues[5]
        #expect(Self.relativeError(exponential.state(at: 2 / lambda), v.map { $0 * exp(-2) }) < 1e-12)
    }

    @Test func zeroAndNonFiniteProducts() throws {
        var zero = LanczosProcess(start: [1, 2, 3])
        zero.extend { $0.map { _ in 0 } }
        #expect(zero.isExhausted)
        let still = try #require(zero.exponential())
        #expect(Self.relativeError(still.state(at: 1e300), [1, 2, 3]) < 1e-15)
        var broken = LanczosProcess(start: [1, 2, 3])
        broken.extend { $0.map { _ in .nan } }
        #expect(broken.isBroken && broken.exponential() == nil)
        broken.extend { $0 }
        #expect(broken.products == 1)
    }

    // MARK: The tail of the linear flow

    static func options(limitTolerance: Double = SolverOptions.defaultLimitTolerance,
                        tolerance: Double = 1e-10) throws -> SolverOptions {
        try SolverOptions(gradientTolerance: tolerance, fitTolerance: tolerance, limitTolerance: limitTolerance)
    }

    /// W1-like (d = 400, n = 100) and stiff (d = 60, n = 58) draws, as in `FlowTimeToleranceTests`.
    static func cases() throws -> [(name: String, system: ReducedSystem)] {
        let easy = try StudentFixtures.problem(n: 100, d: 400, norm: 2, seed: 911)
        let stiff = try StudentFixtures.problem(n: 58, d: 60, norm: 2, seed: 912)
        return [("non-stiff", easy.reduce(prefix: 100, targets: Array(easy.teacherLogits[0..<100])).system),
                ("stiff", stiff.reduce(prefix: 58, targets: Array(stiff.teacherLogits[0..<58])).system)]
    }

    /// RODAS4 measured from the limit until `handOff` holds: the state there and its flow time.
    static func handOff(_ logits: LogitFlow, options: SolverOptions,
                        when handOff: @escaping ([Double]) -> Bool) -> (state: [Double], time: Double, rule: ConvergenceRule) {
        let displaced = DisplacedFrame(logits, origin: logits.system.targets)
        let start = displaced.displacement(logits.logits([Double](repeating: 0, count: logits.system.p)))
        let initial = displaced.evaluate(at: start, time: 0)
        let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
        let solution = Rosenbrock.integrate(displaced, from: start, curvature: displaced.curvature(at: start, time: 0),
                                            initial: initial, event: rule, limits: GradientFlow.displacedLimits(options),
                                            handOff: handOff)
        #expect(solution.outcome == .handedOff)
        return (solution.state, solution.flowTime, rule)
    }

    /// From the same hand-off state: the tail's offset to the stopping rule against RODAS4 at
    /// limitTolerance 1e-7 over the same stretch. The tail drops the O(y) of the rates, a relative
    /// error ≲ handOffGap / (2 ln(1/δ)) ≈ 2e-4 here; it must be within 5e-4, and the real loss must
    /// meet the stopping rule at the tail's end.
    @Test func tailOffsetMatchesTheIntegratedStretch() throws {
        let options = try Self.options()
        for (name, system) in try Self.cases() {
            let logits = try #require(LogitFlow(system), "\(name)")
            let tail = try #require(LinearTail(logits), "\(name)")
            let (state, _, rule) = Self.handOff(logits, options: options, when: tail.accepts)
            let end = try #require(tail.finish(from: state, rule: rule), "\(name)")
            // Well-conditioned points need far fewer products than dimensions; nearly dependent
            // ones may need them all (the slow rates are then many and close).
            if name == "non-stiff" { #expect(end.basisSize < system.p / 2, "\(name): basis \(end.basisSize) of \(system.p)") }
            let displaced = DisplacedFrame(logits, origin: system.targets)
            #expect(rule.holds(displaced.evaluate(at: end.displacement, time: 0)), "\(name): rule fails at the tail's end")
            let tight = try Self.options(limitTolerance: 1e-7)
            let reference = Rosenbrock.integrate(displaced, from: state, curvature: displaced.curvature(at: state, time: 0),
                                                 initial: displaced.evaluate(at: state, time: 0), event: rule,
                                                 limits: GradientFlow.displacedLimits(tight))
            #expect(reference.outcome == .terminalEvent)
            #expect(abs(end.offset / reference.flowTime - 1) < 5e-4,
                    "\(name): tail \(end.offset) vs integrated \(reference.flowTime)")
        }
    }

    /// The control: handed off at the start, where the logits are their whole travel from their
    /// targets, the dropped O(y) moves the offset by more than 1e-3.
    @Test func aHandOffFarFromTheLimitIsVisiblyWrong() throws {
        let options = try Self.options()
        for (name, system) in try Self.cases() {
            let logits = try #require(LogitFlow(system), "\(name)")
            let tail = try #require(LinearTail(logits), "\(name)")
            let (state, _, rule) = Self.handOff(logits, options: options) { _ in true }
            let end = try #require(tail.finish(from: state, rule: rule), "\(name)")
            let displaced = DisplacedFrame(logits, origin: system.targets)
            let reference = Rosenbrock.integrate(displaced, from: state, curvature: displaced.curvature(at: state, time: 0),
                                                 initial: displaced.evaluate(at: state, time: 0), event: rule,
                                                 limits: GradientFlow.displacedLimits(try Self.options(limitTolerance: 1e-7)))
            #expect(abs(end.offset / reference.flowTime - 1) > 1e-3,
                    "\(name): tail \(end.offset) vs integrated \(reference.flowTime)")
        }
    }

    /// The whole flow with and without the tail: the same flow time (within 1e-3, the bound of
    /// `FlowTimeToleranceTests`), the same end at the stopping rule, and fewer steps with it.
    /// (At stopping tolerances near 1e-12 the reference cannot be had this way: measured from the
    /// limit, m + y rounds away ~1e-4 of a displacement y ~ 1e-12, more than a local tolerance of
    /// 1e-7, and RODAS4 creeps in steps of rounding noise; the tail does not step there.)
    @Test func flowWithTheTailMatchesTheFlowWithout() throws {
        for tolerance in [1e-8, 1e-10] {
            let options = try Self.options(tolerance: tolerance)
            for (name, system) in try Self.cases() {
                let start = [Double](repeating: 0, count: system.p)
                let with = GradientFlow.rosenbrock(system, from: start, options: options)
                let without = GradientFlow.rosenbrock(system, from: start, options: try Self.options(limitTolerance: 1e-7,
                                                                                                    tolerance: tolerance),
                                                      linearTail: false)
                #expect(with.statistics.converged && without.statistics.converged, "\(name) \(tolerance)")
                let t = try #require(with.statistics.flowTime), reference = try #require(without.statistics.flowTime)
                #expect(abs(t / reference - 1) < 1e-3, "\(name) \(tolerance): \(t) vs \(reference)")
                #expect(Self.relativeError(with.state, without.state) < 1e-6, "\(name) \(tolerance)")
                let plain = GradientFlow.rosenbrock(system, from: start, options: options, linearTail: false)
                #expect(with.statistics.acceptedSteps < plain.statistics.acceptedSteps,
                        "\(name) \(tolerance): \(with.statistics) vs \(plain.statistics)")
                // Integrated to the end, the weights settle and the last factorization is reused
                // (fewer Jacobians than steps).
                #expect(plain.statistics.jacobianEvaluations < plain.statistics.acceptedSteps, "\(name): \(plain.statistics)")
            }
        }
    }
}
