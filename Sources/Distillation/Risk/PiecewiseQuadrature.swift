#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import Numerics

/// Piecewise integration for the risk and bound formulas, whose
/// integrands are smooth on pieces but peaked (width ~ 1/√d) or with kinks at known points.
/// Callers split at the kinks and at the scale of the peak; each piece goes to
/// ``Quadrature/integrate(_:from:to:relativeTolerance:absoluteTolerance:breakpoints:maxIntervals:)``.
enum PiecewiseQuadrature {
    /// log cos φ to full relative precision near φ = 0 (log of a rounded cos loses it, and the
    /// weights raise it to powers ~ d).
    static func logCos(_ phi: Double) -> Double {
        let s = sin(phi)
        return 0.5 * log1p(-s * s)
    }

    /// log sin φ to full relative precision near φ = π/2.
    static func logSin(_ phi: Double) -> Double {
        let c = cos(phi)
        return 0.5 * log1p(-c * c)
    }

    /// ∫_a^b f over consecutive pieces `points` (sorted, first = a, last = b), each integrated
    /// by the numerics layer's adaptive Gauss–Kronrod to an absolute error of about
    /// `absoluteTolerance` / (number of pieces), or 1e-13 relative to the piece (the rounding
    /// level, which a fixed absolute target could otherwise chase forever).
    static func integrate(_ f: (Double) -> Double, over points: [Double],
                          absoluteTolerance: Double = 1e-14) -> Double {
        precondition(points.count >= 2, "integration needs at least one piece")
        let pieceTolerance = absoluteTolerance / Double(points.count - 1)
        var total = 0.0
        for k in 0..<(points.count - 1) where points[k + 1] > points[k] {
            total += Quadrature.integrate(f, from: points[k], to: points[k + 1],
                                          relativeTolerance: 1e-13,
                                          absoluteTolerance: pieceTolerance, maxIntervals: 400)
        }
        return total
    }

    /// Points a, a + h, …, b splitting [a, b] into `count` equal pieces, merged with the
    /// extra break points that fall strictly inside.
    static func breakPoints(from a: Double, to b: Double, pieces count: Int,
                            extra: [Double] = []) -> [Double] {
        var points = (0...count).map { a + (b - a) * Double($0) / Double(count) }
        points[count] = b
        points += extra.filter { $0 > a && $0 < b && $0.isFinite }
        return points.sorted()
    }
}
