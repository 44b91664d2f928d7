import LinearAlgebra

/// The linear student's flow in the logits of its points: z = z(0) + Sᵀe with S square and
/// well conditioned (k ≤ d independent points), dz/dt = −(1/k) SᵀS r(z), r = σ(z) − σ(m).
///
/// Why: with large teacher logits (W2: |m| in the hundreds) the curvatures σ′(z_i) span a factor
/// e^{|m|} between a point already at its target and one still moving. In e the saturated
/// points' huge rank-one terms enter the same entries of ∇²L as the moving points' small ones
/// and rounding loses those; worse, one ulp of a saturated logit gives a residual ~e^{τ−|m|}
/// times larger than the moving points', and any product with SᵀS or S⁻¹ spreads ε of it onto
/// every other point (measured on W2: error estimates that no step size reduces, 10⁵ rejected
/// steps). Here the frame's equation is M z' = −r/k with the mass matrix M = (SᵀS)⁻¹: the
/// right-hand side keeps each residual on its own point, the curvature is the diagonal
/// W = diag(σ′(z)/k) beside the fixed M, and the stage matrix c M + aW is, after scaling by its
/// diagonal, as well conditioned as SᵀS whatever the weights.
///
/// More points than dimensions (k > p, logits travelling past `GradientFlow.logTravel`): the
/// coordinates are the logits z_B of p independent basis points, picked least saturated first
/// (smallest |m_i|); the others follow as z_N = z_N(0) + Aᵀ(z_B − z_B(0)) with A = S_B⁻¹S_N,
/// and M z_B' = −(r_B + A r_N)/k, curvature W_B + A W_N Aᵀ. Why: in e the gradient of a direction
/// that only saturated points see is ~e^{−|m|} times their logit gap, below the rounding of the
/// moving points' terms, so the flow there is driven by rounding noise and never reaches the fit
/// tolerance; here each basis residual stays on its own coordinate and the saturated
/// non-basis points' rounding is damped by their own tiny σ′.
struct LogitFlow: FlowFrame {
    let system: ReducedSystem
    /// S_B, the basis points (p × p).
    let points: Matrix
    /// S_B⁻¹ when S_B is not triangular (a basis of k > p points); nil when S_B is upper
    /// triangular (k = p: S is the R of the points' QR), whose products with S_B⁻¹ are
    /// triangular solves.
    let inverse: Matrix?
    /// (S_BᵀS_B)⁻¹ = S_B⁻¹S_B⁻ᵀ.
    let gramInverse: Matrix
    /// The basis points (all k, in order, when k = p) and the others.
    let basis: [Int]
    let others: [Int]
    /// A = S_B⁻¹ S_N (p × (k − p), empty when k = p).
    let coupling: Matrix

    /// Smallest reciprocal condition (1-norm estimate) of SᵀS for these coordinates. Products with
    /// (SᵀS)⁻¹ lose ~ε κ(SᵀS) relative, which must stay well below the local tolerance: points
    /// with κ(SᵀS) ≤ 1e6 always qualify; up to 1e9 only when the logits travel far
    /// (`GradientFlow.logTravel`), where e is no frame at all. Measured: W2's draws reach κ ~ 1e6–1e8
    /// (points near the teacher axis are nearly parallel) and converge here in ~1 600 steps; at
    /// soft-vs-hard's n = d − 1 = 49 (logits below 8, κ beyond 1e6), the logits frame rejected
    /// every step at the tolerance 1e-10 while e converges.
    static let smallestReciprocalCondition = 1e-6
    static let smallestReciprocalConditionForLargeLogits = 1e-9

