#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import Synchronization

/// R(γ) of one axially symmetric geometry (``AxialRisk``) from Chebyshev interpolants built
/// once per experiment, so that a trial's risks cost a few hundred instructions each instead of
/// an adaptive quadrature.
///
/// The interpolated function is ln R as a function of x = ln tan γ, γ ∈ (0, π/2): R(γ) behaves
/// like a power of tan γ for small angles (ln R is nearly linear in x there) and reaches ½ at
/// γ = π/2 after a transition at tan γ ~ √d, so ln R is smooth in x on the whole range, and an
/// error in ln R is a relative error in R. The range x ∈ ln √d + [−30, 16] is cut into pieces of
/// width 2; each piece is built on first use from degree-16 Chebyshev nodes of the quadrature
/// (with its tolerance on the mass set to 0, so tiny risks keep their relative accuracy), and
/// checked at three points between the nodes: when the interpolant misses the quadrature there by
/// more than ``checkTolerance`` in ln R, the piece is halved (at most ``maximumDepth`` times),
/// and a piece that still fails, or where R is 0 (a margin below θ₀), is left to the quadrature.
/// Outside the range (tan γ below √d·e^−30, or γ within ≈ 1e-7/√d of π/2, which includes γ = π/2
/// itself) and for d ≤ 2, the quadrature answers. R(π − γ) = 1 − R(γ) as in ``AxialRisk``.
///
/// Where the quadrature's cut-off (``AxialRisk``) may cost more than its own relative tolerance,
/// i.e. where R < 10^13 · ½·p(γ)·τ_d (``AxialLogRisk/cutoffTailFraction(dimension:)`` bounds
/// what the cut loses), R and ln R come from the log-space quadrature of ``AxialLogRisk``
/// instead; everywhere else the value is the interpolant's or the quadrature's as before.
///
/// The pieces do not depend on the order in which trials reach them, so the values are the same
/// for any rank count and across resume.
public final class AxialRiskTable: Sendable {
    public let dimension: Int
    let kinks: [Double]
    let boundaryMass: @Sendable (Double) -> Double

    /// Largest |ln R(interpolant) − ln R(quadrature)| accepted at a piece's check points.
    static let checkTolerance = 1e-11
    static let degree = 16
    static let pieceWidth = 2.0
    static let maximumDepth = 5

    /// x = ln tan γ covered by the pieces.
    let lower: Double
    let pieceCount: Int

    /// A built piece: Chebyshev coefficients of ln R on [a, b], or nil where the quadrature
    /// answers; halves of a piece that needed splitting.
    indirect enum Piece: Sendable {
        case interpolant(a: Double, b: Double, coefficients: [Double])
        case quadrature
        case split(middle: Double, left: Piece, right: Piece)
    }

    private let pieces: Mutex<[Piece?]>

    /// τ_d of the quadrature's cut-off, and 10^13 · ½ · τ_d: below that multiple of p(γ) the
    /// cut may cost more than 1e-13 of R and the log-space quadrature answers.
    let cutoffTailFraction: Double
    let cutoffThreshold: Double
    static let cutoffTolerance = 1e-13
    /// ln ∫₀^{π/2} cos^{d−3} φ dφ for the log-space quadrature (d ≥ 3).
    let logNormalisation: Double

    public init(dimension d: Int, kinks: [Double] = [], boundaryMass: @escaping @Sendable (Double) -> Double) {
        precondition(d >= 1, "dimension must be at least 1, got \(d)")
        dimension = d
        self.kinks = kinks
        self.boundaryMass = boundaryMass
        let centre = 0.5 * log(Double(max(d - 2, 1)))
        lower = centre - 30
        pieceCount = Int((46 / Self.pieceWidth).rounded())
        pieces = Mutex([Piece?](repeating: nil, count: pieceCount))
        cutoffTailFraction = AxialLogRisk.cutoffTailFraction(dimension: d)
        cutoffThreshold = 0.5 * cutoffTailFraction / Self.cutoffTolerance
        logNormalisation = d >= 3 ? AxialLogRisk.logNormalisation(dimension: d) : 0
    }

    /// The quadrature this table interpolates (and falls back to).
    func quadrature(_ gamma: Double) -> Double {
        AxialRisk.risk(angle: gamma, dimension: dimension, kinks: kinks, massTolerance: 0, boundaryMass: boundaryMass)
    }

    public func risk(angle gamma: Double) -> Double {
        riskAndLogarithm(angle: gamma, needsLogarithm: false).risk
    }

    /// ln R(γ), accurate where R is far below the doubles' range too; −∞ where R = 0.
    public func logRisk(angle gamma: Double) -> Double {
        riskAndLogarithm(angle: gamma).logRisk
    }

    /// R(γ) and ln R(γ) together (one evaluation): where the cut quadrature is accurate,
    /// R is its (or the interpolant's) value and ln R its logarithm; elsewhere ln R is the
    /// log-space quadrature's and R = e^{ln R} (0 when that underflows).
    public func riskAndLogarithm(angle gamma: Double) -> (risk: Double, logRisk: Double) {
        riskAndLogarithm(angle: gamma, needsLogarithm: true)
    }

