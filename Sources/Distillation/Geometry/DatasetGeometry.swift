#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra
import Numerics

/// `dataset`: the empirical distribution of the rows of a CSV file.
///
/// The rows are split ONCE by a fixed-seed permutation (stream `.datasetSplit`, trial
/// UInt64.max) into a held-out part (`heldOutFraction` of the rows) and a pool. Transfer sets
/// are drawn from the pool without replacement; p(θ) is the exact CDF of β over the pool
/// rows; R(w) is the disagreement rate on the held-out rows, with its binomial standard error.
/// The teacher is read from a file or fitted to the label column of ALL rows by ridge-
/// regularised logistic regression (Newton).
public struct DatasetGeometry: Geometry {
    public enum TeacherSource: Sendable, Equatable {
        /// w* given directly.
        case weights([Double])
        /// A file of weights: one per line, or comma-separated on one line.
        case file(String)
        /// Logistic regression on the label column (labels > 0 are positive) with ridge λ.
        case logisticRegression(ridge: Double)
    }

    public let dimension: Int
    public let teacher: [Double]
    /// Feature rows (row-major) of the pool and the held-out part.
    public let pool: [[Double]]
    public let heldOut: [[Double]]
    private let reference: EmpiricalAngleCDF

    /// - Parameters:
    ///   - labelColumn: 0-based column holding a label, excluded from the features (needed
    ///     for `.logisticRegression`).
    public init(path: String, hasHeader: Bool = false, labelColumn: Int? = nil,
                teacher source: TeacherSource, heldOutFraction: Double = 0.25,
                seed: UInt64 = 0) throws(ParameterError) {
        let table = try DataTable.read(path: path, hasHeader: hasHeader)
        try self.init(table: table, file: path, labelColumn: labelColumn, teacher: source,
                      heldOutFraction: heldOutFraction, seed: seed)
    }

    init(table: DataTable, file: String, labelColumn: Int?, teacher source: TeacherSource,
         heldOutFraction: Double, seed: UInt64) throws(ParameterError) {
        let width = table.rows[0].count
        if let c = labelColumn, !(0..<width).contains(c) {
            throw .invalid("labelColumn", c, "must be a column index in 0..<\(width) of \(file)")
        }
        let d = width - (labelColumn == nil ? 0 : 1)
        if d < 1 { throw .unreadable(file: file, reason: "no feature columns besides the label") }
        if !(heldOutFraction > 0 && heldOutFraction < 1) {
            throw .invalid("heldOutFraction", heldOutFraction, "must be strictly between 0 and 1")
        }
        let features = table.rows.map { row in
            labelColumn.map { c in row.enumerated().filter { $0.offset != c }.map(\.element) } ?? row
        }
        let n = features.count
        let heldOutCount = Int((heldOutFraction * Double(n)).rounded())
        if heldOutCount < 1 || heldOutCount >= n {
            throw .invalid(field: "heldOutFraction", value: "\(heldOutFraction)",
                           expected: "must leave at least one held-out row and one pool row of the \(n) rows in \(file)")
        }
        let w: [Double]
        switch source {
        case .weights(let given):
            w = given
        case .file(let teacherPath):
            let t = try DataTable.read(path: teacherPath, hasHeader: false)
            w = t.rows.count == 1 ? t.rows[0] : t.rows.flatMap { $0 }
        case .logisticRegression(let ridge):
            guard let c = labelColumn else {
                throw .invalid(field: "labelColumn", value: "none",
                               expected: "a label column is needed to fit the teacher by logistic regression")
            }
            try Validate.positive("ridge", ridge)
            w = try Self.fitLogistic(features: features, labels: table.rows.map { $0[c] > 0 ? 1 : 0 },
                                     ridge: ridge)
        }
        try Validate.teacher(w, dimension: d)
        var split = ReferenceStream.make(seed: seed, .datasetSplit)
        let order = split.sampleWithoutReplacement(count: n, from: n)
        dimension = d
        teacher = w
        heldOut = order[..<heldOutCount].map { features[$0] }
        pool = order[heldOutCount...].map { features[$0] }
        let u = VectorAngle.normalized(w)
        reference = EmpiricalAngleCDF(angles: pool.map { x in
            let beta = VectorAngle.boundaryAngle(x, axis: u)
            return beta.isNaN ? 0 : beta  // a zero row lies on the boundary
        })
    }

    public var boundaryMassIsExact: Bool { true }

    public func boundaryMass(_ theta: Double) -> Double { reference(theta) }

    /// `count` distinct pool rows (count ≤ pool size); prefixes are nested.
    public func sampleTransferSet(count n: Int, using stream: inout RandomStream) -> Matrix {
        precondition(n <= pool.count, "transfer set of \(n) rows exceeds the pool of \(pool.count)")
        let picks = stream.sampleWithoutReplacement(count: n, from: pool.count)
        var points = Matrix(rows: n, columns: dimension)
        for (i, r) in picks.enumerated() {
            for j in 0..<dimension { points.elements[i + j * n] = pool[r][j] }
        }
        return points
    }

    public func risk(of student: [Double]) -> RiskEstimate {
        precondition(student.count == dimension, "student has length \(student.count), expected \(dimension)")
        let count = heldOut.filter { (dot($0, student) >= 0) != (dot($0, teacher) >= 0) }.count
        return .proportion(count, of: heldOut.count)
    }

    /// Newton's method on (1/N) Σ [softplus(z) − y z] + (λ/2)‖w‖², z = wᵀx.
    static func fitLogistic(features: [[Double]], labels: [Double], ridge: Double) throws(ParameterError) -> [Double] {
        let d = features[0].count, n = Double(features.count)
        var w = [Double](repeating: 0, count: d)
        for _ in 0..<100 {
            var gradient = w.map { ridge * $0 }
            var hessian = Matrix(rows: d, columns: d)
            for j in 0..<d { hessian.elements[j + j * d] = ridge }
            for (x, y) in zip(features, labels) {
                let z = dot(w, x)
                let sigma = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
                let r = (sigma - y) / n, h = sigma * (1 - sigma) / n
                for j in 0..<d {
                    gradient[j] += r * x[j]
                    let hx = h * x[j]
                    for k in 0..<d { hessian.elements[k + j * d] += hx * x[k] }
                }
            }
            let step: [Double]
            do {
                step = try CholeskyFactorization(hessian).solve(gradient)
            } catch {
                throw .invalid("ridge", ridge, "logistic fit failed (\(error)); use a larger ridge")
            }
            for j in 0..<d { w[j] -= step[j] }
            if norm2(step) <= 1e-12 * max(1, norm2(w)) { break }
        }
        return w
    }
}
