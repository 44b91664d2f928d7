#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import Numerics

/// E[R(γ_∞,n)] at every n of a grid without sampling (docs/THEORY.md §9): the control
/// variate's limit term as a deterministic number.
///
/// tan²γ_∞,n = 1 / S_n with S_n = Σ_{i≤n} X_i, X_i = tan²β_i i.i.d. The law of S_n is carried on
/// cells of equal width in ln s (`cellsPerDecade` per decade, from 10^lo to 10^hi), each cell
/// holding its mass and its first moment. X's cells come from the angle law's density by
/// Gauss–Legendre; the law of a sum of two independent laws is formed pair by pair of cells
/// (the pair's mass at the sum of the two cells' means), pairs whose parts differ by more than a
/// factor ~8/h lumped on the larger part (the smaller ones' mass and mean added in one
/// deposit); S_n is built from S_1, S_2, S_4, … by these convolutions, climbing the grid. Then
/// E[g(S_n)] ≈ Σ mass·g(cell mean). Mass and mean are kept exactly by each deposit, so the
/// error is of second order in the cell width h (checked by the tests); three widths h, h/2,
/// h/4 and Richardson's rule give the value; the stated error estimate is the difference
/// between the two extrapolations (from h, h/2 and from h/2, h/4) plus the last correction
/// |r(h/4) − r(h/2)|/3 (deliberately conservative: the convolutions' order of composition,
/// which follows the grid, leaves errors that are not of exact second order). To it are added
/// two bounds
/// that hold without asymptotics: the mass below 10^lo times the range of g there, and the mass
/// that a sum pushed above 10^hi times g(10^hi) (g is decreasing and ≥ 0).
///
/// Everything is computed in a fixed order from the law, the grid and g alone, so every rank
/// gets the same bits and a resumed run the same values.
public struct LimitRiskQuadrature: Sendable {
    public let grid: [Int]
    /// E[R(γ_∞,n)] at each n of `grid`.
    public let values: [Double]
    /// The error estimate of each value (see the type's comment), ≥ 0.
    public let errorEstimates: [Double]

    /// Cells per decade of the finest of the three widths.
    public static let defaultCellsPerDecade = 40

    /// - Parameters:
    ///   - risk: R as a function of the angle γ (the experiment's risk table); g(s) = R(arctan 1/√s).
    ///   - dimension: d, which sets where R turns over (tan γ ~ √d) and so the range's lower end.
    public init(law: some BoundaryAngleLaw, grid: [Int], dimension: Int,
                cellsPerDecade finest: Int = LimitRiskQuadrature.defaultCellsPerDecade,
                risk: (Double) -> Double) {
        precondition(!grid.isEmpty && grid.first! >= 1 && zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 },
                     "the grid must be ascending sizes ≥ 1")
        precondition(finest >= 4 && finest % 4 == 0, "cells per decade must be a positive multiple of 4")
        self.grid = grid
        let lo = Int((-log10(Double(max(dimension, 1))) - 8).rounded(.down))
        let hi = Int((2 * log10(Double(grid.last!)) + 12).rounded(.up))
        func g(_ s: Double) -> Double { risk(LimitAngle.angle(sumOfSquaredTangents: s)) }
        var levels: [[Double]] = []
        var bounds: [Double] = []
        for perDecade in [finest / 4, finest / 2, finest] {
            let cells = CellGrid(lowDecade: lo, highDecade: hi, perDecade: perDecade)
            let laws = Self.sumLaws(of: cells.law(of: law), grid: grid, cells: cells)
            levels.append(laws.map { $0.expectation(of: g) })
            if perDecade == finest {
                let top = g(cells.edges.last!)
                let bottom = g(0) - g(cells.edges[1])
                // Where p has a kink at θ_k, g has one at s = cot²θ_k (R vanishes below a
                // margin): the cell holding it is bounded by its mass times g's range over it.
                let kinkCells = law.boundaryMassKinks.compactMap { theta -> Int? in
                    let t = tan(theta)
                    let k = cells.index(of: 1 / (t * t))
                    return k < cells.count ? k : nil
                }
                bounds = laws.map { sum in
                    var bound = sum.mass[0] * abs(bottom) + sum.above * max(top, 0)
                    for k in kinkCells { bound += sum.mass[k] * abs(g(cells.edges[k]) - g(cells.edges[k + 1])) }
                    return bound
                }
            }
        }
        var values: [Double] = []
        var errors: [Double] = []
        for k in grid.indices {
            let (r1, r2, r4) = (levels[0][k], levels[1][k], levels[2][k])
            let coarse = (4 * r2 - r1) / 3
            let fine = (4 * r4 - r2) / 3
            values.append(max(fine, 0))
            // The spread of the two extrapolations, plus the finest level's own correction
            // (an error that Richardson's rule removes only if the error is of exact second
            // order, which a convolution path that depends on the grid does not guarantee).
            errors.append(abs(fine - coarse) + abs(r4 - r2) / 3 + bounds[k])
        }
        self.values = values
        errorEstimates = errors
    }

    /// The law of S_n at each n of the grid, by convolutions of S_1's law.
    static func sumLaws(of single: CellLaw, grid: [Int], cells: CellGrid) -> [CellLaw] {
        var powers = [single]
        while 1 << powers.count <= grid.last! {
            powers.append(powers.last!.convolved(with: powers.last!, cells: cells))
        }
        func law(of count: Int) -> CellLaw {
            var out: CellLaw?
            for bit in powers.indices where count & (1 << bit) != 0 {
                out = out.map { $0.convolved(with: powers[bit], cells: cells) } ?? powers[bit]
            }
            return out!
        }
        var laws: [CellLaw] = []
        var current: CellLaw?
        var previous = 0
        for n in grid {
            let increment = law(of: n - previous)
            current = current.map { $0.convolved(with: increment, cells: cells) } ?? increment
            laws.append(current!)
            previous = n
        }
        return laws
    }
}

