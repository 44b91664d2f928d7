import LinearAlgebra

extension LinearDistillationProblem {
    /// The problem for points x_i = s_i u + t_i v_i (u = w*/‖w*‖, unit v_i ⟂ u) given only by
    /// s_i, t_i and the Gram matrix G_ij = v_iᵀv_j (the Gram-space sampling of docs/THEORY.md §6).
    ///
    /// The points are embedded in R^{n+1} as x̃_i = (s_i, t_i c_i) with c_iᵀc_j = G_ij
    /// (c_i = Λ^{1/2} V_iᵀ from G = V Λ Vᵀ, so a rank-deficient G, n ≥ d, is fine) and the
    /// teacher along e_1. Every inner product among points and teacher is kept, hence the logits,
    /// the flow, the students' angles to w* and all solver statistics are those of the problem
    /// in R^d, at a cost independent of d. The student starts at w(0) = 0 (an initialization
    /// with a part off the span, and w_δ, need the true dimension d: build those in R^d).
    public init(along: [Double], across: [Double], directionGram: Matrix,
                teacherNorm: Double) throws(ParameterError) {
        let n = along.count
        try requireParameter(n >= 1, "along.count", n, expected: "must be ≥ 1 (a transfer set needs a point)")
        try requireParameter(across.count == n, "across.count", across.count, expected: "must equal along.count = \(n)")
        try requireParameter(directionGram.rows == n && directionGram.columns == n, "directionGram",
                             "\(directionGram.rows)×\(directionGram.columns)", expected: "must be \(n)×\(n)")
        for v in across where !(v >= 0 && v.isFinite) {
            throw .invalid(field: "across", value: "\(v)", expected: "must be finite distances ≥ 0")
        }
        guard let eigen = try? SymmetricEigendecomposition(directionGram) else {
            throw .invalid(field: "directionGram", value: "non-finite entries", expected: "must be a finite Gram matrix")
        }
        var points = Matrix(rows: n, columns: n + 1)
        for i in 0..<n {
            points[i, 0] = along[i]
            for j in 0..<n {
                let lambda = max(eigen.eigenvalues[j], 0)
                points[i, j + 1] = across[i] * lambda.squareRoot() * eigen.eigenvectors[i, j]
            }
        }
        var direction = [Double](repeating: 0, count: n + 1)
        direction[0] = 1
        try self.init(points: points, teacher: Teacher(direction: direction, norm: teacherNorm))
    }
}

extension LinearDistillationProblem {
    /// The problem of a Gram-space draw, in the (n + 2)-dimensional embedding of
    /// ``GramTransferSet`` with the teacher along e_0: the same logits, flow, limits and angles
    /// to w* as the problem of the same points in R^d, at a cost independent of d.
    ///
    /// `.random(scale:stream:)` is drawn with the ambient law (entries N(0, scale²/d) in R^d,
    /// placed by ``GramTransferSet/isotropicGaussian(standardDeviation:using:)``); `.weights`
    /// are coordinates in the embedding (length n + 2), e.g. from
    /// ``GramTransferSet/fixedVector(along:across:using:)`` for a given w(0) ∈ R^d.
    public init(gram set: GramTransferSet, teacherNorm: Double,
                initialization: LinearInitialization = .zero) throws(ParameterError) {
        try requireParameter(set.count >= 1, "gram.count", set.count, expected: "must be ≥ 1 (a transfer set needs a point)")
        let start: LinearInitialization
        switch initialization {
        case .random(let scale, var stream):
            try requireParameter(scale >= 0 && scale.isFinite, "initialization.scale", scale,
                                 expected: "must be a finite number ≥ 0")
            let sigma = scale / Double(set.ambientDimension).squareRoot()
            start = .weights(set.isotropicGaussian(standardDeviation: sigma, using: &stream))
        default:
            start = initialization
        }
        try self.init(points: set.points, teacher: Teacher(direction: set.teacherDirection, norm: teacherNorm),
                      initialization: start)
    }
}
