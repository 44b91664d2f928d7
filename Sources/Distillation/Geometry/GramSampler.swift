#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra
import Numerics

/// A transfer set of an axially symmetric geometry drawn without its ambient coordinates
/// (docs/THEORY.md §6): the teacher-frame parts (s_i, t_i) and coordinates c_i of the unit
/// directions v_i in an orthonormal basis of their own span, so c_iᵀc_j = v_iᵀv_j.
///
/// Every quantity the students need is an inner product among the points, the teacher and
/// vectors drawn independently of the points, so the set is written in an embedding of
/// dimension n + 2 that keeps them all:
/// - coordinate 0: the teacher axis u = w*/‖w*‖;
/// - coordinates 1…n: the span of v_1 … v_n inside u^⊥ (the basis of the Bartlett factor);
/// - coordinate n + 1, the *rest*: one unit vector of the remaining d − 1 − n dimensions of
///   u^⊥, chosen along the off-embedding part of whichever single independent vector (a random
///   w(0), a w_δ direction) is placed in the embedding. Nothing else has a part there, so only
///   that part's norm matters, and the placement is exact.
/// The points have 0 in the rest coordinate.
public struct GramTransferSet: Sendable {
    /// d, the dimension the set stands for.
    public let ambientDimension: Int
    public let frame: TeacherFrameSample
    /// n × n lower-triangular: row i holds c_i.
    public let directions: Matrix

    public var count: Int { frame.along.count }
    /// n + 2.
    public var embeddedDimension: Int { count + 2 }

    /// x̃_i = (s_i, t_i c_i, 0): count × (count + 2), rows are points.
    public var points: Matrix {
        let n = count
        var x = Matrix(rows: n, columns: n + 2)
        for i in 0..<n {
            x[i, 0] = frame.along[i]
            let t = frame.across[i]
            for j in 0...i { x[i, j + 1] = t * directions[i, j] }
        }
        return x
    }

    /// The teacher axis e_0 of the embedding.
    public var teacherDirection: [Double] {
        var u = [Double](repeating: 0, count: embeddedDimension)
        u[0] = 1
        return u
    }

    /// A vector with i.i.d. N(0, σ²) entries in R^d, independent of the set, written in the
    /// embedding: its coordinates on u and on the directions' span are themselves i.i.d.
    /// N(0, σ²) (the embedding's basis depends on the points only), and its part in the other
    /// d − 1 − n dimensions has squared norm σ²·χ²_{d−1−n}, all independent.
    public func isotropicGaussian(standardDeviation sigma: Double,
                                  using stream: inout RandomStream) -> [Double] {
        precondition(sigma >= 0 && sigma.isFinite, "standard deviation must be finite and ≥ 0, got \(sigma)")
        var w = stream.normals(count: count + 1)
        w.append(restNorm(using: &stream))
        for i in w.indices { w[i] *= sigma }
        return w
    }

    /// A fixed vector w = a·u + b·e (e a unit vector of u^⊥) written in the embedding. The
    /// law of the v_i is invariant under rotations fixing u, so e may be replaced by a uniform
    /// unit vector of u^⊥ independent of the set: e = (z, r)/‖(z, r)‖ with z ~ N(0, I_n) on
    /// the directions' span and r ~ χ_{d−1−n} on the rest.
    public func fixedVector(along a: Double, across b: Double,
                            using stream: inout RandomStream) -> [Double] {
        precondition(a.isFinite && b.isFinite && b >= 0, "components must be finite, across ≥ 0")
        var w = [a]
        var e = stream.normals(count: count)
        e.append(restNorm(using: &stream))
        let length = norm2(e)
        for x in e { w.append(length > 0 ? b * x / length : 0) }
        return w
    }

    /// √χ²_{d−1−n}: the norm of a standard Gaussian vector of the dimensions left out.
    private func restNorm(using stream: inout RandomStream) -> Double {
        let left = ambientDimension - 1 - count
        return left > 0 ? stream.chiSquare(degreesOfFreedom: Double(left)).squareRoot() : 0
    }
}

/// Coordinates of independent uniform unit vectors by the Bartlett decomposition.
public enum BartlettDirections {
    /// Rows c_0 … c_{n−1} of an n × n lower-triangular matrix: the coordinates of n independent
    /// uniform unit vectors of R^m (m ≥ n) in an orthonormal basis of their span.
    ///
    /// Gaussian vectors g_i ∈ R^m stacked as Z (n × m) factor as Z = L Qᵀ with Q's columns
    /// orthonormal and L lower-triangular, L_ii = √χ²_{m−i} (0-based i), L_ij ~ N(0, 1) below the
    /// diagonal, all independent (Bartlett): the rows of L are the g_i's coordinates, and
    /// normalising them gives the v_i = g_i/‖g_i‖. No eigendecomposition, O(n²) draws, whatever m.
    public static func sample(count n: Int, sphereDimension m: Int,
                              using stream: inout RandomStream) -> Matrix {
        precondition(n >= 0 && n <= m, "Bartlett factor needs 0 ≤ n ≤ m, got n = \(n), m = \(m)")
        guard n > 0 else { return Matrix(rows: 0, columns: 0) }
        let elements = [Double](unsafeUninitializedCapacity: n * n) { factor, initialized in
            let row = UnsafeMutablePointer<Double>.allocate(capacity: n)
            defer { row.deallocate() }
            let base = factor.baseAddress!
            for i in 0..<n {
                // The row's normals in one batch, then its diagonal.
                stream.fillNormals(row, count: i)
                row[i] = stream.chiSquare(degreesOfFreedom: Double(m - i)).squareRoot()
                // The diagonal dominates (≈ √m against O(1) entries), so the sum cannot overflow.
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                var j = 0
                while j + 4 <= i + 1 {
                    s0 += row[j] * row[j]; s1 += row[j + 1] * row[j + 1]
                    s2 += row[j + 2] * row[j + 2]; s3 += row[j + 3] * row[j + 3]
                    j += 4
                }
                while j <= i { s0 += row[j] * row[j]; j += 1 }
                let inverseLength = 1 / ((s0 + s1) + (s2 + s3)).squareRoot()
                // Row i of the column-major factor: stride n.
                var entry = base + i
                for j in 0...i {
                    entry.initialize(to: row[j] * inverseLength)
                    entry += n
                }
            }
            // Above the diagonal: rows 0 ..< j of column j.
            for j in 1..<n { (base + j * n).initialize(repeating: 0, count: j) }
            initialized = n * n
        }
        return Matrix(rows: n, columns: n, elements: elements)
    }

