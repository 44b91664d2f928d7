/// Count, mean vector and co-moment matrix C = Σ (x − mean)(x − mean)ᵀ of a group of curve
/// points (e.g. one student's risk at every n), over the trials in which every point of the
/// group has a value (complete cases: a trial with NaN anywhere in the group is skipped and
/// counted in `skipped`).
///
/// The points of one curve come from the same trials on nested prefixes, so they are
/// correlated; their covariance is what a fit across n needs (`DecayFitter` in Report). Kept
/// like `Moments`: Welford updates in trial order within a block, Chan's formula between
/// blocks in block order, so the result has the same bits for any rank count and across a
/// resume.
public struct CoMoments: Sendable, Hashable {
    /// The trial-vector positions of the group, in order.
    public let points: [Int]
    public private(set) var count: Int
    public private(set) var skipped: Int
    public private(set) var mean: [Double]
    /// Upper triangle of C, row by row: (0,0), (0,1), …, (0,k−1), (1,1), …
    public private(set) var comoments: [Double]

    public init(points: [Int]) {
        self.points = points
        count = 0
        skipped = 0
        mean = Array(repeating: 0, count: points.count)
        comoments = Array(repeating: 0, count: points.count * (points.count + 1) / 2)
    }

    /// Rebuilds stored state (checkpoints, wire format).
    public init(points: [Int], count: Int, skipped: Int, mean: [Double], comoments: [Double]) {
        let k = points.count
        precondition(count >= 0 && skipped >= 0, "CoMoments: negative count")
        precondition(mean.count == k && comoments.count == k * (k + 1) / 2, "CoMoments: sizes do not match the group")
        self.points = points
        self.count = count
        self.skipped = skipped
        self.mean = mean
        self.comoments = comoments
    }

    public var size: Int { points.count }

    /// Position of (i, j), i ≤ j, in `comoments`.
    @inline(__always) func slot(_ i: Int, _ j: Int) -> Int {
        i * size - i * (i - 1) / 2 + (j - i)
    }

    /// Adds one trial's whole vector; the group picks its own points.
    public mutating func add(trial values: [Double]) {
        for p in points where values[p].isNaN {
            skipped += 1
            return
        }
        count += 1
        let k = size
        var delta = [Double](repeating: 0, count: k)
        for i in 0..<k {
            delta[i] = values[points[i]] - mean[i]
            mean[i] += delta[i] / Double(count)
        }
        // C += δ (x − mean_new)ᵀ, which is symmetric in exact arithmetic; the upper triangle
        // is what is kept.
        for i in 0..<k {
            for j in i..<k { comoments[slot(i, j)] += delta[i] * (values[points[j]] - mean[j]) }
        }
    }

    /// Chan et al.'s merge: C = C_a + C_b + δδᵀ n_a n_b / n. Not commutative in floating point,
    /// which is why blocks are always merged in block order.
    public static func merged(_ a: CoMoments, _ b: CoMoments) -> CoMoments {
        precondition(a.points == b.points, "CoMoments: merging different groups")
        let skipped = a.skipped + b.skipped
        if b.count == 0 { return CoMoments(points: a.points, count: a.count, skipped: skipped, mean: a.mean, comoments: a.comoments) }
        if a.count == 0 { return CoMoments(points: b.points, count: b.count, skipped: skipped, mean: b.mean, comoments: b.comoments) }
        let n = a.count + b.count
        let na = Double(a.count), nb = Double(b.count), nn = Double(n)
        let k = a.size
        let delta = (0..<k).map { b.mean[$0] - a.mean[$0] }
        let mean = (0..<k).map { a.mean[$0] + delta[$0] * (nb / nn) }
        var c = a.comoments
        let factor = na * nb / nn
        for i in 0..<k {
            for j in i..<k {
                let s = a.slot(i, j)
                c[s] = a.comoments[s] + b.comoments[s] + delta[i] * delta[j] * factor
            }
        }
        return CoMoments(points: a.points, count: n, skipped: skipped, mean: mean, comoments: c)
    }

    public mutating func merge(_ other: CoMoments) {
        self = CoMoments.merged(self, other)
    }

    /// The sample covariance of the draws (C/(N − 1)), k×k row-major; nil with fewer than two.
    public var covariance: [Double]? {
        guard count >= 2 else { return nil }
        let k = size
        var out = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in i..<k {
                let v = comoments[slot(i, j)] / Double(count - 1)
                out[i * k + j] = v
                out[j * k + i] = v
            }
        }
        return out
    }

    /// The covariance of the means (covariance / N), k×k row-major.
    public var covarianceOfMeans: [Double]? {
        covariance.map { c in c.map { $0 / Double(count) } }
    }
}

extension CoMoments {
    /// Equal when every field has the same bits (as `Moments`).
    public static func == (a: CoMoments, b: CoMoments) -> Bool {
        a.points == b.points && a.count == b.count && a.skipped == b.skipped
            && a.mean.map(\.bitPattern) == b.mean.map(\.bitPattern)
            && a.comoments.map(\.bitPattern) == b.comoments.map(\.bitPattern)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(points)
        hasher.combine(count)
        hasher.combine(skipped)
        for x in mean { hasher.combine(x.bitPattern) }
        for x in comoments { hasher.combine(x.bitPattern) }
    }
}
