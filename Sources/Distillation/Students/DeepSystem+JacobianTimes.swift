import LinearAlgebra
import Numerics

/// The Jacobian of the deep linear flow applied to a direction, for a matrix-free implicit
/// integrator: (∂F/∂θ) v = −(d/dε) ∇L(θ + εv) at ε = 0, the chain rule of `gradient(at:)` run once
/// more on the tangents. It costs about two gradients, where the dense Jacobian (dimension² entries,
/// dimension ≈ h_1(p + h_1) + …) would cost a gradient per column and an LU of its size per step.
extension DeepSystem: JacobianVectorProblem {
    func jacobianTimes(_ v: [Double], at theta: [Double], time tau: Double) -> [Double] {
        let layers = shapes.unflatten(theta)
        let tangents = shapes.unflatten(v)
        let depth = shapes.depth
        // Left products L_j and their tangents dL_{j−1} = dW_jᵀ L_j + W_jᵀ dL_j.
        let left = shapes.leftProducts(layers)
        var dLeft = [[Double]](repeating: [], count: depth + 1)
        dLeft[depth] = [0]
        for j in stride(from: depth, through: 1, by: -1) {
            var next = gemv(tangents[j - 1], left[j], transpose: .transposed)
            let carried = gemv(layers[j - 1], dLeft[j], transpose: .transposed)
            for i in next.indices { next[i] += carried[i] }
            dLeft[j - 1] = next
        }
        // g = (1/k) S r(z), dg = (1/k) S (σ'(z) ⊙ Sᵀ dc).
        let z = reduced.logits(left[0])
        var q = reduced.gradient(fromLogits: z)
        let p = reduced.p, k = reduced.k, s = reduced.s
        var dq = [Double](repeating: 0, count: p)
        let inverse = 1 / Double(k)
        for i in 0..<k {
            var dz = 0.0
            for j in 0..<p { dz += s[i * p + j] * dLeft[0][j] }
            let weight = Logistic.sigmoidDerivative(z[i]) * dz * inverse
            if weight == 0 { continue }
            for j in 0..<p { dq[j] += s[i * p + j] * weight }
        }
        // Block j of ∇L is L_j q_{j−1}ᵀ with q_j = W_j q_{j−1}: its tangent is
        // dL_j q_{j−1}ᵀ + L_j dq_{j−1}ᵀ, and dq_j = dW_j q_{j−1} + W_j dq_{j−1}.
        var product = [Double]()
        product.reserveCapacity(theta.count)
        for j in 1...depth {
            let rows = shapes.widths[j], columns = shapes.widths[j - 1]
            let l = left[j], dl = dLeft[j]
            for b in 0..<columns { for a in 0..<rows { product.append(-(dl[a] * q[b] + l[a] * dq[b])) } }
            if j < depth {
                var nextTangent = gemv(tangents[j - 1], q)
                let carried = gemv(layers[j - 1], dq)
                for i in nextTangent.indices { nextTangent[i] += carried[i] }
                q = gemv(layers[j - 1], q)
                dq = nextTangent
            }
        }
        return product
    }
}