    /// Without `needsLogarithm` (a plain estimate), the cut quadrature's value.
    func riskAndLogarithm(angle gamma: Double, needsLogarithm: Bool) -> (risk: Double, logRisk: Double) {
        if gamma.isNaN { return (.nan, .nan) }
        let g = min(max(gamma, 0), .pi)
        if g > .pi / 2 {
            let r = 1 - risk(angle: .pi - g)
            return (r, log(r))
        }
        // R ≤ p(γ) (docs/THEORY.md §4 (ii)): below a margin the risk is 0 without a quadrature.
        let mass = boundaryMass(g)
        if mass == 0 { return (0, -.infinity) }
        let r = interpolated(g) ?? quadrature(g)
        if r >= cutoffThreshold * mass { return (r, log(r)) }
        // A plain estimate keeps the cut quadrature's value: it is short by at most ½·p(γ)·τ_d
        // (≈ 6e-37 at d = 1000), far below any mean plain Monte Carlo resolves, and the
        // log-space quadrature would cost an uncached integral per such draw. The importance
        // estimator, whose weights lift these draws, takes ln R.
        if !needsLogarithm { return (r, .nan) }
        let l = tailLogRisk(g)
        return (exp(l), l)
    }

    /// An upper bound on ln R at g ∈ (0, π/2] for a geometry whose p vanishes below a kink θ_z:
    /// the error region needs sin φ > cot γ tan θ_z =: sin φ_z and p(θ(φ)) ≤ p(γ), so
    /// R ≤ ½ p(γ) cos^{d−3}(φ_z) (π/2 − φ_z) / ∫₀^{π/2} cos^{d−3}. nil without such a kink.
    func logUpperBound(_ g: Double) -> Double? {
        guard dimension > 3, let zero = kinks.filter({ $0 > 0 && $0 < .pi / 2 && boundaryMass($0) == 0 }).max(),
              g > zero else { return nil }
        let s = cos(g) * tan(zero) / sin(g)
        guard s > 0, s < 1 else { return nil }
        let phi = asin(s)
        return log(0.5 * boundaryMass(g)) + Double(dimension - 3) * PiecewiseQuadrature.logCos(phi)
            + log(.pi / 2 - phi) - logNormalisation
    }

    /// ln R at g ∈ (0, π/2] by the log-space quadrature (no cut-off).
    func tailLogRisk(_ g: Double) -> Double {
        AxialLogRisk.logRisk(angle: g, dimension: dimension, kinks: kinks,
                             logNormalisation: logNormalisation, boundaryMass: boundaryMass)
    }

    /// The interpolant's R at g ∈ [0, π/2], or nil where the quadrature answers.
    func interpolated(_ g: Double) -> Double? {
        if g == 0 || dimension <= 2 { return nil }
        let x = log(tan(g))
        let position = (x - lower) / Self.pieceWidth
        guard position >= 0, position < Double(pieceCount) else { return nil }
        let index = Int(position)
        let piece = pieces.withLock { built -> Piece in
            if let piece = built[index] { return piece }
            let a = lower + Double(index) * Self.pieceWidth
            let piece = build(from: a, to: a + Self.pieceWidth, depth: 0)
            built[index] = piece
            return piece
        }
        return value(of: piece, at: x)
    }

    /// R at x from a built piece; nil where the piece leaves it to the quadrature.
    private func value(of piece: Piece, at x: Double) -> Double? {
        switch piece {
        case .quadrature:
            return nil
        case .split(let middle, let left, let right):
            return value(of: x < middle ? left : right, at: x)
        case .interpolant(let a, let b, let c):
            let t = (2 * x - a - b) / (b - a)
            // Clenshaw's recurrence for Σ' c_j T_j(t).
            var b1 = 0.0, b2 = 0.0
            for j in stride(from: c.count - 1, through: 1, by: -1) {
                let b0 = c[j] + 2 * t * b1 - b2
                b2 = b1
                b1 = b0
            }
            return exp(0.5 * c[0] + t * b1 - b2)
        }
    }

    static func angle(_ x: Double) -> Double { atan(exp(x)) }

    private func build(from a: Double, to b: Double, depth: Int) -> Piece {
        let middle = 0.5 * (a + b)
        func halves() -> Piece {
            if depth == Self.maximumDepth { return .quadrature }
            return .split(middle: middle, left: build(from: a, to: middle, depth: depth + 1),
                          right: build(from: middle, to: b, depth: depth + 1))
        }
        let m = Self.degree + 1
        var values = [Double](repeating: 0, count: m)
        for k in 0..<m {
            let t = cos(Double.pi * (Double(k) + 0.5) / Double(m))
            let r = quadrature(Self.angle(0.5 * (a + b) + 0.5 * (b - a) * t))
            // R = 0 on part of the piece (below a margin): ln R has no interpolant there.
            guard r > 0, r.isFinite else { return halves() }
            values[k] = log(r)
        }
        var coefficients = [Double](repeating: 0, count: m)
        for j in 0..<m {
            var sum = 0.0
            for k in 0..<m { sum += values[k] * cos(Double.pi * Double(j) * (Double(k) + 0.5) / Double(m)) }
            coefficients[j] = 2 * sum / Double(m)
        }
        let piece = Piece.interpolant(a: a, b: b, coefficients: coefficients)
        var worst = 0.0
        for t in [-0.985, 0.3, 0.985] {
            let x = 0.5 * (a + b) + 0.5 * (b - a) * t
            let exact = quadrature(Self.angle(x))
            guard exact > 0, let interpolated = value(of: piece, at: x) else { worst = .infinity; break }
            worst = max(worst, abs(log(interpolated) - log(exact)))
        }
        return worst <= Self.checkTolerance ? piece : halves()
    }
}

extension AxiallySymmetricGeometry {
    /// The cached evaluator of ``risk(angle:)`` for this geometry (``AxialRiskTable``).
    public func riskTable() -> AxialRiskTable {
        let geometry = self
        return AxialRiskTable(dimension: dimension, kinks: boundaryMassKinks,
                              boundaryMass: { geometry.boundaryMass($0) })
    }
}
