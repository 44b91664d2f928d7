import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// L2 (docs/THEORY.md §2): deep linear students.
@Suite struct DeepLinearTests {
    static let options = try! SolverOptions(gradientTolerance: 1e-10, fitTolerance: 1e-10, maxSteps: 200_000)

    static func stream(_ seed: UInt64) -> RandomStream {
        RandomStream(seed: seed, trial: 0, stream: StreamID.studentInit, index: 0)
    }

    @Test(arguments: [2, 3])
    func balancedInSpanConvergesToProjectedTeacher(depth: Int) throws {
        let d = 8, n = 3
        let problem = try StudentFixtures.problem(n: n, d: d, norm: 2, seed: 61)
        let closed = problem.solve(prefix: n, solver: .closed)
        let student = try problem.solveDeep(prefix: n, architecture: DeepLinearArchitecture(depth: depth, width: 4),
                                            initialization: .balancedInSpan(scale: 0.05),
                                            stream: Self.stream(61), options: Self.options)
        #expect(student.statistics.converged, "\(student.statistics)")
        #expect(student.initialOffSpanNorm == 0 && student.offSpanNorm == 0)
        let error = StudentFixtures.relativeDifference(student.coordinates, closed.coordinates)
        #expect(error < 1e-7, "depth \(depth): end-to-end vs P w*, relative \(error)")
        #expect(abs(student.cosineToTeacher - closed.cosineToTeacher) < 1e-9)
    }

    /// A point almost orthogonal to w* makes ∇L(0) tiny: a start of norm 0.01 along −∇L(0)
    /// overshoots (L(w(0)) > L(0)), so the start is shortened, and the flow still reaches P w*.
    @Test func balancedStartIsShortenedWhenTheGradientAtZeroIsTiny() throws {
        var points = Matrix(rows: 1, columns: 5)
        points[0, 0] = 1e-4
        points[0, 1] = 1
        let problem = try LinearDistillationProblem(points: points, teacher: Teacher(direction: [1, 0, 0, 0, 0], norm: 1))
        let closed = problem.solve(prefix: 1, solver: .closed)
        let student = try problem.solveDeep(prefix: 1, architecture: DeepLinearArchitecture(depth: 2, width: 3),
                                            initialization: .balancedInSpan(scale: 0.01),
                                            stream: Self.stream(63), options: Self.options)
        #expect(student.statistics.converged, "\(student.statistics)")
        let error = StudentFixtures.relativeDifference(student.coordinates, closed.coordinates)
        #expect(error < 1e-6, "end-to-end vs P w*, relative \(error)")
    }

    @Test func balancedLayersAreBalanced() throws {
        let problem = try StudentFixtures.problem(n: 3, d: 8, seed: 62)
        // maxSteps 1 keeps the initial layers (the first step is rejected or tiny).
        let student = try problem.solveDeep(prefix: 3, architecture: DeepLinearArchitecture(hiddenWidths: [4, 3]),
                                            initialization: .balancedInSpan(scale: 0.1),
                                            stream: Self.stream(62), options: try SolverOptions(timeLimit: 1e-300))
        let w = student.layers
        for j in 0..<(w.count - 1) {
            let upper = gemm(w[j + 1], w[j + 1], transposeA: .transposed)
            let lower = gemm(w[j], w[j], transposeB: .transposed)
            #expect(upper.maxAbsDifference(lower) < 1e-12, "layer \(j + 1) not balanced")
        }
        #expect(abs(norm2(student.coordinates) - 0.1) < 1e-12)
    }

    /// Rows of W_1 move only in span(X): w_⊥(t) = (W_1^⊥)ᵀ v(t) with W_1^⊥ frozen. So the
    /// off-span part survives, rescaled by v(t); it is O(scale) and vanishes with the scale.
    @Test func smallRandomStartLeavesAnOffSpanPart() throws {
        let d = 8, n = 3
        let problem = try StudentFixtures.problem(n: n, d: d, norm: 2, seed: 63)
        let closed = problem.solve(prefix: n, solver: .closed)
        var offSpan = [Double]()
        for scale in [0.1, 0.01] {
            let student = try problem.solveDeep(prefix: n, architecture: DeepLinearArchitecture(depth: 2, width: 6),
                                                initialization: .random(scale: scale),
                                                stream: Self.stream(63), options: Self.options)
            #expect(student.statistics.converged, "scale \(scale): \(student.statistics)")
            // The span part still fits the teacher's logits: P w = P w*.
            #expect(StudentFixtures.relativeDifference(student.coordinates, closed.coordinates) < 1e-7)
            #expect(student.offSpanNorm > 0 && student.initialOffSpanNorm > 0)
            // Bound from w_⊥ = (W_1^⊥)ᵀ v: ‖w_⊥‖ ≤ ‖W_1^⊥‖_F ‖v‖; ‖W_1^⊥‖_F ≈ scale √(h (d − n)).
            let v = DeepShapes(reducedDimension: n, hiddenWidths: [6]).upperVector(student.layers)
            #expect(student.offSpanNorm <= 3 * scale * (6.0 * Double(d - n)).squareRoot() * norm2(v))
            offSpan.append(student.offSpanNorm)
        }
        let ratio = offSpan[0] / offSpan[1]
        #expect(ratio > 3 && ratio < 30, "off-span norms \(offSpan) should scale like the initialization")
    }

    @Test func badArchitecturesThrow() {
        #expect(throws: ParameterError.self) { try DeepLinearArchitecture(depth: 0, width: 3) }
        #expect(throws: ParameterError.self) { try DeepLinearArchitecture(depth: 2, width: 0) }
        do {
            _ = try DeepLinearArchitecture(hiddenWidths: [3, -1])
            Issue.record("negative width accepted")
        } catch {
            #expect(error.description.contains("widths[1]") && error.description.contains("-1"))
        }
    }

    @Test func badScalesThrow() throws {
        let problem = try StudentFixtures.problem(n: 3, d: 8, seed: 64)
        let architecture = try DeepLinearArchitecture(depth: 2, width: 3)
        #expect(throws: ParameterError.self) {
            try problem.solveDeep(prefix: 3, architecture: architecture, initialization: .random(scale: -1),
                                  stream: Self.stream(64))
        }
        for scale in [0, -1, Double.infinity, .nan] {
            #expect(throws: ParameterError.self) {
                try problem.solveDeep(prefix: 3, architecture: architecture, initialization: .balancedInSpan(scale: scale),
                                      stream: Self.stream(64))
            }
        }
        #expect(throws: ParameterError.self) {
            try LinearDistillationProblem(points: StudentFixtures.points(n: 3, d: 8, seed: 64),
                                          teacher: problem.teacher,
                                          initialization: .random(scale: -0.5, stream: Self.stream(64)))
        }
    }
}
