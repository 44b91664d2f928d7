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
/// Words of a block are consumed in order 0, 1, 2, 3, every one of them; a 64-bit draw is
/// (first word) << 32 | (second word). ``version`` names this layout together with the
/// algorithms that turn words into variates.
public struct RandomStream: Sendable, RandomNumberGenerator {
    public let seed: UInt64
    public let trial: UInt64
    public let stream: UInt64

    /// The version of the map from (seed, trial, stream) to draws: the Philox layout above and
    /// the algorithms that turn words into variates. A change to either changes every result,
    /// so it is part of a run's identity (checkpoints, summary.json).
    /// - 1: normals by Box–Muller (two uniforms, log, sin and cos per pair).
    /// - 2: normals by the 64-bit ziggurat (``NormalZiggurat``), one 64-bit word per attempt;
    ///   Gamma(k ≥ 1) by Marsaglia–Tsang returns d·v without a log and an exp.
    public static let version = 2

    private let key0: UInt32
    private let key1: UInt32
    private var blockIndex: UInt64 = 0
    /// The current block as two 64-bit draws: words 0 and 1, then words 2 and 3.
    private var firstPair: UInt64 = 0
    private var secondPair: UInt64 = 0
    /// Words of the current block already used, 0 … 4.
    private var position = 4

    public init(seed: UInt64, trial: UInt64, stream: UInt64) {
        precondition(stream <= UInt64(UInt32.max), "stream \(stream) must fit in 32 bits")
        self.seed = seed
        self.trial = trial
        self.stream = stream
        self.key0 = UInt32(truncatingIfNeeded: seed)
        self.key1 = UInt32(truncatingIfNeeded: seed >> 32)
    }

    /// A named stream, optionally with a sub-index (e.g. which student or layer).
    public init(seed: UInt64, trial: UInt64, stream id: StreamID, index: UInt64 = 0) {
        self.init(seed: seed, trial: trial, stream: id.stream(index: index))
    }

    // MARK: Raw words

    /// Computes the next Philox block into the pair registers and resets the position.
    @inline(__always)
    private mutating func refill() {
        precondition(blockIndex <= UInt64(UInt32.max),
                     "random stream exhausted (2^32 blocks) for trial \(trial), stream \(stream)")
        let block = Philox4x32.block(UInt32(truncatingIfNeeded: blockIndex),
                                     UInt32(truncatingIfNeeded: stream),
                                     UInt32(truncatingIfNeeded: trial),
                                     UInt32(truncatingIfNeeded: trial >> 32),
                                     key: key0, key1)
        firstPair = UInt64(block.0) << 32 | UInt64(block.1)
        secondPair = UInt64(block.2) << 32 | UInt64(block.3)
        blockIndex += 1
        position = 0
    }

    public mutating func nextUInt32() -> UInt32 {
        if position == 4 { refill() }
        let pair = position < 2 ? firstPair : secondPair
        let word = position & 1 == 0 ? UInt32(truncatingIfNeeded: pair >> 32) : UInt32(truncatingIfNeeded: pair)
        position += 1
        return word
    }