/// Cells [e_k, e_{k+1}) of equal width h in ln s; cell 0 also holds [0, e_0).
struct CellGrid: Sendable {
    let edges: [Double]
    let logLow: Double
    let width: Double
    var count: Int { edges.count - 1 }

    init(lowDecade lo: Int, highDecade hi: Int, perDecade: Int) {
        precondition(hi > lo && perDecade >= 1)
        width = log(10.0) / Double(perDecade)
        logLow = Double(lo) * log(10.0)
        let n = (hi - lo) * perDecade
        edges = (0...n).map { exp(Double(lo) * log(10.0) + Double($0) * log(10.0) / Double(perDecade)) }
    }

    /// The cell holding s ≥ 0, or `count` when s ≥ the top edge.
    func index(of s: Double) -> Int {
        if s < edges[1] { return 0 }
        if s >= edges[count] { return count }
        var k = min(max(Int(((log(s) - logLow) / width).rounded(.down)), 0), count - 1)
        while k > 0 && s < edges[k] { k -= 1 }
        while k + 1 < count && s >= edges[k + 1] { k += 1 }
        return k
    }

    /// X = tan²β's cells: mass and first moment by 8-point Gauss–Legendre in ln y of the
    /// density p'(θ(y))·√y / (2(1 + y)), split at the law's kinks; the mass below e_0 exactly
    /// from p, its moment by a rule over 40 decades below.
    func law<L: BoundaryAngleLaw>(of law: L) -> CellLaw {
        let (nodes, weights) = Quadrature.gaussLegendre(nodes: 8)
        let kinks = law.boundaryMassKinks.map { let t = tan($0); return log(t * t) }
        func integrate(_ a: Double, _ b: Double) -> (mass: Double, moment: Double) {
            var pieces = [a]
            pieces += kinks.filter { $0 > a && $0 < b }.sorted()
            pieces.append(b)
            var mass = 0.0, moment = 0.0
            for p in 0..<(pieces.count - 1) {
                let (lo, hi) = (pieces[p], pieces[p + 1])
                let half = 0.5 * (hi - lo), mid = 0.5 * (hi + lo)
                for q in nodes.indices {
                    let u = mid + half * nodes[q]
                    let y = exp(u)
                    let density = law.boundaryAngleDensity(atan(y.squareRoot())) * y.squareRoot() / (2 * (1 + y))
                    mass += half * weights[q] * density
                    moment += half * weights[q] * density * y
                }
            }
            return (mass, moment)
        }
        var mass = [Double](repeating: 0, count: count)
        var moment = [Double](repeating: 0, count: count)
        for k in 0..<count {
            (mass[k], moment[k]) = integrate(log(edges[k]), log(edges[k + 1]))
        }
        let below = law.boundaryMass(atan(edges[0].squareRoot()))
        if below > 0 {
            var belowMoment = 0.0
            let top = log(edges[0])
            for piece in 0..<40 {
                belowMoment += integrate(top - Double(piece + 1) * log(10.0), top - Double(piece) * log(10.0)).moment
            }
            mass[0] += below
            moment[0] += belowMoment
        }
        let above = max(0, 1 - law.boundaryMass(atan(edges[count].squareRoot())))
        return CellLaw(mass: mass, moment: moment, above: above)
    }
}

