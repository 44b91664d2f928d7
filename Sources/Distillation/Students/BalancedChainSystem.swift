import LinearAlgebra

/// The deep linear flow from a balanced rank-one start, exactly, in p + N − 1 coordinates.
///
/// The start W_1 = v_1 aᵀ, W_j = s_j v_j v_{j−1}ᵀ (j = 2 … N; unit v_j, v_N = 1) spans a linear
/// subspace of the layers that the flow never leaves: there the end-to-end vector is c = (Π s_j) a,
/// and the gradient blocks are ∂L/∂W_1 = (Π s_j) v_1 gᵀ and ∂L/∂W_j = (Π_{i≠j} s_i)(aᵀg) v_j v_{j−1}ᵀ
/// with g = ∇L(c), both inside the subspace. The map (a, s_2, …, s_N) ↦ layers is linear and
/// isometric (‖θ‖² = ‖a‖² + Σ s_j²), so the flow on the subspace is the gradient flow of the
/// same loss in (a, s): the width-one chain aᵀ, s_2, …, s_N, with the same gradient norm (the
/// stopping rule means what it means for the layers) and a symmetric p + N − 1 square Hessian.
/// A balanced start has s_j = ‖a‖ for every j and stays balanced, but nothing here needs that.
///
/// Why: the layers' state has h_1 p + Σ h_j h_{j−1} entries (2 336 at p = 40, widths 32); this one
/// has p + N − 1, small enough for an implicit method with a dense Jacobian, which the stiff deep
/// flows (ill-conditioned points, docs/THEORY.md §2) need.
struct BalancedChainSystem: HessianSystem, Sendable {
    let reduced: ReducedSystem
    let depth: Int

    init(reduced: ReducedSystem, depth: Int) {
        precondition(depth >= 2, "balanced chain: depth \(depth) < 2")
        self.reduced = reduced
        self.depth = depth
    }

    var p: Int { reduced.p }
    var dimension: Int { reduced.p + depth - 1 }

    /// Π s_j and, for each j, Π_{i≠j} s_i (by loops, not division: an s_j may be 0).
    private func products(_ theta: [Double]) -> (all: Double, others: [Double]) {
        let scalars = theta[p...]
        var others = [Double](repeating: 1, count: depth - 1)
        var all = 1.0
        for (j, s) in scalars.enumerated() {
            all *= s
            for i in others.indices where i != j { others[i] *= s }
        }
        return (all, others)
    }

    func endToEnd(_ theta: [Double]) -> [Double] {
        let product = products(theta).all
        return theta[0..<p].map { product * $0 }
    }

    func gradient(at theta: [Double]) -> (gradient: [Double], fitGap: Double?) {
        let (product, others) = products(theta)
        let a = Array(theta[0..<p])
        let z = reduced.logits(a.map { product * $0 })
        let g = reduced.gradient(fromLogits: z)
        let along = dot(a, g)
        return (g.map { product * $0 } + others.map { $0 * along }, reduced.fitGap(z))
    }

    /// With P = Π s_j, P_j = Π_{i≠j} s_i, P_ij = Π_{i'≠i,j} s_i' and H = ∇²L(c):
    /// ∂²/∂a² = P² H, ∂²/∂a∂s_j = P_j (g + P H a), ∂²/∂s_i∂s_j = P_ij aᵀg + P_i P_j aᵀHa (i ≠ j),
    /// ∂²/∂s_j² = P_j² aᵀHa.
    func hessian(at theta: [Double]) -> Matrix {
        let (product, others) = products(theta)
        let a = Array(theta[0..<p])
        let z = reduced.logits(a.map { product * $0 })
        let g = reduced.gradient(fromLogits: z)
        let h = reduced.hessian(fromLogits: z)
        let ha = gemv(h, a)
        let along = dot(a, g), curvature = dot(a, ha)
        let n = dimension
        var result = Matrix(rows: n, columns: n)
        let square = product * product
        for column in 0..<p { for row in 0..<p { result[row, column] = square * h[row, column] } }
        let scalars = Array(theta[p...])
        for j in 0..<(depth - 1) {
            for row in 0..<p {
                let value = others[j] * (g[row] + product * ha[row])
                result[row, p + j] = value
                result[p + j, row] = value
            }
            for i in 0..<(depth - 1) {
                if i == j {
                    result[p + j, p + j] = others[j] * others[j] * curvature
                } else {
                    var pair = 1.0
                    for (l, s) in scalars.enumerated() where l != i && l != j { pair *= s }
                    result[p + i, p + j] = pair * along + others[i] * others[j] * curvature
                }
            }
        }
        return result
    }

    /// The layers of `theta` given the hidden unit vectors v_1 … v_{N−1}: W_1 = v_1 aᵀ,
    /// W_j = s_j v_j v_{j−1}ᵀ (v_N = 1).
    func layers(_ theta: [Double], directions: [[Double]]) -> [Matrix] {
        precondition(directions.count == depth - 1, "balanced chain: \(directions.count) directions for depth \(depth)")
        var previous = Array(theta[0..<p])
        var layers = [Matrix]()
        for j in 1...depth {
            let next = j == depth ? [1.0] : directions[j - 1]
            let weight = j == 1 ? 1 : theta[p + j - 2]
            var layer = Matrix(rows: next.count, columns: previous.count)
            for b in 0..<previous.count { for r in 0..<next.count { layer[r, b] = weight * next[r] * previous[b] } }
            layers.append(layer)
            previous = next
        }
        return layers
    }
}