    /// (next word) << 32 | (the word after it); two words of one block in the usual case.
    @inline(__always)
    public mutating func nextUInt64() -> UInt64 {
        switch position {
        case 0:
            position = 2
            return firstPair
        case 2:
            position = 4
            return secondPair
        case 4:
            refill()
            position = 2
            return firstPair
        default:
            let high = UInt64(nextUInt32())
            return high << 32 | UInt64(nextUInt32())
        }
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

    /// Standard normal by the ziggurat (``NormalZiggurat``): one 64-bit word per attempt, and
    /// about 1.2 % of attempts need more words (a wedge or tail test, or a retry).
    @inline(__always)
    public mutating func normal() -> Double {
        let word = nextUInt64()
        if let x = NormalZiggurat.shared.accepted(word) { return x }
        return normalAfterRejection(word: word)
    }

    /// `count` normals into consecutive memory, the same values as `count` calls of
    /// ``normal()``; the batch keeps the layer table and the block in registers.
    public mutating func fillNormals(_ start: UnsafeMutablePointer<Double>, count: Int) {
        precondition(count >= 0, "fillNormals needs count ≥ 0, got \(count)")
        let zig = NormalZiggurat.shared
        var i = 0
        while i < count {
            // At a block boundary with at least 8 draws to go: four blocks in one vectorised
            // Philox call, 8 words, used in the stream's order.
            if position == 4 && count - i >= 8 && blockIndex + 3 <= UInt64(UInt32.max) {
                let (w0, w1, w2, w3) = Philox4x32.fourBlocks(
                    from: UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: stream),
                    UInt32(truncatingIfNeeded: trial), UInt32(truncatingIfNeeded: trial >> 32), key: key0, key1)
                let firsts = SIMD4<UInt64>(truncatingIfNeeded: w0) &<< 32 | SIMD4<UInt64>(truncatingIfNeeded: w1)
                let seconds = SIMD4<UInt64>(truncatingIfNeeded: w2) &<< 32 | SIMD4<UInt64>(truncatingIfNeeded: w3)
                // Stream order: block q's first pair, then its second.
                let words = (firsts[0], seconds[0], firsts[1], seconds[1], firsts[2], seconds[2], firsts[3], seconds[3])
                var rejected = -1
                withUnsafeBytes(of: words) { raw in
                    let word = raw.bindMemory(to: UInt64.self)
                    for j in 0..<8 {
                        if let x = zig.accepted(word[j]) {
                            start[i + j] = x
                        } else {
                            rejected = j
                            break
                        }
                    }
                }
                if rejected < 0 {
                    blockIndex += 4
                    i += 8
                    continue
                }
                // Hand the rest of the rejected word's block back to the stream (later blocks
                // are recomputed when reached) and finish that draw on the scalar path.
                let q = rejected >> 1
                blockIndex += UInt64(q + 1)
                firstPair = firsts[q]
                secondPair = seconds[q]
                position = rejected & 1 == 0 ? 2 : 4
                i += rejected
                start[i] = normalAfterRejection(word: rejected & 1 == 0 ? firstPair : secondPair)
                i += 1
                continue
            }
            let word = nextUInt64()
            if let x = zig.accepted(word) {
                start[i] = x
            } else {
                start[i] = normalAfterRejection(word: word)
            }
            i += 1
        }
    }

    public mutating func fillNormals(_ buffer: inout [Double]) {
        let count = buffer.count
        buffer.withUnsafeMutableBufferPointer { fillNormals($0.baseAddress!, count: count) }
    }

    public mutating func normals(count: Int) -> [Double] {
        precondition(count >= 0, "normals(count:) needs count ≥ 0, got \(count)")
        return [Double](unsafeUninitializedCapacity: count) { values, initialized in
            if count > 0 { fillNormals(values.baseAddress!, count: count) }
            initialized = count
        }
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 via Gamma(shape + 1) · U^{1/shape}.
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "gamma shape must be positive and finite, got \(shape)")
        if shape < 1 { return exp(logGamma(shape: shape)) }
        let d = shape - 1.0 / 3.0
        return d * marsagliaTsangCube(d: d, c: 1 / (9 * d).squareRoot())
    }

    /// v of Marsaglia and Tsang's method for Gamma(d + 1/3), d ≥ 2/3: the variate is d·v.
    /// `c` = 1/√(9d). Draws a normal and a uniform per attempt (accepts with probability ≥ 0.95).
    @inline(__always)
    mutating func marsagliaTsangCube(d: Double, c: Double) -> Double {
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
            if u < 1 - 0.0331 * x2 * x2 { return v }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return v }
        }
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
        return log(d) + log(marsagliaTsangCube(d: d, c: 1 / (9 * d).squareRoot()))
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
