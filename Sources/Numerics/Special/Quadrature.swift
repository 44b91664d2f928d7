#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One-dimensional quadrature for the exact risk formulas (e.g. R(γ) over the density
/// ∝ (1 − v²)^{(d−4)/2}, which is a spike of width ~1/√d at large d).
public enum Quadrature {
    /// Gauss–Legendre rule with `nodes` points on [−1, 1] (ascending), exact for
    /// polynomials of degree 2·nodes − 1. Nodes by Newton's method on the three-term
    /// recurrence of P_n, weights 2 / ((1 − x²) P_n'(x)²).
    public static func gaussLegendre(nodes count: Int) -> (nodes: [Double], weights: [Double]) {
        precondition(count >= 1, "Gauss–Legendre needs at least one node, got \(count)")
        var nodes = [Double](repeating: 0, count: count)
        var weights = [Double](repeating: 0, count: count)
        let n = Double(count)
        /// (P_n(z), P_n'(z)).
        func legendre(_ z: Double) -> (value: Double, derivative: Double) {
            var p1 = 1.0, p2 = 0.0
            for j in 1...count {
                let p3 = p2
                p2 = p1
                let jd = Double(j)
                p1 = ((2 * jd - 1) * z * p2 - (jd - 1) * p3) / jd
            }
            return (p1, n * (z * p1 - p2) / ((z - 1) * (z + 1)))
        }
        for i in 0..<(count + 1) / 2 {
            var z = cos(Double.pi * (Double(i) + 0.75) / (n + 0.5))
            for _ in 0..<100 {
                let (value, derivative) = legendre(z)
                let step = value / derivative
                z -= step
                if abs(step) <= 1e-17 { break }
            }
            if count % 2 == 1 && i == count / 2 { z = 0 }
            let derivative = legendre(z).derivative
            let weight = 2 / ((1 - z) * (1 + z) * derivative * derivative)
            nodes[i] = -z
            nodes[count - 1 - i] = z
            weights[i] = weight
            weights[count - 1 - i] = weight
        }
        return (nodes, weights)
    }

    // Gauss–Kronrod 7–15 (QUADPACK qk15): Kronrod nodes, Kronrod weights, Gauss weights
    // (the Gauss nodes are the odd-indexed Kronrod nodes). Positive half, centre last.
    static let kronrodNodes: [Double] = [
        0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.0,
    ]
    static let kronrodWeights: [Double] = [
        0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
    ]
    static let gaussWeights: [Double] = [
        0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
        0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
    ]

    /// Kronrod estimate and |Kronrod − Gauss| on [a, b].
    static func kronrod15(_ f: (Double) -> Double, _ a: Double, _ b: Double) -> (value: Double, error: Double) {
        let centre = 0.5 * (a + b), half = 0.5 * (b - a)
        let fc = f(centre)
        var kronrod = fc * kronrodWeights[7]
        var gauss = fc * gaussWeights[3]
        for j in 0..<7 {
            let dx = half * kronrodNodes[j]
            let pair = f(centre - dx) + f(centre + dx)
            kronrod += kronrodWeights[j] * pair
            if j % 2 == 1 { gauss += gaussWeights[j / 2] * pair }
        }
        return (kronrod * half, abs((kronrod - gauss) * half))
    }

