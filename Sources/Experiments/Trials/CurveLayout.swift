/// What a distillation trial measures, and where each number sits in the trial's vector.
///
/// The engine only sees vectors of doubles; this layout names every entry, so the report can
/// turn the merged statistics back into curves. Differences in n (monotonicity) and between
/// students (soft versus hard labels) are measured inside each trial on the same transfer
/// set, so their intervals are paired (common random numbers).
public struct CurveLayout: Sendable, Equatable {
    public enum Quantity: String, Sendable, Codable, CaseIterable {
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
    }

    public struct Key: Sendable, Hashable, Codable {
        public var student: String
        public var n: Int
        public var quantity: Quantity
        public init(student: String, n: Int, quantity: Quantity) {
            self.student = student
            self.n = n
            self.quantity = quantity
        }
    }

    public private(set) var keys: [Key] = []
    private var positions: [Key: Int] = [:]

    public init() {}

    public mutating func append(_ key: Key) {
        precondition(positions[key] == nil, "curve point \(key) appears twice")
        positions[key] = keys.count
        keys.append(key)
    }

    public func index(_ student: String, _ n: Int, _ quantity: Quantity) -> Int? {
        positions[Key(student: student, n: n, quantity: quantity)]
    }

    public var count: Int { keys.count }

    /// Positions of the curve quantities (risk, certificate, paired differences), as opposed
    /// to the solver diagnostics.
    public var curvePoints: [Int] {
        keys.indices.filter { [.risk, .certificate, .step, .softMinusHard].contains(keys[$0].quantity) }
    }
}
