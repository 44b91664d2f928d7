#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A deterministic random stream for one (seed, trial, stream) triple, built on
/// ``Philox4x32``.
///
/// Layout (fixed; changing it changes every result):
/// - key   = (seed & 0xFFFF_FFFF, seed >> 32)
/// - counter word 0 = block index b = 0, 1, 2, … (advances every four 32-bit outputs)
/// - counter word 1 = stream (must be < 2^32; see ``StreamID/stream(index:)``)
/// - counter word 2 = trial & 0xFFFF_FFFF, counter word 3 = trial >> 32
///
/// Distinct (trial, stream) pairs therefore use disjoint counters, and a trial's
/// numbers depend only on (seed, trial, stream), never on the rank that draws them.
/// One stream yields at most 2^32 blocks (2^34 words); running past that traps.
/// Words of a block are consumed in order 0, 1, 2, 3; a 64-bit draw is
/// (first word) << 32 | (second word).
public struct RandomStream: Sendable, RandomNumberGenerator {
    public let seed: UInt64
    public let trial: UInt64
    public let stream: UInt64

    private let key: Philox4x32.Key
    private var blockIndex: UInt64 = 0
    private var buffer = Philox4x32.Counter(0, 0, 0, 0)
    private var position = 4
    private var spareNormal: Double? = nil

    public init(seed: UInt64, trial: UInt64, stream: UInt64) {
        precondition(stream <= UInt64(UInt32.max), "stream \(stream) must fit in 32 bits")
        self.seed = seed
        self.trial = trial
        self.stream = stream
        self.key = Philox4x32.Key(UInt32(truncatingIfNeeded: seed),
                                  UInt32(truncatingIfNeeded: seed >> 32))
    }

    /// A named stream, optionally with a sub-index (e.g. which student or layer).
    public init(seed: UInt64, trial: UInt64, stream id: StreamID, index: UInt64 = 0) {
        self.init(seed: seed, trial: trial, stream: id.stream(index: index))
    }

    // MARK: Raw words

    public mutating func nextUInt32() -> UInt32 {
        if position == 4 {
            precondition(blockIndex <= UInt64(UInt32.max),
                         "random stream exhausted (2^32 blocks) for trial \(trial), stream \(stream)")
            let counter = Philox4x32.Counter(UInt32(truncatingIfNeeded: blockIndex),
                                             UInt32(truncatingIfNeeded: stream),
                                             UInt32(truncatingIfNeeded: trial),
                                             UInt32(truncatingIfNeeded: trial >> 32))
            buffer = Philox4x32.block(counter: counter, key: key)
            blockIndex += 1
            position = 0
        }
        let word = buffer[position]
        position += 1
        return word
    }

    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }

    /// `RandomNumberGenerator` conformance, so the stream drives the standard library too.
    public mutating func next() -> UInt64 { nextUInt64() }

    // MARK: Uniform

    /// Uniform on the open interval (0, 1): k · 2^-53 with k uniform on 1 ..< 2^53
    /// (k = 0 is redrawn), so logarithms and quantiles of the result are always finite.
    public mutating func uniform() -> Double {
        while true {
            let k = nextUInt64() >> 11
            if k != 0 { return Double(k) * 0x1p-53 }
        }
    }

    /// Uniform on the given range (endpoints possible only through rounding).
    public mutating func uniform(in range: ClosedRange<Double>) -> Double {
        precondition(range.lowerBound.isFinite && range.upperBound.isFinite,
                     "uniform(in:) needs a finite range, got \(range)")
        let u = uniform()
        return range.lowerBound + (range.upperBound - range.lowerBound) * u
    }

    /// +1 or −1 with equal probability.
    public mutating func randomSign() -> Double {
        nextUInt32() & 0x8000_0000 == 0 ? 1 : -1
    }

    /// Uniform integer in 0 ..< bound, without modulo bias (Lemire's multiply-and-reject).
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0, "integer(below:) needs a positive bound, got \(bound)")
        let n = UInt64(bound)
        var product = nextUInt64().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold {
                product = nextUInt64().multipliedFullWidth(by: n)
            }
        }
        return Int(product.high)
    }

    /// `count` distinct indices from 0 ..< population, in random order (a partial
    /// Fisher–Yates shuffle on a sparse table: memory O(count), not O(population)).
    /// Every prefix of the result is itself a uniform sample without replacement.
    public mutating func sampleWithoutReplacement(count: Int, from population: Int) -> [Int] {
        precondition(count >= 0 && count <= population,
                     "cannot draw \(count) distinct indices from \(population)")
        var moved: [Int: Int] = [:]
        var result: [Int] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            let j = i + integer(below: population - i)
            let atJ = moved[j] ?? j
            let atI = moved[i] ?? i
            moved[j] = atI
            result.append(atJ)
        }
        return result
    }

    // MARK: Continuous distributions

    /// Standard normal by Box–Muller; the second value of each pair is kept for the next call.
    public mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let radius = (-2 * log(uniform())).squareRoot()
        let angle = 2 * Double.pi * uniform()
        spareNormal = radius * sin(angle)
        return radius * cos(angle)
    }

    public mutating func fillNormals(_ buffer: inout [Double]) {
        for i in buffer.indices { buffer[i] = normal() }
    }

    public mutating func normals(count: Int) -> [Double] {
        precondition(count >= 0, "normals(count:) needs count ≥ 0, got \(count)")
        var values = [Double](repeating: 0, count: count)
        fillNormals(&values)
        return values
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 via Gamma(shape + 1) · U^{1/shape}.
    public mutating func gamma(shape: Double) -> Double {
        exp(logGamma(shape: shape))
    }

    /// Logarithm of a Gamma(shape, 1) variate; stays finite for tiny shapes where the
    /// variate itself underflows (used by ``beta(_:_:)``).
    mutating func logGamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "gamma shape must be positive and finite, got \(shape)")
        if shape < 1 {
            let boosted = logGamma(shape: shape + 1)
            return boosted + log(uniform()) / shape
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return log(d) + log(v) }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return log(d) + log(v) }
        }
    }

    /// Chi-square with ν degrees of freedom: 2 · Gamma(ν/2).
    public mutating func chiSquare(degreesOfFreedom nu: Double) -> Double {
        precondition(nu > 0 && nu.isFinite, "chi-square degrees of freedom must be positive, got \(nu)")
        return 2 * gamma(shape: nu / 2)
    }

    /// Beta(a, b) as X / (X + Y) with independent Gamma variates, formed in logs so that
    /// small shapes do not give 0/0.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        precondition(a > 0 && b > 0 && a.isFinite && b.isFinite,
                     "beta shapes must be positive and finite, got (\(a), \(b))")
        let logX = logGamma(shape: a)
        let logY = logGamma(shape: b)
        // X/(X+Y) = 1/(1 + exp(logY − logX)).
        return 1 / (1 + exp(logY - logX))
    }

    /// Uniform point on the unit sphere S^{d−1} ⊂ R^d (normalised Gaussian vector).
    public mutating func unitVector(dimension: Int) -> [Double] {
        precondition(dimension >= 1, "unitVector needs dimension ≥ 1, got \(dimension)")
        while true {
            var v = normals(count: dimension)
            // Scale first so that the sum of squares cannot overflow or underflow.
            let largest = v.reduce(0) { max($0, abs($1)) }
            guard largest > 0 else { continue }
            var sum = 0.0
            for x in v { let s = x / largest; sum += s * s }
            let norm = largest * sum.squareRoot()
            for i in v.indices { v[i] /= norm }
            return v
        }
    }
}