    /// ∫_a^b f by globally adaptive Gauss–Kronrod 7–15: the interval with the largest error
    /// estimate is bisected until the summed estimate is below
    /// max(absoluteTolerance, relativeTolerance·|∫|), or `maxIntervals` is reached.
    ///
    /// `breakpoints` are points inside (a, b) where f has a spike or a kink. Pass them for
    /// peaked integrands: the subdivision then starts from a mesh graded geometrically
    /// toward each one, so a narrow peak cannot fall between the nodes (a spike that no node
    /// sees has error estimate 0 and would be missed: no quadrature can detect it).
    /// The error estimate |K15 − G7| is conservative. Endpoints are never evaluated, so
    /// integrable endpoint singularities are allowed. Limits must be finite.
    public static func integrateWithErrorEstimate(
        _ f: (Double) -> Double, from a: Double, to b: Double,
        relativeTolerance: Double = 1e-12, absoluteTolerance: Double = 0,
        breakpoints: [Double] = [], maxIntervals: Int = 4000
    ) -> (value: Double, errorEstimate: Double) {
        precondition(a.isFinite && b.isFinite, "integration limits must be finite, got [\(a), \(b)]")
        precondition(relativeTolerance >= 0 && absoluteTolerance >= 0,
                     "tolerances must be non-negative")
        if a == b { return (0, 0) }
        if b < a {
            let r = integrateWithErrorEstimate(f, from: b, to: a, relativeTolerance: relativeTolerance,
                                               absoluteTolerance: absoluteTolerance,
                                               breakpoints: breakpoints, maxIntervals: maxIntervals)
            return (-r.value, r.errorEstimate)
        }
        // Around each breakpoint c, cuts at c ± (b − a)·2^-k, k = 1…40: a graded mesh, so a
        // spike of any width down to ~1e-12·(b − a) centred at c meets some nodes.
        var cutSet = Set([a, b])
        for c in breakpoints where c > a && c < b {
            cutSet.insert(c)
            var h = (b - a) / 2
            for _ in 0..<40 {
                if c - h > a { cutSet.insert(c - h) }
                if c + h < b { cutSet.insert(c + h) }
                h /= 2
            }
        }
        let cuts = cutSet.sorted()
        var intervals: [(a: Double, b: Double, value: Double, error: Double)] = []
        for i in 0..<(cuts.count - 1) where cuts[i] < cuts[i + 1] {
            let r = kronrod15(f, cuts[i], cuts[i + 1])
            intervals.append((cuts[i], cuts[i + 1], r.value, r.error))
        }
        // Below this width relative to the midpoint, bisection only adds rounding noise.
        let minimumWidth = 64 * Double.ulpOfOne
        while intervals.count < maxIntervals {
            var total = 0.0, totalError = 0.0
            var worst = -1
            for (index, interval) in intervals.enumerated() {
                total += interval.value
                totalError += interval.error
                let width = interval.b - interval.a
                let scale = max(abs(interval.a), abs(interval.b), Double.leastNormalMagnitude)
                if width > minimumWidth * scale && (worst < 0 || interval.error > intervals[worst].error) {
                    worst = index
                }
            }
            if totalError <= max(absoluteTolerance, relativeTolerance * abs(total)) { break }
            guard worst >= 0, intervals[worst].error > 0 else { break }
            let w = intervals[worst]
            let mid = 0.5 * (w.a + w.b)
            let left = kronrod15(f, w.a, mid), right = kronrod15(f, mid, w.b)
            intervals[worst] = (w.a, mid, left.value, left.error)
            intervals.append((mid, w.b, right.value, right.error))
        }
        // Sum small to large, for a little less rounding.
        let sorted = intervals.sorted { abs($0.value) < abs($1.value) }
        let value = sorted.reduce(0) { $0 + $1.value }
        let error = intervals.reduce(0) { $0 + $1.error }
        return (value, error)
    }

    /// ∫_a^b f; see ``integrateWithErrorEstimate(_:from:to:relativeTolerance:absoluteTolerance:breakpoints:maxIntervals:)``.
    public static func integrate(
        _ f: (Double) -> Double, from a: Double, to b: Double,
        relativeTolerance: Double = 1e-12, absoluteTolerance: Double = 0,
        breakpoints: [Double] = [], maxIntervals: Int = 4000
    ) -> Double {
        integrateWithErrorEstimate(f, from: a, to: b, relativeTolerance: relativeTolerance,
                                   absoluteTolerance: absoluteTolerance, breakpoints: breakpoints,
                                   maxIntervals: maxIntervals).value
    }
}
