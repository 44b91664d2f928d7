#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Adaptive Gauss–Kronrod (7/15) integration for the risk and bound formulas, whose
/// integrands are smooth on pieces but peaked (width ~ 1/√d) or with kinks at known points.
/// Callers split at the kinks and peaks; this routine bisects until the local error estimate
/// meets the tolerance.
enum AdaptiveQuadrature {
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

    private static let kronrodNodes: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.0,
    ]
    private static let kronrodWeights: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ]
    /// Weights of the embedded 7-point Gauss rule (nodes 1, 3, 5, 7 above).
    private static let gaussWeights: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ]

    /// ∫_a^b f over consecutive pieces `points` (sorted, first = a, last = b), each integrated
    /// adaptively to an absolute error of about `absoluteTolerance` / (number of pieces).
    static func integrate(_ f: (Double) -> Double, over points: [Double],
                          absoluteTolerance: Double = 1e-14, maxDepth: Int = 30) -> Double {
        precondition(points.count >= 2, "integration needs at least one piece")
        let pieceTolerance = absoluteTolerance / Double(points.count - 1)
        var total = 0.0
        for k in 0..<(points.count - 1) where points[k + 1] > points[k] {
            total += adaptive(f, points[k], points[k + 1], pieceTolerance, maxDepth)
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

    /// Bisection until each piece meets its share of the tolerance, or its error is at the
    /// rounding level of its own magnitude, or the budget of `maxDepth` halvings or 4000
    /// evaluations of the rule is spent (then the best estimate is returned).
    private static func adaptive(_ f: (Double) -> Double, _ a: Double, _ b: Double,
                                 _ tolerance: Double, _ maxDepth: Int) -> Double {
        var stack: [(a: Double, b: Double, tolerance: Double, depth: Int)] = [(a, b, tolerance, 0)]
        var total = 0.0, budget = 4000
        while let piece = stack.popLast() {
            let (kronrod, gauss, magnitude) = rule(f, piece.a, piece.b)
            budget -= 1
            let error = abs(kronrod - gauss)
            let mid = 0.5 * (piece.a + piece.b)
            if error <= piece.tolerance || error <= 1e-14 * magnitude || !error.isFinite
                || piece.depth >= maxDepth || budget <= 0 || mid <= piece.a || mid >= piece.b {
                total += kronrod
                continue
            }
            stack.append((piece.a, mid, 0.5 * piece.tolerance, piece.depth + 1))
            stack.append((mid, piece.b, 0.5 * piece.tolerance, piece.depth + 1))
        }
        return total
    }

    private static func rule(_ f: (Double) -> Double, _ a: Double, _ b: Double)
        -> (kronrod: Double, gauss: Double, magnitude: Double)
    {
        let center = 0.5 * (a + b), half = 0.5 * (b - a)
        let fc = f(center)
        var kronrod = kronrodWeights[7] * fc
        var gauss = gaussWeights[3] * fc
        var magnitude = kronrodWeights[7] * abs(fc)
        for j in 0..<7 {
            let dx = half * kronrodNodes[j]
            let (left, right) = (f(center - dx), f(center + dx))
            let sum = left + right
            kronrod += kronrodWeights[j] * sum
            magnitude += kronrodWeights[j] * (abs(left) + abs(right))
            if j % 2 == 1 { gauss += gaussWeights[j / 2] * sum }
        }
        return (kronrod * half, gauss * half, magnitude * abs(half))
    }
}
