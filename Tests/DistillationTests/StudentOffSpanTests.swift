import Foundation
import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// docs/THEORY.md §7: w_δ fits the soft labels exactly and makes the angle δ with ŵ.
@Suite struct StudentOffSpanTests {
    @Test(arguments: [0.0, 10.0, 45.0, 80.0, 90.0])
    func wDeltaHasAngleDeltaAndSameLogits(degrees: Double) throws {
        let d = 8, n = 3
        let problem = try StudentFixtures.problem(n: n, d: d, seed: 51,
                                                  initialization: StudentFixtures.randomStart(scale: 0.5, seed: 52))
        let delta = degrees * Double.pi / 180
        var stream = RandomStream(seed: 51, trial: 0, stream: StreamID.offSpan, index: 0)
        let member = try problem.offSpanMinimizer(prefix: n, angle: delta, stream: &stream)
        #expect(abs(member.angleToLimit - delta) < 1e-12, "angle \(member.angleToLimit) vs δ = \(delta)")
        let limit = problem.weights(of: problem.solve(prefix: n, solver: .closed))
        let w = problem.weights(of: member)
        let points = StudentFixtures.points(n: n, d: d, seed: 51)
        if degrees < 90 {
            #expect(StudentFixtures.relativeDifference(gemv(points, w), gemv(points, problem.teacher.weights)) < 1e-10)
        } else {
            // δ = 90°: the direction v itself, orthogonal to every point.
            #expect(norm2(gemv(points, w)) < 1e-12)
        }
        // The angle from the d-vectors agrees with the one from coordinates.
        let cosine = dot(w, limit) / (norm2(w) * norm2(limit))
        #expect(abs(cosine - cos(delta)) < 1e-12)
        let teacherCosine = dot(w, problem.teacher.weights) / (norm2(w) * problem.teacher.norm)
        #expect(abs(teacherCosine - member.cosineToTeacher) < 1e-12)
    }

    @Test func wDeltaNeedsRoomOffTheSpan() throws {
        let problem = try StudentFixtures.problem(n: 8, d: 8, seed: 53)
        var stream = RandomStream(seed: 53, trial: 0, stream: StreamID.offSpan, index: 0)
        #expect(throws: ParameterError.self) {
            try problem.offSpanMinimizer(prefix: 8, angle: 0.1, stream: &stream)
        }
        #expect(throws: ParameterError.self) {
            try problem.offSpanMinimizer(prefix: 2, angle: 2, stream: &stream)
        }
    }
}