    /// nil unless the targets are finite, S is square or (k > p) the logits travel past
    /// `GradientFlow.logTravel`, and S_BᵀS_B passes the condition test.
    ///
    /// S square and upper triangular (k = p independent points, S = R): SᵀS = RᵀR is already
    /// factored, so its condition is estimated from R (κ₁(RᵀR) ≤ κ₁(R) κ_∞(R), two O(p²)
    /// estimates) and (RᵀR)⁻¹ formed from R alone (`gramInverse(upper:)`), with no product,
    /// factorization or solve against the identity.
    init?(_ system: ReducedSystem) {
        guard let travel = system.gapScale, system.p <= system.k else { return nil }
        let p = system.p, k = system.k
        var basis = Array(0..<k), others: [Int] = []
        if k > p {
            guard travel > GradientFlow.logTravel else { return nil }
            (basis, others) = Self.basisPoints(system)
            guard basis.count == p else { return nil }
        }
        var selected = [Double](repeating: 0, count: p * p)
        for (c, i) in basis.enumerated() { for j in 0..<p { selected[c * p + j] = system.s[i * p + j] } }
        let points = Matrix(rows: p, columns: p, elements: selected)
        let smallest = travel > GradientFlow.logTravel
            ? Self.smallestReciprocalConditionForLargeLogits : Self.smallestReciprocalCondition
        if others.isEmpty && isUpperTriangular(points) {
            let condition = triangularReciprocalCondition(points, triangle: .upper, norm: .one)
                * triangularReciprocalCondition(points, triangle: .upper, norm: .infinity)
            guard condition >= smallest, let inverseGram = try? LinearAlgebra.gramInverse(upper: points) else { return nil }
            self.inverse = nil
            gramInverse = inverseGram
        } else {
            guard let gram = try? CholeskyFactorization(syrk(points, transpose: .transposed)),
                  gram.reciprocalCondition >= smallest,
                  let inverse = try? solveLinear(points, Matrix.identity(p)) else { return nil }
            self.inverse = inverse
            gramInverse = gram.solve(Matrix.identity(p))
        }
        self.system = system
        self.points = points
        self.basis = basis
        self.others = others
        var rest = [Double](repeating: 0, count: p * others.count)
        for (c, i) in others.enumerated() { for j in 0..<p { rest[c * p + j] = system.s[i * p + j] } }
        coupling = others.isEmpty ? Matrix(rows: p, columns: 0, elements: [])
            : gemm(inverse!, Matrix(rows: p, columns: others.count, elements: rest))
    }

    /// The flow's limit in these coordinates when it interpolates (k = p): z* = m.
    var limit: [Double]? { others.isEmpty ? system.targets : nil }

    /// p independent points, least saturated (smallest |m_i|) first, by Gram–Schmidt: a point
    /// joins when at least 1e-3 of its norm lies outside the span of those before it.
    static func basisPoints(_ system: ReducedSystem) -> (basis: [Int], others: [Int]) {
        let p = system.p
        let order = (0..<system.k).sorted { (abs(system.targets[$0]), $0) < (abs(system.targets[$1]), $1) }
        var directions: [[Double]] = [], basis: [Int] = [], others: [Int] = []
        for i in order {
            var v = Array(system.s[(i * p)..<((i + 1) * p)])
            let size = norm2(v)
            for _ in 0..<2 {
                for u in directions {
                    var dot = 0.0
                    for j in 0..<p { dot += u[j] * v[j] }
                    for j in 0..<p { v[j] -= dot * u[j] }
                }
            }
            let remaining = norm2(v)
            if basis.count < p && size > 0 && remaining > 1e-3 * size {
                directions.append(v.map { $0 / remaining })
                basis.append(i)
            } else {
                others.append(i)
            }
        }
        return (basis, others)
    }

    var dimension: Int { system.p }
    var logitTravel: Double? { system.gapScale }

    /// All k logits from the basis logits z_B.
    func allLogits(_ zB: [Double]) -> [Double] {
        if others.isEmpty { return zB }
        var z = system.initialLogits
        var difference = zB
        for (c, i) in basis.enumerated() { z[i] = zB[c]; difference[c] -= system.initialLogits[i] }
        let moved = gemv(coupling, difference, transpose: .transposed)
        for (c, i) in others.enumerated() { z[i] += moved[c] }
        return z
    }

    /// r_i/k for all k points, in their order.
    func residuals(_ z: [Double]) -> [Double] {
        let scale = 1 / Double(system.k)
        return (0..<system.k).map { Logistic.residual(logit: z[$0], target: system.targets[$0]) * scale }
    }

