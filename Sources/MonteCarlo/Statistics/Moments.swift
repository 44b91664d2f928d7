/// Count, mean and sum of squared deviations (M2) of one curve point.
///
/// NaN policy: a NaN value means "not applicable or failed" for that point in that trial. It is
/// not added to the moments; it is counted in `missing`, so the report can say how many trials
/// a point lost. Infinite values are kept as values: they make the mean infinite and M2 NaN, so
/// a diverging quantity is visible instead of silently dropped.
public struct Moments: Sendable, Hashable {
    /// Number of finite-or-infinite (non-NaN) values added.
    public private(set) var count: Int
    /// Number of NaN values seen (not part of `count`).
    public private(set) var missing: Int
    public private(set) var mean: Double
    /// Σ (x − mean)², kept instead of the variance so that merges stay exact in form.
    public private(set) var m2: Double

    public init() {
        count = 0
        missing = 0
        mean = 0
        m2 = 0
    }

    /// Rebuilds moments from stored fields (checkpoints, wire format).
    public init(count: Int, missing: Int, mean: Double, m2: Double) {
        precondition(count >= 0 && missing >= 0, "Moments: negative count")
        self.count = count
        self.missing = missing
        self.mean = mean
        self.m2 = m2
    }

    /// Welford's update; values are added in trial order so a block's result is reproducible.
    public mutating func add(_ x: Double) {
        if x.isNaN {
            missing += 1
            return
        }
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
    }

    /// Chan et al.'s pairwise merge. Not commutative in floating point, which is why the engine
    /// always merges in block order.
    public static func merged(_ a: Moments, _ b: Moments) -> Moments {
        let missing = a.missing + b.missing
        if b.count == 0 { return Moments(count: a.count, missing: missing, mean: a.mean, m2: a.m2) }
        if a.count == 0 { return Moments(count: b.count, missing: missing, mean: b.mean, m2: b.m2) }
        let n = a.count + b.count
        let na = Double(a.count), nb = Double(b.count), nn = Double(n)
        let delta = b.mean - a.mean
        let mean = a.mean + delta * (nb / nn)
        let m2 = a.m2 + b.m2 + delta * delta * (na * nb / nn)
        return Moments(count: n, missing: missing, mean: mean, m2: m2)
    }

    public mutating func merge(_ other: Moments) {
        self = Moments.merged(self, other)
    }

    /// Unbiased sample variance; NaN with fewer than two values.
    public var variance: Double {
        // Rounding can leave M2 a hair below zero for constant data; NaN stays NaN.
        count < 2 ? .nan : (m2 < 0 ? 0 : m2) / Double(count - 1)
    }

    /// Per-draw spread (sample standard deviation); NaN with fewer than two values.
    public var standardDeviation: Double { variance.squareRoot() }

    /// Standard error of the mean, sd/√n.
    public var standardError: Double { standardDeviation / Double(count).squareRoot() }
}

extension Moments {
    /// Equal when every field has the same bits: the engine promises bit-identical results, and
    /// this makes NaN moments equal to themselves (so checkpoints and messages compare whole).
    public static func == (a: Moments, b: Moments) -> Bool {
        a.count == b.count && a.missing == b.missing
            && a.mean.bitPattern == b.mean.bitPattern && a.m2.bitPattern == b.m2.bitPattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(missing)
        hasher.combine(mean.bitPattern)
        hasher.combine(m2.bitPattern)
    }
}
