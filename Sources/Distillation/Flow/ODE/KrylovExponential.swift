#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra

/// The Lanczos process for a symmetric positive semidefinite B known only by its products, from
/// a start vector v: an orthonormal basis V_j of the Krylov space span{v, Bv, …, B^{j−1}v} and the
/// tridiagonal T_j = V_jᵀ B V_j, one product per step.
///
/// Every new vector is orthogonalized twice against the whole basis (full reorthogonalization):
/// the bases here are a few dozen vectors, so this costs less than the products, and without it
/// the basis loses orthogonality as soon as the first Ritz values converge, which is exactly when
/// the exponential below is read at large times.
struct LanczosProcess {
    /// The length of the vectors.
    let length: Int
    /// ‖v‖.
    let startNorm: Double
    /// V_j, column-major (length × size).
    private(set) var basis: [Double]
    /// T_j's diagonal α_1…α_j and off-diagonal β_1…β_{j−1}.
    private(set) var diagonal: [Double] = []
    private(set) var offDiagonal: [Double] = []
    /// β_j and the unit vector it multiplies (the next basis vector), kept until the next step.
    private var pending: (norm: Double, vector: [Double])?
    /// Products with B so far.
    private(set) var products = 0
    /// The Krylov space is invariant under B (no new direction): T_j is B on it exactly.
    private(set) var isExhausted = false
    /// A product was not finite: the basis stops growing and `exponential` is nil.
    private(set) var isBroken = false

    /// The basis size j.
    var size: Int { diagonal.count }

    /// `start` must be finite and not zero.
    init(start: [Double]) {
        length = start.count
        let size = norm2(start)
        precondition(size > 0 && size.isFinite, "Lanczos: the start vector must be finite and not zero")
        startNorm = size
        basis = start.map { $0 / size }
    }

    /// One step: the product of B with the newest basis vector (`apply`), its Rayleigh quotient,
    /// and the next basis vector. No-op once exhausted or at `length` vectors.
    mutating func extend(_ apply: ([Double]) -> [Double]) {
        guard !isExhausted && !isBroken && size < length else { return }
        let j = size
        if let pending {
            offDiagonal.append(pending.norm)
            basis.append(contentsOf: pending.vector)
        }
        let q = Array(basis[(j * length)..<((j + 1) * length)])
        var w = apply(q)
        products += 1
        precondition(w.count == length, "Lanczos: B v has \(w.count) entries, v has \(length)")
        let a = dot(q, w)
        diagonal.append(a)
        let scale = max(abs(a), offDiagonal.last ?? 0)
        let columns = Matrix(rows: length, columns: j + 1, elements: basis)
        for _ in 0..<2 {
            let projections = gemv(columns, w, transpose: .transposed)
            gemv(columns, projections, into: &w, alpha: -1, beta: 1)
        }
        let b = norm2(w)
        pending = nil
        guard a.isFinite && b.isFinite else {
            isBroken = true
            return
        }
        // A new direction smaller than rounding of B's products: the space is invariant.
        if b <= 1e-13 * scale || size == length {
            isExhausted = true
            return
        }
        pending = (b, w.map { $0 / b })
    }

    /// exp(−sB) v ≈ ‖v‖ V_j exp(−s T_j) e₁ from the current basis; nil when T_j's eigendecomposition
    /// fails (non-finite products).
    func exponential() -> KrylovExponential? {
        guard size > 0, !isBroken, let t = try? TridiagonalEigendecomposition(diagonal: diagonal, offDiagonal: offDiagonal)
        else { return nil }
        let j = size
        let weights = (0..<j).map { startNorm * t.eigenvectors[0, $0] }
        return KrylovExponential(values: t.eigenvalues.map { max($0, 0) }, weights: weights,
                                 rotation: t.eigenvectors,
                                 basis: Matrix(rows: length, columns: j, elements: Array(basis[0..<(j * length)])))
    }
}

/// u(s) = exp(−sB) v for all s ≥ 0 in the Ritz pairs of a Lanczos basis: u(s) = Σ_l c_l(s) x_l
/// with c_l(s) = w_l e^{−sθ_l} and the Ritz vectors x_l = V q_l.
///
/// V and Q are kept apart and u(s) formed as V (Q c(s)): one state costs O(p j), where forming the
/// Ritz vectors once would cost O(p j²), more than the few dozen states an event search reads.
struct KrylovExponential {
    /// Ritz values θ_l (ascending; rounding below 0 clamped to 0, B being semidefinite).
    let values: [Double]
    /// w_l = ‖v‖ (Qᵀe₁)_l.
    let weights: [Double]
    /// Q, the eigenvectors of T (j × j).
    let rotation: Matrix
    /// V, the Lanczos basis (p × j).
    let basis: Matrix

    /// The smallest Ritz value: the slowest rate of decay the basis resolves.
    var slowestRate: Double { values.first ?? 0 }

    /// c(s); `state(_:)` and `energy(_:)` take it, so that a caller needing both forms it once.
    func coefficients(at s: Double) -> [Double] {
        zip(weights, values).map { $0 * exp(-s * $1) }
    }

    /// u(s).
    func state(at s: Double) -> [Double] { state(coefficients(at: s)) }

    /// u(s)ᵀ B u(s) = Σ_l θ_l c_l(s)².
    func energy(at s: Double) -> Double { energy(coefficients(at: s)) }

    /// V Q c.
    func state(_ coefficients: [Double]) -> [Double] { gemv(basis, gemv(rotation, coefficients)) }

    /// Σ_l θ_l c_l².
    func energy(_ coefficients: [Double]) -> Double {
        var sum = 0.0
        for (c, theta) in zip(coefficients, values) { sum += theta * c * c }
        return sum
    }
}