    /// (r_B + A r_N)/k from all points' r/k.
    func basisResiduals(_ r: [Double]) -> [Double] {
        if others.isEmpty { return r }
        var q = basis.map { r[$0] }
        let pulled = gemv(coupling, others.map { r[$0] })
        for c in q.indices { q[c] += pulled[c] }
        return q
    }

    var hasIdentityMass: Bool { false }

    func evaluate(at zB: [Double], time tau: Double) -> FlowEvaluation {
        let z = allLogits(zB)
        let r = residuals(z)
        let gradient = gemv(Matrix(rows: system.p, columns: system.k, elements: system.s), r)
        let field = basisResiduals(r).map { -$0 }
        return FlowEvaluation(field: field, fieldNorm: norm2(field), gradientNorm: norm2(gradient),
                              fitGap: system.fitGap(z))
    }

    func field(at zB: [Double], time tau: Double = 0) -> [Double] {
        basisResiduals(residuals(allLogits(zB))).map { -$0 }
    }

    func applyMass(_ v: inout [Double]) { v = gemv(gramInverse, v) }

    /// σ′(z_i)/k for all k points, in their order.
    func curvature(at zB: [Double], time tau: Double = 0) -> [Double] {
        let scale = 1 / Double(system.k)
        return allLogits(zB).map { Logistic.sigmoidDerivative($0) * scale }
    }

    /// max_i |w_i − w_i'| / w_i over all k points' weights σ′(z_i)/k.
    func curvatureChange(from old: [Double], to new: [Double]) -> Double? {
        var change = 0.0
        for i in old.indices {
            guard old[i] > 0 else { return .infinity }
            change = max(change, abs(new[i] - old[i]) / old[i])
        }
        return change
    }

    func trace(_ weights: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<system.k {
            var squares = 0.0
            for j in 0..<system.p { squares += system.s[i * system.p + j] * system.s[i * system.p + j] }
            sum += weights[i] * squares
        }
        return sum
    }

    func stageSolver(_ weights: [Double], time tau: Double, shift: Double,
                     scale: Double) -> ((inout [Double]) -> Void)? {
        shiftedSolver(weights, shift: shift, scale: scale)
    }

    /// x ↦ (c (S_BᵀS_B)⁻¹ + a (W_B + A W_N Aᵀ))⁻¹ x.
    ///
    /// Only the lower triangle is formed (all the factorization reads), in one pass over
    /// (S_BᵀS_B)⁻¹, and no condition estimate is taken: this runs at every step.
    func shiftedSolver(_ weights: [Double], shift c: Double, scale a: Double) -> ((inout [Double]) -> Void)? {
        let p = system.p
        var m = Matrix(rows: p, columns: p)
        gramInverse.elements.withUnsafeBufferPointer { g in
            m.elements.withUnsafeMutableBufferPointer { out in
                for j in 0..<p {
                    for i in j..<p { out[i + j * p] = c * g[i + j * p] }
                }
            }
        }
        for (r, i) in basis.enumerated() { m[r, r] += a * weights[i] }
        if !others.isEmpty {
            var scaled = coupling.elements
            for (col, i) in others.enumerated() {
                let w = (a * weights[i]).squareRoot()
                for j in 0..<p { scaled[col * p + j] *= w }
            }
            let added = syrk(Matrix(rows: p, columns: others.count, elements: scaled))
            for i in m.elements.indices { m.elements[i] += added.elements[i] }
        }
        guard let cholesky = try? CholeskyFactorization(m, estimatingCondition: false) else { return nil }
        return { cholesky.solveInPlace(&$0) }
    }

    /// The basis logits z_B(0) + S_Bᵀe for the reduced coordinates e, and back: e = S_B⁻ᵀ (z_B − z_B(0)).
    func logits(_ e: [Double]) -> [Double] {
        let z = system.logits(e)
        return others.isEmpty ? z : basis.map { z[$0] }
    }

    func reduced(_ zB: [Double]) -> [Double] {
        var difference = zB
        for (c, i) in basis.enumerated() { difference[c] -= system.initialLogits[i] }
        guard let inverse else {
            trsv(points, &difference, triangle: .upper, transpose: .transposed)
            return difference
        }
        return gemv(inverse, difference, transpose: .transposed)
    }
}
