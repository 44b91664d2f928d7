import LinearAlgebra

/// The comparison student of docs/THEORY.md §7: logistic loss on the teacher's hard labels
/// 1[w*ᵀx ≥ 0]. On separable data its norm grows like log t and its direction tends to the
/// maximum-margin separator through the origin, which is computed directly as the limit.
extension LinearDistillationProblem {
    /// The gradient flow on hard labels from w(0), run to `options.timeLimit` (or until the
    /// gradient falls below `options.gradientTolerance`, or `options.maxSteps`).
    public func solveHardLabel(prefix k: Int, options: SolverOptions) throws(ParameterError) -> LinearStudent {
        try requireParameter(options.timeLimit.isFinite, "timeLimit", options.timeLimit,
                             expected: "must be finite for hard labels (their loss has no minimizer)")
        let targets = teacherLogits[0..<k].map { $0 >= 0 ? Double.infinity : -Double.infinity }
        let reduction = reduce(prefix: k, targets: targets)
        let start = [Double](repeating: 0, count: reduction.rank)
        let (state, statistics) = GradientFlow.integrate(reduction.system, from: start, options: options)
        return student(prefix: k, reduction: reduction, state: state, statistics: statistics)
    }

    /// The hard-margin SVM through the origin on the first k points, labels sign(w*ᵀx) (0 → +1):
    /// min ½‖w‖² subject to y_i x_iᵀw ≥ 1. Its solution lies in span(X), so the dual
    /// max Σα − ½ αᵀ(Y K Y)α, α ≥ 0, K = X Xᵀ = SᵀS, is solved in the reduced coordinates by
    /// exact coordinate ascent, then polished by solving the equality system on the support set.
    public func maxMarginSeparator(prefix k: Int, tolerance: Double = 1e-12,
                                   maxSweeps: Int = 100_000) -> MaxMarginSeparator {
        let targets = teacherLogits[0..<k].map { $0 >= 0 ? Double.infinity : -Double.infinity }
        let reduction = reduce(prefix: k, targets: targets)
        let system = reduction.system
        let p = system.p
        let labels = teacherLogits[0..<k].map { $0 >= 0 ? 1.0 : -1.0 }
        let columns = (0..<k).map { Array(system.s[($0 * p)..<(($0 + 1) * p)]) }
        let diagonal = columns.map { dot($0, $0) }
        var alpha = [Double](repeating: 0, count: k)
        var u = [Double](repeating: 0, count: p)
        func margin(_ i: Int) -> Double { labels[i] * dot(columns[i], u) }
        func violation() -> Double {
            var worst = 0.0
            for i in 0..<k where diagonal[i] > 0 {
                let gap = 1 - margin(i)
                worst = max(worst, alpha[i] > 0 ? abs(gap) : max(gap, 0))
            }
            return worst
        }
        var sweeps = 0
        var worst = violation()
        while worst > tolerance && sweeps < maxSweeps {
            for i in 0..<k where diagonal[i] > 0 {
                let updated = max(0, alpha[i] + (1 - margin(i)) / diagonal[i])
                let change = updated - alpha[i]
                if change != 0 {
                    alpha[i] = updated
                    axpy(change * labels[i], columns[i], &u)
                }
            }
            sweeps += 1
            if sweeps % 10 == 0 || sweeps < 10 { worst = violation() }
            if sweeps % 50 == 0, let polished = polish(alpha, labels, columns, p) {
                let saved = (alpha, u)
                (alpha, u) = polished
                let polishedWorst = violation()
                if polishedWorst <= tolerance { worst = polishedWorst; break }
                (alpha, u) = saved
            }
        }
        if worst > tolerance, let polished = polish(alpha, labels, columns, p) {
            let saved = (alpha, u)
            (alpha, u) = polished
            let polishedWorst = violation()
            if polishedWorst < worst { worst = polishedWorst } else { (alpha, u) = saved }
        }
        let c = reduction.leadingCoordinates(u)
        let angle = angleToTeacher(leading: c, fromStart: false)
        return MaxMarginSeparator(prefix: k, coordinates: c, dualCoefficients: alpha,
                                  margins: (0..<k).map(margin), cosineToTeacher: angle.cosine,
                                  angleToTeacher: angle.radians, sweeps: sweeps, kktViolation: worst)
    }

    /// Solves K_AA β = y_A on the support set A = {α > 0}; nil if singular or α would be < 0.
    private func polish(_ alpha: [Double], _ labels: [Double], _ columns: [[Double]],
                        _ p: Int) -> ([Double], [Double])? {
        let support = alpha.indices.filter { alpha[$0] > 0 }
        if support.isEmpty { return nil }
        var gram = Matrix(rows: support.count, columns: support.count)
        for (a, i) in support.enumerated() {
            for (b, j) in support.enumerated() { gram[a, b] = dot(columns[i], columns[j]) }
        }
        guard let cholesky = try? CholeskyFactorization(gram) else { return nil }
        let beta = cholesky.solve(support.map { labels[$0] })
        var polished = [Double](repeating: 0, count: alpha.count)
        var u = [Double](repeating: 0, count: p)
        for (a, i) in support.enumerated() {
            polished[i] = labels[i] * beta[a]
            if !(polished[i] >= 0) { return nil }
            axpy(beta[a], columns[i], &u)
        }
        return (polished, u)
    }

    /// The angle between a student's direction and the max-margin direction.
    public func angle(between student: LinearStudent, and separator: MaxMarginSeparator) -> Double {
        var y = [Double](repeating: 0, count: dimension)
        for i in separator.coordinates.indices { y[i] = separator.coordinates[i] }
        return Angle(studentCoordinates(student.coordinates), y).radians
    }

    /// The max-margin vector (scaled so the smallest margin is 1) as a d-vector.
    public func weights(of separator: MaxMarginSeparator) -> [Double] {
        var y = [Double](repeating: 0, count: dimension)
        for i in separator.coordinates.indices { y[i] = separator.coordinates[i] }
        factorization.applyQ(&y, transpose: .none)
        return y
    }
}

/// The maximum-margin separator through the origin of a prefix (the hard-label flow's limit).
public struct MaxMarginSeparator: Sendable, Hashable {
    public let prefix: Int
    /// Coordinates in the leading columns of Q of the vector whose smallest margin is 1.
    public let coordinates: [Double]
    /// Dual variables α_i ≥ 0; positive exactly on the support vectors.
    public let dualCoefficients: [Double]
    /// y_i x_iᵀ w: ≥ 1, with equality on the support vectors (KKT).
    public let margins: [Double]
    public let cosineToTeacher: Double
    public let angleToTeacher: Double
    public let sweeps: Int
    /// Largest violation of the KKT conditions at the returned point.
    public let kktViolation: Double
}
