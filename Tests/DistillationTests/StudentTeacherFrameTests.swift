import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// The Gram-space embedding gives the same students as the problem sampled in R^d.
@Suite struct StudentTeacherFrameTests {
    @Test(arguments: [4, 9])
    func embeddingMatchesExplicitPoints(n: Int) throws {
        let d = 6
        let teacher = try StudentFixtures.teacher(d: d, norm: 3, seed: 71)
        let u = teacher.direction
        var stream = RandomStream(seed: 71, trial: 0, stream: StreamID.geometry, index: 0)
        var along = [Double](), across = [Double](), directions = [[Double]](), rows = [[Double]]()
        for _ in 0..<n {
            var v = stream.normals(count: d)
            axpy(-dot(v, u), u, &v)
            let length = norm2(v)
            v = v.map { $0 / length }
            let s = stream.normal(), t = abs(stream.normal()) * 2
            along.append(s); across.append(t); directions.append(v)
            var x = u.map { $0 * s }
            axpy(t, v, &x)
            rows.append(x)
        }
        var gram = Matrix(rows: n, columns: n)
        for i in 0..<n { for j in 0..<n { gram[i, j] = dot(directions[i], directions[j]) } }
        let explicit = try LinearDistillationProblem(points: Matrix(rowMajor: rows), teacher: teacher)
        let embedded = try LinearDistillationProblem(along: along, across: across, directionGram: gram,
                                                     teacherNorm: 3)
        for k in 1...n {
            for solver in [SolverKind.closed, .newton, .flow] {
                let a = explicit.solve(prefix: k, solver: solver)
                let b = embedded.solve(prefix: k, solver: solver)
                #expect(a.statistics.converged && b.statistics.converged)
                #expect(abs(a.cosineToTeacher - b.cosineToTeacher) < 1e-9,
                        "k = \(k), \(solver): cos \(a.cosineToTeacher) vs \(b.cosineToTeacher)")
            }
        }
        if n >= d {
            #expect(abs(embedded.solve(prefix: n, solver: .closed).cosineToTeacher - 1) < 1e-12)
        }
    }
}
