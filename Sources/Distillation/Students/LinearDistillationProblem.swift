#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra
import Numerics

/// How the linear student's w(0) is chosen.
public enum LinearInitialization: Sendable {
    /// w(0) = 0: the flow converges to P w*.
    case zero
    /// A given w(0) ∈ R^d; its part off the span never moves.
    case weights([Double])
    /// w(0) with i.i.d. N(0, scale²/d) entries (so ‖w(0)‖ ≈ scale), drawn from `stream`.
    case random(scale: Double, stream: RandomStream)
}

/// One Monte Carlo draw of the linear distillation problem: points X (n × d, rows are points),
/// teacher w* and initialization w(0), factored once so that every nested prefix x_1..x_k can
/// be solved with any solver (docs/THEORY.md §2, docs/ARCHITECTURE.md).
///
/// With Xᵀ = Q R (Householder, no pivoting), the QR of the first k points is the first
/// min(k, d) columns of Q with the leading block of R. Students are kept in Q's coordinates:
/// y = Qᵀ w (full orthogonal Q), so angles cost O(d) and no d-vector is formed unless asked.
public struct LinearDistillationProblem: Sendable {
    public let dimension: Int
    /// n, the size of the largest transfer set.
    public let pointCount: Int
    public let teacher: Teacher
    /// w(0).
    public let initialWeights: [Double]

    let factorization: QRFactorization
    /// m = X w*.
    let teacherLogits: [Double]
    /// X w(0).
    let initialLogits: [Double]
    /// Qᵀ w* and Qᵀ w(0) with the full orthogonal Q (length d).
    let teacherCoordinates: [Double]
    let initialCoordinates: [Double]
    /// ‖x_i‖, the scale for the rank decision.
    let pointNorms: [Double]
    /// Suffix sums of the coordinates, so that a student's angle costs O(k), not O(d).
    let tails: CoordinateTails

