import LinearAlgebra

/// The linear student's loss in reduced coordinates e (docs/THEORY.md §2):
/// z = z(0) + Sᵀ e, L(e) = (1/k) Σ ℓ(z_i, m_i), ∇L = (1/k) S r(z), ∇²L = (1/k) S diag(σ'(z)) Sᵀ.
///
/// S (p × k, column-major) has full row rank p; its column i is point i in an orthonormal basis
/// of the span. Targets m may be ±∞ (hard labels).
struct ReducedSystem: GradientSystem, Sendable {
    let p: Int
    let k: Int
    let s: [Double]
    let initialLogits: [Double]
    let targets: [Double]
    /// max_i |m_i − z_i(0)|, the scale of the fit gap; nil for hard labels.
    let gapScale: Double?

    init(p: Int, k: Int, s: [Double], initialLogits: [Double], targets: [Double]) {
        precondition(s.count == p * k && initialLogits.count == k && targets.count == k,
                     "reduced system: shapes p = \(p), k = \(k) do not match the arrays")
        self.p = p
        self.k = k
        self.s = s
        self.initialLogits = initialLogits
        self.targets = targets
        if targets.allSatisfy(\.isFinite) {
            var scale = 0.0
            for i in 0..<k { scale = max(scale, abs(targets[i] - initialLogits[i])) }
            gapScale = scale
        } else {
            gapScale = nil
        }
    }

    var dimension: Int { p }

    func logits(_ e: [Double]) -> [Double] {
        var z = initialLogits
        for i in 0..<k {
            var sum = 0.0
            for j in 0..<p { sum += s[i * p + j] * e[j] }
            z[i] += sum
        }
        return z
    }

    func gradient(fromLogits z: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: p)
        let inverse = 1 / Double(k)
        for i in 0..<k {
            let r = Logistic.residual(logit: z[i], target: targets[i]) * inverse
            if r == 0 { continue }
            for j in 0..<p { g[j] += s[i * p + j] * r }
        }
        return g
    }

    func fitGap(_ z: [Double]) -> Double? {
        guard let scale = gapScale else { return nil }
        var gap = 0.0
        for i in 0..<k { gap = max(gap, abs(z[i] - targets[i])) }
        if scale == 0 { return gap == 0 ? 0 : .infinity }
        return gap / scale
    }

    func gradient(at e: [Double]) -> (gradient: [Double], fitGap: Double?) {
        let z = logits(e)
        return (gradient(fromLogits: z), fitGap(z))
    }

    func loss(fromLogits z: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<k { sum += Logistic.divergence(logit: z[i], target: targets[i]) }
        return sum / Double(k)
    }

    /// (1/k) S diag(σ'(z)) Sᵀ, p × p, as B Bᵀ with B = S diag(√(σ'/k)) by BLAS syrk: the
    /// implicit flow forms it at every step, and O(k p²) scalar loops dominated its cost.
    func hessian(fromLogits z: [Double]) -> Matrix {
        var scaled = s
        let inverse = 1 / Double(k)
        for i in 0..<k {
            let w = (Logistic.sigmoidDerivative(z[i]) * inverse).squareRoot()
            for j in 0..<p { scaled[i * p + j] *= w }
        }
        return syrk(Matrix(rows: p, columns: k, elements: scaled))
    }

    /// The flow's limit e* when it interpolates, found without solving the flow: k = p points with
    /// S upper triangular (the R of their QR) and finite targets, Sᵀe* = m − z(0) (a triangular
    /// solve); nil otherwise.
    var interpolatingLimit: [Double]? {
        guard gapScale != nil, k == p else { return nil }
        let points = Matrix(rows: p, columns: p, elements: s)
        guard isUpperTriangular(points) else { return nil }
        var e = [Double](repeating: 0, count: p)
        for i in 0..<k { e[i] = targets[i] - initialLogits[i] }
        trsv(points, &e, triangle: .upper, transpose: .transposed)
        return isAllFinite(e) ? e : nil
    }

    /// λ_max(S Sᵀ).
    func largestGramEigenvalue() -> Double {
        let gram = syrk(Matrix(rows: p, columns: k, elements: s))
        return (try? SymmetricEigendecomposition(gram))?.eigenvalues.last ?? gram.frobeniusNorm
    }
}

/// A frame of coordinates in which the training flow is integrated implicitly, with what the
/// choice of clock needs.
protocol FlowFrame: LinearlyImplicitProblem {
    /// tr ∇²L, the fastest rate at y up to a factor of the dimension (`LogClock`'s t0).
    func trace(_ curvature: Curvature) -> Double
    /// max_i |m_i − z_i(0)|, how far the logits travel; nil when unknown.
    var logitTravel: Double? { get }
}

/// A gradient system with its Hessian as a matrix: F = −∇L, M = I, and the stage solves factor
/// shift·I + scale·∇²L by Cholesky.
protocol HessianSystem: GradientSystem, LinearlyImplicitProblem, DenseJacobianProblem where Curvature == Matrix {
    /// ∇²L(θ), symmetric positive semi-definite for the convex losses used here.
    func hessian(at theta: [Double]) -> Matrix
}

extension HessianSystem {
    func curvature(at theta: [Double], time tau: Double) -> Matrix { hessian(at: theta) }

    /// ∂F/∂θ = −∇²L.
    func jacobian(at theta: [Double], time tau: Double) -> Matrix {
        var matrix = hessian(at: theta)
        for i in matrix.elements.indices { matrix.elements[i] = -matrix.elements[i] }
        return matrix
    }

    func stageSolver(_ curvature: Matrix, time tau: Double, shift: Double,
                     scale: Double) -> ((inout [Double]) -> Void)? {
        shiftedSolver(curvature, shift: shift, scale: scale)
    }

    /// x ↦ (shift·I + scale·∇²L)⁻¹ x.
    func shiftedSolver(_ curvature: Matrix, shift: Double, scale: Double) -> ((inout [Double]) -> Void)? {
        var matrix = curvature
        if scale != 1 { for i in matrix.elements.indices { matrix.elements[i] *= scale } }
        for i in 0..<matrix.rows { matrix[i, i] += shift }
        guard let cholesky = try? CholeskyFactorization(matrix) else { return nil }
        return { cholesky.solveInPlace(&$0) }
    }

    func trace(_ curvature: Matrix) -> Double {
        var sum = 0.0
        for i in 0..<curvature.rows { sum += curvature[i, i] }
        return sum
    }
}

/// The loss in e: the frame for dependent points and small logits.
extension ReducedSystem: HessianSystem, FlowFrame {
    func hessian(at e: [Double]) -> Matrix { hessian(fromLogits: logits(e)) }
    var logitTravel: Double? { gapScale }
}