    /// The coordinates of `count` independent standard Gaussian vectors of R^m in an orthonormal
    /// basis of their span: a count × min(count, m) lower-trapezoidal L with L Lᵀ ~ W_count(m, I)
    /// (the Bartlett decomposition of `sample` without the normalisation).
    ///
    /// Row i has N(0, 1) entries before the diagonal and √χ²_{m−i} on it (i < m); rows past m lie
    /// in the span of the first m and have m N(0, 1) entries.
    public static func gaussianFactor(count h: Int, dimension m: Int,
                                      using stream: inout RandomStream) -> Matrix {
        precondition(h >= 0 && m >= 0, "Bartlett factor needs h, m ≥ 0, got h = \(h), m = \(m)")
        let columns = min(h, m)
        var l = Matrix(rows: h, columns: columns)
        for i in 0..<h {
            for j in 0..<min(i, columns) { l.elements[i + j * h] = stream.normal() }
            if i < columns { l.elements[i + i * h] = stream.chiSquare(degreesOfFreedom: Double(m - i)).squareRoot() }
        }
        return l
    }
}

extension AxiallySymmetricGeometry {
    /// The Gram-space draw of `count` points (n ≤ d − 1): the same (s_i, t_i) as
    /// `sampleTransferSet` from the same stream (both draw the frame first), then the
    /// directions' Bartlett factor in u^⊥ ≅ R^{d−1}.
    public func sampleGramTransferSet(count n: Int, using stream: inout RandomStream) -> GramTransferSet {
        precondition(n >= 0 && n <= dimension - 1,
                     "the Gram sampler draws at most d − 1 = \(dimension - 1) points, asked for \(n)")
        let frame = sampleTeacherFrame(count: n, using: &stream)
        let directions = BartlettDirections.sample(count: n, sphereDimension: dimension - 1, using: &stream)
        return GramTransferSet(ambientDimension: dimension, frame: frame, directions: directions)
    }
}

extension GramTransferSet {
    /// γ_k = ∠(w*, P_k w*) for every prefix k = 1…n, with P_k the projection on the span of
    /// the first k points: the closed-form student from w(0) = 0 (docs/THEORY.md §2) at every n of
    /// a trial in O(n²), where a QR of the embedded points costs O(n³).
    ///
    /// The points' embedding is [s | T C] with C lower triangular. One Givens rotation per row,
    /// on the teacher axis and that row's diagonal column, zeroes the row's teacher coordinate
    /// and leaves the first k rows spanning coordinates 1…k; the same rotations take u = e_0 to
    /// (u_0, u_1, …), so cos γ_k = ‖(u_1…u_k)‖ and sin γ_k = |u_0 after k rotations|.
    /// Nil when a point is 0 (probability 0 for the constructed geometries): use a QR then.
    public func projectedTeacherAngles() -> [Double]? {
        let n = count
        var axis = frame.along
        // Rotation i reads column i of T C (rows i…n−1) and rewrites only the teacher axis; the
        // rotated column is never read again, so C is read in place, column by column.
        var residual = 1.0     // u_0, the teacher's part off the span so far
        var inSpan = 0.0       // ‖(u_1 … u_k)‖²
        var angles = [Double](repeating: 0, count: n)
        let complete = directions.elements.withUnsafeBufferPointer { lower in
            frame.across.withUnsafeBufferPointer { across in
                axis.withUnsafeMutableBufferPointer { axis in
                    angles.withUnsafeMutableBufferPointer { angles in
                        for i in 0..<n {
                            let column = lower.baseAddress! + i * n
                            let a = axis[i], b = column[i] * across[i]
                            let r = hypot(a, b)
                            guard r > 0, r.isFinite else { return false }
                            let c = b / r, s = a / r
                            for row in (i + 1)..<n {
                                let xi = column[row] * across[row]
                                axis[row] = c * axis[row] - s * xi
                            }
                            let ui = s * residual
                            residual *= c
                            inSpan += ui * ui
                            angles[i] = atan2(abs(residual), inSpan.squareRoot())
                        }
                        return true
                    }
                }
            }
        }
        return complete ? angles : nil
    }
}