    public init(points: Matrix, teacher: Teacher,
                initialization: LinearInitialization = .zero) throws(ParameterError) {
        let d = points.columns, n = points.rows
        try requireParameter(n >= 1, "points.rows", n, expected: "must be ≥ 1 (a transfer set needs a point)")
        try requireParameter(teacher.dimension == d, "teacher.dimension", teacher.dimension,
                             expected: "must equal the points' dimension \(d)")
        for v in points.elements where !v.isFinite {
            throw .invalid(field: "points", value: "\(v)", expected: "must be finite numbers")
        }
        let w0 = try Self.startingWeights(initialization, dimension: d)
        guard let qr = try? QRFactorization(points.transposed) else {
            throw .invalid(field: "points", value: "\(n)×\(d) matrix", expected: "must be factorable (finite entries)")
        }
        var t = teacher.weights
        qr.applyQ(&t, transpose: .transposed)
        // ‖x_i‖ = ‖R e_i‖ (Q orthogonal): no pass over the n × d points.
        var norms = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var squares = 0.0
            for j in 0..<min(i + 1, qr.rank) { squares += qr.r[j, i] * qr.r[j, i] }
            norms[i] = squares.squareRoot()
        }
        self.init(factorization: qr, teacher: teacher, teacherLogits: teacher.logits(of: points),
                  teacherCoordinates: t, pointNorms: norms, initialWeights: w0)
    }

    /// The same points and teacher from another w(0), sharing this problem's QR: one
    /// factorization per draw serves every initialisation (X w(0) = Rᵀ (Qᵀ w(0)) needs no points).
    public func restarted(from initialization: LinearInitialization) throws(ParameterError) -> LinearDistillationProblem {
        let w0 = try Self.startingWeights(initialization, dimension: dimension)
        return LinearDistillationProblem(factorization: factorization, teacher: teacher, teacherLogits: teacherLogits,
                                         teacherCoordinates: teacherCoordinates, pointNorms: pointNorms,
                                         initialWeights: w0)
    }

    private init(factorization qr: QRFactorization, teacher: Teacher, teacherLogits: [Double],
                 teacherCoordinates t: [Double], pointNorms: [Double], initialWeights w0: [Double]) {
        var t0 = w0
        qr.applyQ(&t0, transpose: .transposed)
        self.dimension = qr.rows
        self.pointCount = qr.columns
        self.teacher = teacher
        self.initialWeights = w0
        self.factorization = qr
        self.teacherLogits = teacherLogits
        // X w(0) = Rᵀ (Qᵀ w(0))[0..<rank].
        self.initialLogits = w0.allSatisfy({ $0 == 0 }) ? [Double](repeating: 0, count: qr.columns)
            : gemv(qr.r, Array(t0[0..<qr.rank]), transpose: .transposed)
        self.teacherCoordinates = t
        self.initialCoordinates = t0
        self.pointNorms = pointNorms
        self.tails = CoordinateTails(start: t0, teacher: t, leading: qr.rank)
    }

    static func startingWeights(_ initialization: LinearInitialization,
                                dimension d: Int) throws(ParameterError) -> [Double] {
        switch initialization {
        case .zero:
            return [Double](repeating: 0, count: d)
        case .weights(let given):
            try requireParameter(given.count == d, "initialWeights.count", given.count,
                                 expected: "must equal the dimension \(d)")
            try requireParameter(given.allSatisfy(\.isFinite), "initialWeights", "non-finite entry",
                                 expected: "must be finite numbers")
            return given
        case .random(let scale, var stream):
            try requireParameter(scale >= 0 && scale.isFinite, "initialization.scale", scale,
                                 expected: "must be a finite number ≥ 0")
            var w0 = stream.normals(count: d)
            let factor = scale / Double(d).squareRoot()
            for i in w0.indices { w0[i] *= factor }
            return w0
        }
    }

    // MARK: Solving

    /// The linear student on the first k points, trained by `solver` from w(0).
    public func solve(prefix k: Int, solver: SolverKind,
                      options: SolverOptions = .standard) -> LinearStudent {
        let reduction = reduce(prefix: k, targets: Array(teacherLogits[0..<k]))
        let system = reduction.system
        let start = [Double](repeating: 0, count: reduction.rank)
        let state: [Double]
        let statistics: SolverStatistics
        switch solver {
        case .flow:
            (state, statistics) = GradientFlow.integrate(system, from: start, options: options)
        case .gd:
            let step = options.descentStep ?? GradientDescent.safeStep(for: system)
            (state, statistics) = GradientDescent(options: options).run(system, from: start, step: step)
        case .newton:
            (state, statistics) = DampedNewton(options: options).run(system, from: start)
        case .closed:
            var difference = Array(teacherCoordinates[0..<reduction.leading])
            for i in difference.indices { difference[i] -= initialCoordinates[i] }
            state = reduction.reduced(difference)
            let (g0, _) = system.gradient(at: start)
            let (g, gap) = system.gradient(at: state)
            let n0 = norm2(g0)
            statistics = SolverStatistics(
                flowTime: nil, acceptedSteps: 0, rejectedSteps: 0, gradientEvaluations: 0,
                relativeGradientNorm: n0 == 0 ? 0 : norm2(g) / n0, relativeFitGap: gap,
                converged: true, stopReason: .closedForm)
        }
        return student(prefix: k, reduction: reduction, state: state, statistics: statistics)
    }

    /// w = w(0) + Q c as a d-vector (O(d n)).
    public func weights(of student: LinearStudent) -> [Double] {
        var y = studentCoordinates(student.coordinates)
        factorization.applyQ(&y, transpose: .none)
        return y
    }

    // MARK: Internals shared by the students

    func student(prefix k: Int, reduction: PrefixReduction, state: [Double],
                 statistics: SolverStatistics) -> LinearStudent {
        let c = reduction.leadingCoordinates(state)
        let angle = angleToTeacher(leading: c, fromStart: true)
        return LinearStudent(prefix: k, coordinates: c, cosineToTeacher: angle.cosine,
                             angleToTeacher: angle.radians, statistics: statistics)
    }

    /// ∠(w, w*) for w = [w(0) +] Q[:, :c.count] c, in O(c.count) from the suffix sums (the
    /// coordinates past c.count are w(0)'s and w*'s own, whatever the prefix). The part of
    /// the perpendicular past c.count is a sum of squares when w(0) = 0; otherwise, when its
    /// expanded form cancels, it is summed directly (O(d), no allocation).
    func angleToTeacher(leading c: [Double], fromStart: Bool) -> Angle {
        let m = c.count
        let t = teacherCoordinates, t0 = initialCoordinates
        let startTail = fromStart ? tails.start[m] : 0
        let crossTail = fromStart ? tails.cross[m] : 0
        var aa = startTail, ab = crossTail
        for i in 0..<m {
            let a = (fromStart ? t0[i] : 0) + c[i]
            aa += a * a
            ab += a * t[i]
        }
        let na = aa.squareRoot(), nb = tails.teacher[0].squareRoot()
        guard na > 0, nb > 0 else { return Angle(cosine: 0, radians: .pi / 2) }
        let along = ab / (na * nb)
        var head = 0.0
        for i in 0..<m {
            let a = (fromStart ? t0[i] : 0) + c[i]
            let p = a / na - along * t[i] / nb
            head += p * p
        }
        let startPart = startTail / (na * na), teacherPart = along * along * tails.teacher[m] / (nb * nb)
        var tail = startPart - 2 * along * crossTail / (na * nb) + teacherPart
        if startTail > 0 && tail < 1e-6 * (startPart + teacherPart) {
            tail = 0
            for i in m..<dimension {
                let p = t0[i] / na - along * t[i] / nb
                tail += p * p
            }
        }
        return Angle(cosine: min(1, max(-1, along)), radians: atan2((head + max(tail, 0)).squareRoot(), along))
    }

    /// Qᵀw for w = w(0) + Q[:, :c.count] c.
    func studentCoordinates(_ c: [Double]) -> [Double] {
        var y = initialCoordinates
        for i in c.indices { y[i] += c[i] }
        return y
    }

    /// The reduced system of prefix k with the given targets (teacher logits or ±∞).
    func reduce(prefix k: Int, targets: [Double]) -> PrefixReduction {
        precondition(k >= 1 && k <= pointCount, "prefix \(k) out of range 1...\(pointCount)")
        let leading = min(k, dimension)
        let r = factorization.r.block(rows: 0..<leading, columns: 0..<k)
        var largest = 0.0
        for i in 0..<k { largest = max(largest, pointNorms[i]) }
        var fullRank = largest > 0
        for j in 0..<leading where !(abs(r[j, j]) > PrefixReduction.diagonalTolerance * largest) {
            fullRank = false
        }
        let z0 = Array(initialLogits[0..<k])
        if fullRank {
            let system = ReducedSystem(p: leading, k: k, s: r.elements, initialLogits: z0, targets: targets)
            return PrefixReduction(prefix: k, leading: leading, basis: nil, system: system)
        }
        // Rank-deficient prefix (repeated or dependent points): an orthonormal basis B of
        // range(R_k) from the eigenvectors of R_k R_kᵀ, and S = Bᵀ R_k of full row rank.
        let gram = syrk(r)
        let eigen = try? SymmetricEigendecomposition(gram)
        let values = eigen?.eigenvalues ?? []
        let top = values.last ?? 0
        let kept = values.indices.filter { top > 0 && values[$0] > PrefixReduction.eigenvalueTolerance * top }
        var basis = Matrix(rows: leading, columns: kept.count)
        if let eigen {
            for (column, index) in kept.enumerated() {
                for i in 0..<leading { basis[i, column] = eigen.eigenvectors[i, index] }
            }
        }
        let s = kept.isEmpty ? Matrix(rows: 0, columns: k) : gemm(basis, r, transposeA: .transposed)
        let system = ReducedSystem(p: kept.count, k: k, s: s.elements, initialLogits: z0, targets: targets)
        return PrefixReduction(prefix: k, leading: leading, basis: basis, system: system)
    }
}

