#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The 256-layer ziggurat of Marsaglia and Tsang, "The ziggurat method for generating random
/// variables" (J. Stat. Softw. 5, 2000), for the standard normal, in the 64-bit form (one
/// 64-bit word per attempt: 8 bits choose the layer, 1 the sign, 52 the abscissa, no bit used
/// twice), as in NumPy's `standard_normal`.
///
/// With f(x) = exp(−x²/2), the layers are 256 regions of equal area V under f on x ≥ 0:
/// layer 0 is the base [0, V/f(R)] × [0, f(R)] (its part past R is the tail), layer i ≥ 1 the
/// rectangle [0, e_{i−1}] × [f(e_{i−1}), f(e_i)] with e_0 = R > e_1 > … > e_255 = 0 and
/// e_{i−1}(f(e_i) − f(e_{i−1})) = V. A uniform point of the union is drawn (a layer, then an
/// abscissa); it is accepted at once when it lies left of the next edge (≈ 98.8 % of
/// attempts), otherwise by comparing f with a uniform ordinate (the wedge) or, in layer 0
/// past R, by Marsaglia's exact tail sampler. The result has exactly the normal law up to the
/// 2^−52 grid of the abscissa.
struct NormalZiggurat: @unchecked Sendable {
    /// One layer: the abscissa scale (right edge / 2^52), the integer threshold below which the
    /// point is inside the curve, and f at the layer's bottom and top edges.
    struct Layer {
        var scale: Double
        var inner: UInt64
        var fBottom: Double
        var fTop: Double
    }

    /// R for 256 layers (Marsaglia and Tsang's value, as in NumPy).
    static let tailStart = 3.6541528853610087963519472518

    /// 256 layers, allocated once for the process (never freed: read on every draw).
    let layers: UnsafePointer<Layer>

    static let shared = NormalZiggurat()

    private init() {
        let r = Self.tailStart
        func f(_ x: Double) -> Double { exp(-0.5 * x * x) }
        // Area of each layer: the base rectangle up to R plus the tail ∫_R^∞ f.
        let v = r * f(r) + (Double.pi / 2).squareRoot() * erfc(r / 2.squareRoot())
        var edges = [Double](repeating: 0, count: 256)
        edges[0] = r
        for i in 1..<255 {
            let previous = edges[i - 1]
            edges[i] = (-2 * log(v / previous + f(previous))).squareRoot()
        }
        edges[255] = 0
        let table = UnsafeMutablePointer<Layer>.allocate(capacity: 256)
        let scale = 0x1p-52
        let base = v / f(r)
        table[0] = Layer(scale: base * scale, inner: UInt64(r / base * 0x1p52),
                         fBottom: 0, fTop: f(r))
        for i in 1..<256 {
            let outer = edges[i - 1], inner = edges[i]
            table[i] = Layer(scale: outer * scale, inner: UInt64(inner / outer * 0x1p52),
                             fBottom: f(outer), fTop: i == 255 ? 1 : f(inner))
        }
        layers = UnsafePointer(table)
    }

    /// The normal for one 64-bit word when its point is inside the curve; nil otherwise (then
    /// ``RandomStream/normalAfterRejection(word:)`` finishes the draw).
    @inline(__always)
    func accepted(_ word: UInt64) -> Double? {
        let layer = layers[Int(word & 0xFF)]
        let abscissa = word >> 12
        guard abscissa < layer.inner else { return nil }
        let x = Double(abscissa) * layer.scale
        return word & 0x100 == 0 ? x : -x
    }
}

extension RandomStream {
    /// The rest of a ziggurat draw whose first word fell outside the inner part of its layer:
    /// the wedge test or the tail, then fresh words until a point is accepted.
    @inline(never)
    mutating func normalAfterRejection(word first: UInt64) -> Double {
        let zig = NormalZiggurat.shared
        var word = first
        while true {
            if let x = zig.accepted(word) { return x }
            let index = Int(word & 0xFF)
            let layer = zig.layers[index]
            let negative = word & 0x100 != 0
            let x = Double(word >> 12) * layer.scale
            if index == 0 {
                let tail = normalTail()
                return negative ? -tail : tail
            }
            let y = layer.fBottom + uniform() * (layer.fTop - layer.fBottom)
            if y < exp(-0.5 * x * x) { return negative ? -x : x }
            word = nextUInt64()
        }
    }

    /// A normal conditioned on X > R (Marsaglia 1964): R + E/R with E exponential, accepted
    /// when 2·E' > (E/R)² for a second exponential E'. Exact; accepts with probability ≈ 0.93.
    mutating func normalTail() -> Double {
        let r = NormalZiggurat.tailStart
        while true {
            let excess = -log(uniform()) / r
            let y = -log(uniform())
            if 2 * y > excess * excess { return r + excess }
        }
    }
}
