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
struct LogitFlow: FlowFrame {
    let system: ReducedSystem
    /// S⁻¹ and (SᵀS)⁻¹ = S⁻¹S⁻ᵀ.
    let inverse: Matrix
    let gramInverse: Matrix

    /// Smallest reciprocal condition (1-norm estimate) of SᵀS for these coordinates. Products with
    /// (SᵀS)⁻¹ lose ~ε κ(SᵀS) relative, which must stay well below the local tolerance: points
    /// with κ(SᵀS) ≤ 1e6 always qualify; up to 1e9 only when the logits travel far
    /// (`GradientFlow.logTravel`), where e is no frame at all. Measured: W2's draws reach κ ~ 1e6–1e8
    /// (points near the teacher axis are nearly parallel) and converge here in ~1 600 steps; at
    /// soft-vs-hard's n = d − 1 = 49 (logits below 8, κ beyond 1e6), the logits frame rejected
    /// every step at the tolerance 1e-10 while e converges.
    static let smallestReciprocalCondition = 1e-6
    static let smallestReciprocalConditionForLargeLogits = 1e-9

    /// nil unless S is square, SᵀS passes the condition test and the targets are finite.
    init?(_ system: ReducedSystem) {
        guard system.p == system.k, system.gapScale != nil else { return nil }
        let points = Matrix(rows: system.p, columns: system.k, elements: system.s)
        guard let gram = try? CholeskyFactorization(syrk(points, transpose: .transposed)),
              gram.reciprocalCondition >= ((system.gapScale ?? 0) > GradientFlow.logTravel
                  ? Self.smallestReciprocalConditionForLargeLogits : Self.smallestReciprocalCondition),
              let inverse = try? solveLinear(points, Matrix.identity(system.p)) else { return nil }
        self.system = system
        self.inverse = inverse
        gramInverse = gram.solve(Matrix.identity(system.k))
    }

    var dimension: Int { system.k }
    var logitTravel: Double? { system.gapScale }

    func residuals(_ z: [Double]) -> [Double] {
        let scale = 1 / Double(system.k)
        return (0..<system.k).map { Logistic.residual(logit: z[$0], target: system.targets[$0]) * scale }
    }

    var hasIdentityMass: Bool { false }

    func evaluate(at z: [Double], time tau: Double) -> FlowEvaluation {
        let r = residuals(z)
        let gradient = gemv(Matrix(rows: system.p, columns: system.k, elements: system.s), r)
        let field = r.map { -$0 }
        return FlowEvaluation(field: field, fieldNorm: norm2(field), gradientNorm: norm2(gradient),
                              fitGap: system.fitGap(z))
    }

    func field(at z: [Double], time tau: Double = 0) -> [Double] { residuals(z).map { -$0 } }

    func applyMass(_ v: inout [Double]) { v = gemv(gramInverse, v) }

    func curvature(at z: [Double], time tau: Double = 0) -> [Double] {
        let scale = 1 / Double(system.k)
        return z.map { Logistic.sigmoidDerivative($0) * scale }
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

    /// x ↦ (c (SᵀS)⁻¹ + a W)⁻¹ x.
    func shiftedSolver(_ weights: [Double], shift c: Double, scale a: Double) -> ((inout [Double]) -> Void)? {
        var m = gramInverse
        for i in m.elements.indices { m.elements[i] *= c }
        for i in 0..<system.k { m[i, i] += a * weights[i] }
        guard let cholesky = try? CholeskyFactorization(m) else { return nil }
        return { cholesky.solveInPlace(&$0) }
    }

    /// z(0) + Sᵀe for the reduced coordinates e, and back: e = S⁻ᵀ (z − z(0)).
    func logits(_ e: [Double]) -> [Double] { system.logits(e) }

    func reduced(_ z: [Double]) -> [Double] {
        var difference = z
        for i in difference.indices { difference[i] -= system.initialLogits[i] }
        return gemv(inverse, difference, transpose: .transposed)
    }
}