/// A prefix's reduced system, and the map between its coordinates e ∈ R^rank and the leading
/// min(k, d) coordinates of Q (c = B e, or c = e when the prefix has full rank).
struct PrefixReduction: Sendable {
    /// A diagonal entry of R below this fraction of the largest point norm marks a dependent point.
    static let diagonalTolerance = 1e-11
    /// Eigenvalues of R_k R_kᵀ below this fraction of the largest are rounding noise
    /// (singular values below ~3e-7 of the largest are treated as zero).
    static let eigenvalueTolerance = 1e-13

    let prefix: Int
    let leading: Int
    let basis: Matrix?
    let system: ReducedSystem

    var rank: Int { system.p }

    func leadingCoordinates(_ e: [Double]) -> [Double] {
        guard let basis else { return e }
        if e.isEmpty { return [Double](repeating: 0, count: leading) }
        return gemv(basis, e)
    }

    /// Bᵀ c for c in the leading coordinates.
    func reduced(_ c: [Double]) -> [Double] {
        guard let basis else { return c }
        if basis.columns == 0 { return [] }
        return gemv(basis, c, transpose: .transposed)
    }

    /// B Bᵀ c: the part of c in the span of the prefix.
    func projected(_ c: [Double]) -> [Double] {
        leadingCoordinates(reduced(c))
    }
}

