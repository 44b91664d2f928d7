import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// The Bartlett directions and the Gram-space embedding (docs/THEORY.md §6).
@Suite struct GramSamplerTests {
    static func gram(_ c: Matrix) -> Matrix { gemm(c, c, transposeB: .transposed) }

    static func stream(_ trial: UInt64) -> RandomStream {
        RandomStream(seed: 17, trial: trial, stream: StreamID.transferSet, index: 0)
    }

    @Test(arguments: [(30, 50), (7, 8), (50, 1_000_000)])
    func unitDiagonalLowerTriangularAndPositiveSemidefinite(n: Int, d: Int) throws {
        var s = Self.stream(1)
        let c = BartlettDirections.sample(count: n, sphereDimension: d - 1, using: &s)
        for i in 0..<n {
            #expect(abs(norm2(c.row(i)) - 1) < 1e-14, "row \(i)")
            for j in (i + 1)..<max(i + 1, n) { #expect(c[i, j] == 0, "entry (\(i), \(j)) above the diagonal") }
            #expect(c[i, i] > 0)
        }
        let g = Self.gram(c)
        let eigen = try SymmetricEigendecomposition(g)
        // n ≤ d − 1 independent directions: full rank, so strictly positive.
        #expect(eigen.eigenvalues.first! > 1e-6, "smallest eigenvalue \(eigen.eigenvalues.first!)")
        for i in 0..<n { #expect(abs(g[i, i] - 1) < 1e-14) }
        if d == 1_000_000 {
            // Off-diagonals have standard deviation 1/√(d − 1) ≈ 1e-3; 6σ over 1225 pairs.
            for i in 0..<n { for j in 0..<i { #expect(abs(g[i, j]) < 6 / Double(d - 1).squareRoot()) } }
        }
    }

    /// G_ij = v_iᵀv_j of independent uniform unit vectors of R^m: E = 0, Var = 1/m (m = d − 1).
    /// Tolerances are 5 standard errors of the pooled estimates (pairs are uncorrelated).
    @Test(arguments: [20, 200])
    func offDiagonalMoments(d: Int) {
        let n = 5, draws = 2_000
        let m = Double(d - 1)
        var sum = 0.0, squares = 0.0, count = 0.0
        for t in 0..<draws {
            var s = Self.stream(UInt64(t))
            let g = Self.gram(BartlettDirections.sample(count: n, sphereDimension: d - 1, using: &s))
            for i in 0..<n { for j in 0..<i { sum += g[i, j]; squares += g[i, j] * g[i, j]; count += 1 } }
        }
        let mean = sum / count, meanSquare = squares / count
        let meanError = (1 / m / count).squareRoot()
        // Var(G²) = E G⁴ − (E G²)² = 3/(m(m+2)) − 1/m².
        let squareError = ((3 / (m * (m + 2)) - 1 / (m * m)) / count).squareRoot()
        #expect(abs(mean) < 5 * meanError, "E G_ij = \(mean) ± \(meanError)")
        #expect(abs(meanSquare - 1 / m) < 5 * squareError, "E G_ij² = \(meanSquare) vs 1/(d−1) = \(1 / m) ± \(squareError)")
    }

    /// At the edge n = d − 1 the last direction's diagonal entry has one degree of freedom:
    /// c² = χ²_1/χ²_m ~ Beta(1/2, (m − 1)/2), mean 1/m (its part off the others' span).
    @Test func lastPointAtTheEdgeHasOneDegreeOfFreedom() {
        let d = 4, draws = 4_000
        var lastSquares = 0.0
        for t in 0..<draws {
            var s = Self.stream(UInt64(t))
            let c = BartlettDirections.sample(count: d - 1, sphereDimension: d - 1, using: &s)
            lastSquares += c[d - 2, d - 2] * c[d - 2, d - 2]
        }
        let m = Double(d - 1)
        let mean = lastSquares / Double(draws)
        // Beta(1/2, (m − 1)/2) has variance (1/m)(1 − 1/m)·2/(m + 2); 5 standard errors.
        let error = ((1 / m) * (1 - 1 / m) * 2 / (m + 2) / Double(draws)).squareRoot()
        #expect(abs(mean - 1 / m) < 5 * error, "E c² = \(mean), expected \(1 / m) ± \(error)")
    }

    /// χ² with a million degrees of freedom (the first Bartlett diagonal at d = 10⁶): mean ν,
    /// variance 2ν, within 5 standard errors.
    @Test func chiSquareWithHugeDegreesOfFreedom() {
        let nu = 1e6, draws = 4_000
        var s = Self.stream(9)
        var values = [Double]()
        for _ in 0..<draws { values.append(s.chiSquare(degreesOfFreedom: nu)) }
        let mean = values.reduce(0, +) / Double(draws)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws - 1)
        #expect(values.allSatisfy { $0.isFinite && $0 > 0 })
        #expect(abs(mean - nu) < 5 * (2 * nu / Double(draws)).squareRoot(), "mean \(mean)")
        // Var of the sample variance ≈ (μ4 − σ⁴)/N with μ4 ≈ 3σ⁴ for large ν.
        #expect(abs(variance / (2 * nu) - 1) < 5 * (2 / Double(draws)).squareRoot(), "variance \(variance)")
    }

    /// One ambient draw written in the Gram embedding from its own s, t and Gram (Cholesky
    /// factor as the directions' coordinates, and the exact rest coordinate of w(0)) gives the
    /// same students as the ambient problem.
    @Test func embeddingOfAnAmbientDrawGivesTheSameAngles() throws {
        let d = 40, n = 12
        let geometry = try PolyTailGeometry(dimension: d, kappa: 2, radial: .chi,
                                            teacher: (try StudentFixtures.teacher(d: d, norm: 3, seed: 5)).weights)
        var s = Self.stream(3)
        let points = geometry.sampleTransferSet(count: n, using: &s)
        let u = geometry.teacherDirection
        var along = [Double](), across = [Double](), directions = [[Double]]()
        for i in 0..<n {
            let x = points.row(i)
            let a = dot(x, u)
            var v = x
            axpy(-a, u, &v)
            let t = norm2(v)
            along.append(a); across.append(t); directions.append(v.map { $0 / t })
        }
        let v = Matrix(rowMajor: directions)
        let chol = try CholeskyFactorization(Self.gram(v))
        let set = GramTransferSet(ambientDimension: d, frame: TeacherFrameSample(along: along, across: across),
                                  directions: chol.lower)
        // w(0) in the embedding: its part on u, its coordinates Qᵀw0 = L⁻¹ V w0 on the span,
        // and the norm of what is left as the rest coordinate.
        var initStream = RandomStream(seed: 5, trial: 0, stream: StreamID.studentInit, index: 0)
        let w0 = initStream.normals(count: d).map { $0 * 0.7 }
        let onU = dot(w0, u)
        let onSpan = solveTriangular(chol.lower, gemv(v, w0), triangle: .lower)
        var rest = w0
        axpy(-onU, u, &rest)
        let spanVector = gemv(v, solveTriangular(chol.lower, onSpan, triangle: .lower, transpose: .transposed),
                              transpose: .transposed)
        axpy(-1, spanVector, &rest)
        let embeddedStart = [onU] + onSpan + [norm2(rest)]

        let teacher = try Teacher(weights: geometry.teacher)
        let starts: [(LinearInitialization, LinearInitialization)] = [(.zero, .zero), (.weights(w0), .weights(embeddedStart))]
        for (start, embeddedInit) in starts {
            let ambient = try LinearDistillationProblem(points: points, teacher: teacher, initialization: start)
            let embedded = try LinearDistillationProblem(gram: set, teacherNorm: teacher.norm, initialization: embeddedInit)
            for k in 1...n {
                let a = ambient.solve(prefix: k, solver: .closed), b = embedded.solve(prefix: k, solver: .closed)
                #expect(abs(a.angleToTeacher - b.angleToTeacher) < 1e-10, "k = \(k): \(a.angleToTeacher) vs \(b.angleToTeacher)")
                let ha = ambient.maxMarginSeparator(prefix: k), hb = embedded.maxMarginSeparator(prefix: k)
                #expect(abs(ha.angleToTeacher - hb.angleToTeacher) < 1e-9, "hard label k = \(k)")
            }
        }
        // The existing eigenvector embedding agrees too.
        let eigen = try LinearDistillationProblem(along: along, across: across, directionGram: Self.gram(v),
                                                  teacherNorm: teacher.norm)
        let ambient = try LinearDistillationProblem(points: points, teacher: teacher)
        for k in 1...n {
            #expect(abs(eigen.solve(prefix: k, solver: .closed).angleToTeacher
                        - ambient.solve(prefix: k, solver: .closed).angleToTeacher) < 1e-10)
        }
    }

    /// The same stream gives the same (s, t) to both samplers (they draw the frame first).
    @Test func bothSamplersShareTheTeacherFrame() throws {
        let geometry = try GaussianGeometry(dimension: 30, teacherNorm: 2)
        var a = Self.stream(4), b = Self.stream(4)
        let points = geometry.sampleTransferSet(count: 8, using: &a)
        let set = geometry.sampleGramTransferSet(count: 8, using: &b)
        for i in 0..<8 {
            #expect(abs(points[i, 0] - set.frame.along[i]) < 1e-15)
            #expect(abs(norm2(Array(points.row(i).dropFirst())) - set.frame.across[i]) < 1e-12)
            #expect(abs(norm2(set.points.row(i)) - norm2(points.row(i))) < 1e-12)
        }
    }

    /// The O(n²) Givens angles are the closed-form student's angles of a QR of the embedded
    /// points, at every prefix, for several geometries and sizes (n up to d − 1).
    @Test(arguments: [(5, 40), (60, 61), (120, 100_000)])
    func projectedTeacherAnglesAreTheClosedFormAngles(n: Int, d: Int) throws {
        let geometries: [any AxiallySymmetricGeometry] = [
            try GaussianGeometry(dimension: d, teacherNorm: 1),
            try PolyTailGeometry(dimension: d, kappa: 2, radial: .unit, teacher: StudentFixtures.teacher(d: d, norm: 1, seed: 9).weights),
        ]
        for geometry in geometries {
            var stream = Self.stream(UInt64(n))
            let set = geometry.sampleGramTransferSet(count: n, using: &stream)
            let angles = try #require(set.projectedTeacherAngles())
            let problem = try LinearDistillationProblem(points: set.points,
                                                        teacher: Teacher(direction: set.teacherDirection, norm: 1))
            var worst = 0.0
            for k in 1...n {
                let closed = problem.solve(prefix: k, solver: .closed)
                worst = max(worst, abs(angles[k - 1] - closed.angleToTeacher))
            }
            #expect(worst < 1e-10, "\(type(of: geometry)) n = \(n), d = \(d): largest difference \(worst)")
            #expect(angles.allSatisfy { $0 >= 0 && $0 <= .pi / 2 })
        }
    }

    @Test func projectedTeacherAnglesOfAZeroPointAreNil() throws {
        let geometry = try GaussianGeometry(dimension: 10, teacherNorm: 1)
        var stream = Self.stream(1)
        let set = geometry.sampleGramTransferSet(count: 3, using: &stream)
        var frame = set.frame
        frame.along[1] = 0
        frame.across[1] = 0
        let degenerate = GramTransferSet(ambientDimension: 10, frame: frame, directions: set.directions)
        #expect(degenerate.projectedTeacherAngles() == nil)
    }
}
