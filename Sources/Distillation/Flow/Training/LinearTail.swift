#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra

/// The end of the linear student's flow on k = p independent points, once it is linear, solved
/// as one matrix exponential instead of by steps.
///
/// Near its limit z* = m the flow in the logits is y' = −(1/k) G r(m + y) with y = z − m,
/// G = SᵀS and r_i = σ(m_i + y_i) − σ(m_i) = D_i y_i (1 + O(y_i)), D = diag σ′(m). Dropping the
/// O(y) leaves the constant linear flow y' = −(1/k) G D y, and with v = D^{1/2} y that is
/// v' = −B v for the symmetric B = (1/k) CᵀC, C = S D^{1/2} (upper triangular, like S). Its
/// solution exp(−sB) v(0) for every s comes from one Lanczos basis (`KrylovExponential`), and so do
/// the stopping rule's quantities: ‖∇L‖ = ‖S D y‖/k = (vᵀBv / k)^{1/2} and the fit gap max_i |y_i|.
/// The offset s* at which the rule first holds is then located on that closed form.
///
/// Why: past the hand-off an integrator still follows ~ln(1/δ) e-folds of the slowest mode (the
/// stopping tolerances δ = 1e-8…1e-10) in steps of its accuracy, most of the flow's steps, while
/// the linear flow's solution needs a basis of a few dozen products with B. What it costs in
/// accuracy: the dropped O(y) changes the rates by at most a relative
/// max_i |y_i| |1 − 2σ(m_i)| / 2 ≤ `handOffGap` / 2 at the hand-off and less after (y decays), which
/// moves the logarithm of the state's size, hence s*, by about that much over the slowest rate: a
/// fraction ≲ handOffGap / (2 ln(1/δ)) of the flow time. The caller checks the stopping rule on the
/// real loss at the end state and keeps integrating if it does not hold (`GradientFlow`).
struct LinearTail {
    /// max_i |z_i − m_i| at or below which the flow is handed to the tail.
    static let handOffGap = 1e-2
    /// The offset s* is accepted when two bases, the second half as large again, place it within
    /// this relative distance (or the basis spans an invariant space).
    static let offsetTolerance = 1e-9
    /// The first basis size at which s* is computed; later ones grow by half.
    static let firstBasisSize = 12

    let logits: LogitFlow
    /// D^{1/2} = σ′(m)^{1/2}.
    let rootCurvature: [Double]
    /// C = S D^{1/2}, upper triangular.
    let weightedPoints: Matrix

    /// nil unless the flow interpolates k = p points given as an upper triangular S (the R of
    /// their QR) and every σ′(m_i) is positive.
    init?(_ logits: LogitFlow) {
        guard let targets = logits.limit, logits.inverse == nil, logits.others.isEmpty else { return nil }
        let p = logits.system.p
        let roots = targets.map { Logistic.sigmoidDerivative($0).squareRoot() }
        guard roots.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        var c = logits.points
        for j in 0..<p { for i in 0...j { c.elements[i + j * p] *= roots[j] } }
        self.logits = logits
        rootCurvature = roots
        weightedPoints = c
    }

    /// Whether the flow at displacement y = z − m may be handed to the tail.
    func accepts(_ y: [Double]) -> Bool {
        var gap = 0.0
        for v in y { gap = max(gap, abs(v)) }
        return gap <= Self.handOffGap
    }

    /// B v = (1/k) Cᵀ(C v).
    func apply(_ v: [Double]) -> [Double] {
        var w = v
        trmv(weightedPoints, &w, triangle: .upper)
        trmv(weightedPoints, &w, triangle: .upper, transpose: .transposed)
        let scale = 1 / Double(logits.system.k)
        for i in w.indices { w[i] *= scale }
        return w
    }

    /// What the tail found: the offset s* past the hand-off at which the rule holds on the linear
    /// flow, the displacement y(s*) there, and the products with B spent.
    struct End {
        var offset: Double
        var displacement: [Double]
        var products: Int
        var basisSize: Int
    }

    /// The linear flow from displacement `y` until `rule` holds on it; nil when no basis of at
    /// most p vectors places s* within `offsetTolerance` (the caller integrates instead).
    func finish(from y: [Double], rule: ConvergenceRule) -> End? {
        let p = logits.system.p
        let v = zip(rootCurvature, y).map { $0 * $1 }
        guard v.contains(where: { $0 != 0 }) else { return End(offset: 0, displacement: y, products: 0, basisSize: 0) }
        var process = LanczosProcess(start: v)
        var target = min(Self.firstBasisSize, p)
        var previous: Double?
        while true {
            while process.size < target && !process.isExhausted && !process.isBroken { process.extend(apply) }
            guard let exponential = process.exponential(), let (offset, end) = locate(exponential, rule: rule)
            else { return nil }
            let complete = process.isExhausted || process.size == p
            if complete || previous.map({ abs(offset - $0) <= Self.offsetTolerance * offset }) == true {
                return End(offset: offset, displacement: end, products: process.products, basisSize: process.size)
            }
            if process.isBroken { return nil }
            previous = offset
            target = min(p, target + target / 2)
        }
    }

    /// The stopping rule's quantities on the linear flow at s, with its displacement
    /// y(s) = D^{-1/2} v(s) as the state.
    private func evaluation(_ exponential: KrylovExponential, at s: Double) -> EventTrial {
        let coefficients = exponential.coefficients(at: s)
        let y = zip(exponential.state(coefficients), rootCurvature).map { $0 / $1 }
        var z = y
        let targets = logits.system.targets
        for i in z.indices { z[i] += targets[i] }
        let gradient = (exponential.energy(coefficients) / Double(logits.system.k)).squareRoot()
        return EventTrial(state: y, evaluation: FlowEvaluation(field: [], fieldNorm: 0, gradientNorm: gradient,
                                                                fitGap: logits.system.fitGap(z)),
                          evaluations: 0)
    }

    /// The first s at which `rule` holds on this basis's linear flow, by the shared event location
    /// inside a bracket [0, s_high] found by doubling from the slowest rate's estimate.
    private func locate(_ exponential: KrylovExponential, rule: ConvergenceRule) -> (Double, [Double])? {
        let start = evaluation(exponential, at: 0)
        if rule.holds(start.evaluation) { return (0, start.state) }
        let rate = exponential.slowestRate
        guard rate > 0, let excess = rule.excess(start.evaluation), excess.isFinite else { return nil }
        var high = max(excess, 1) / rate
        var end = evaluation(exponential, at: high)
        var doublings = 0
        while !rule.holds(end.evaluation) {
            doublings += 1
            guard doublings <= 60 else { return nil }
            high *= 2
            end = evaluation(exponential, at: high)
        }
        let located = rule.locateByInterpolation(step: high, start: start.evaluation, end: end,
                                                 tolerance: { Self.offsetTolerance * 0.1 * $0 },
                                                 trial: { evaluation(exponential, at: $0) })
        return (located.offset, located.at.state)
    }
}