/// A law on the cells: each cell's mass and first moment, and the mass above the top edge.
struct CellLaw: Sendable {
    var mass: [Double]
    var moment: [Double]
    var above: Double

    /// Σ mass·g(mean) over the cells with mass.
    func expectation(of g: (Double) -> Double) -> Double {
        var total = 0.0
        for k in mass.indices where mass[k] > 0 {
            total += mass[k] * g(moment[k] / mass[k])
        }
        return total
    }

    /// The law of the sum of independent variables with this law and `other`.
    ///
    /// Pairs (i, j) of cells with means x_i, z_j: z_j ≤ δx_i goes into one deposit per i (all
    /// such j at once, with their total mass and moment), x_i ≤ δz_j likewise per j, the rest one
    /// deposit per pair; δ = h/8, so a lumped deposit spreads over an eighth of a cell.
    func convolved(with other: CellLaw, cells: CellGrid) -> CellLaw {
        let delta = cells.width / 8
        func points(_ law: CellLaw) -> (m: [Double], x: [Double], prefixMass: [Double], prefixMoment: [Double]) {
            var m: [Double] = [], x: [Double] = []
            for k in law.mass.indices where law.mass[k] > 0 {
                m.append(law.mass[k])
                x.append(law.moment[k] / law.mass[k])
            }
            var pm = [0.0], px = [0.0]
            for k in m.indices {
                pm.append(pm[k] + m[k])
                px.append(px[k] + m[k] * x[k])
            }
            return (m, x, pm, px)
        }
        let a = points(self), b = points(other)
        var mass = [Double](repeating: 0, count: cells.count)
        var moment = [Double](repeating: 0, count: cells.count)
        var overflow = 0.0
        func deposit(_ w: Double, _ first: Double, at s: Double) {
            // A product that underflowed carries nothing.
            guard w > 0 else { return }
            let k = cells.index(of: s)
            if k == cells.count { overflow += w; return }
            mass[k] += w
            moment[k] += first
        }
        /// The number of leading elements of the ascending `xs` with predicate true.
        func countWhere(_ xs: [Double], _ isBelow: (Double) -> Bool) -> Int {
            var lo = 0, hi = xs.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if isBelow(xs[mid]) { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        for i in a.m.indices {
            let (mi, xi) = (a.m[i], a.x[i])
            let small = countWhere(b.x) { $0 <= delta * xi }
            if small > 0 {
                let w = mi * b.prefixMass[small]
                let first = mi * (xi * b.prefixMass[small] + b.prefixMoment[small])
                deposit(w, first, at: first / w)
            }
            let end = countWhere(b.x) { !(xi <= delta * $0) }
            guard small < end else { continue }
            var k = cells.index(of: xi + b.x[small])
            for j in small..<end {
                let s = xi + b.x[j]
                while k < cells.count && s >= cells.edges[k + 1] { k += 1 }
                let w = mi * b.m[j]
                if k == cells.count { overflow += w; continue }
                mass[k] += w
                moment[k] += w * s
            }
        }
        for j in b.m.indices {
            let (mj, zj) = (b.m[j], b.x[j])
            let small = countWhere(a.x) { $0 <= delta * zj }
            guard small > 0 else { continue }
            let w = mj * a.prefixMass[small]
            let first = mj * (zj * a.prefixMass[small] + a.prefixMoment[small])
            deposit(w, first, at: first / w)
        }
        let inRangeA = a.prefixMass.last!, inRangeB = b.prefixMass.last!
        let above = above * (inRangeB + other.above) + inRangeA * other.above + overflow
        return CellLaw(mass: mass, moment: moment, above: above)
    }
}