/// A trained linear student.
public struct LinearStudent: Sendable, Hashable {
    public let prefix: Int
    /// c with w = w(0) + Q[:, :c.count] c, Q from the QR of the largest transfer set.
    public let coordinates: [Double]
    public let cosineToTeacher: Double
    /// γ = ∠(w, w*) ∈ [0, π], accurate also when tiny (from atan2, not arccos).
    public let angleToTeacher: Double
    public let statistics: SolverStatistics
}

/// Σ_{i ≥ m} of the squares and cross products of Qᵀw(0) and Qᵀw*, for m = 0 … rank.
struct CoordinateTails: Sendable {
    let start: [Double]
    let teacher: [Double]
    let cross: [Double]

    init(start t0: [Double], teacher t: [Double], leading: Int) {
        var start = [Double](repeating: 0, count: leading + 1)
        var teacher = start, cross = start
        for i in leading..<t.count {
            start[leading] += t0[i] * t0[i]
            teacher[leading] += t[i] * t[i]
            cross[leading] += t0[i] * t[i]
        }
        for m in stride(from: leading - 1, through: 0, by: -1) {
            start[m] = start[m + 1] + t0[m] * t0[m]
            teacher[m] = teacher[m + 1] + t[m] * t[m]
            cross[m] = cross[m + 1] + t0[m] * t[m]
        }
        self.start = start
        self.teacher = teacher
        self.cross = cross
    }
}

/// The angle between two vectors given in the same orthonormal coordinates.
struct Angle {
    let cosine: Double
    let radians: Double

    init(cosine: Double, radians: Double) {
        self.cosine = cosine
        self.radians = radians
    }

    init(_ a: [Double], _ b: [Double]) {
        let na = norm2(a), nb = norm2(b)
        guard na > 0, nb > 0 else {
            cosine = 0
            radians = Double.pi / 2
            return
        }
        let ua = a.map { $0 / na }, ub = b.map { $0 / nb }
        let along = dot(ua, ub)
        var perpendicular = ua
        axpy(-along, ub, &perpendicular)
        let across = norm2(perpendicular)
        radians = atan2(across, along)
        cosine = min(1, max(-1, along))
    }
}
