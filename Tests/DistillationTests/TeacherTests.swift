import LinearAlgebra
import Testing
@testable import Distillation

@Suite struct TeacherTests {
    @Test func directionIsNormalizedAndWeightsCarryTheNorm() throws {
        let teacher = try Teacher(direction: [3, 0, 4], norm: 10)
        #expect(abs(norm2(teacher.direction) - 1) < 1e-15)
        #expect(StudentFixtures.relativeDifference(teacher.weights, [6, 0, 8]) < 1e-15)
        let fromWeights = try Teacher(weights: [6, 0, 8])
        #expect(abs(fromWeights.norm - 10) < 1e-14)
        let hot = try teacher.atTemperature(4)
        #expect(abs(hot.norm - 2.5) < 1e-15)
    }

    @Test func logitsAndLabels() throws {
        let teacher = try Teacher(direction: [1, -1], norm: 2.squareRoot())
        let points = Matrix(rowMajor: [[2, 1], [0, 3], [1, 1]])
        let logits = teacher.logits(of: points)
        #expect(StudentFixtures.relativeDifference(logits, [1, -3, 0]) < 1e-15)
        let soft = teacher.softLabels(of: points)
        #expect(abs(soft[0] - 0.7310585786300049) < 1e-15 && abs(soft[2] - 0.5) < 1e-16)
        #expect(teacher.hardLabels(of: points) == [1, 0, 1])
    }

    @Test func badTeachersThrowNamingTheField() {
        #expect(throws: ParameterError.self) { try Teacher(direction: [0, 0], norm: 1) }
        do {
            _ = try Teacher(direction: [1, 0], norm: -2)
            Issue.record("a negative norm was accepted")
        } catch {
            #expect(error.description.contains("teacher.norm") && error.description.contains("-2"))
        }
        #expect(throws: ParameterError.self) { try Teacher(direction: [1, 0], norm: .infinity) }
        #expect(throws: ParameterError.self) { try Teacher(direction: [1, 0], norm: 1).atTemperature(0) }
    }
}
