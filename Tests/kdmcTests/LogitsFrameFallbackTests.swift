import Foundation
import Testing
@testable import Distillation
import Experiments
import LinearAlgebra

/// The linear flow on real data with more points than the data's rank (digits01 at n = 80: 64
/// pixels spanning about 50 dimensions, teacher logits near 19). On this draw the logits
/// frame of a basis of points takes no step at all; the flow must still converge, in e, to the
/// closed form's limit.
@Suite struct LogitsFrameFallbackTests {
    @Test(arguments: [3])
    func aFrameThatTakesNoStepHandsTheFlowToE(trialIndex: Int) throws {
        var spec = try #require(try TestFiles.validator.validate(
            contentsOf: TestFiles.presets.appendingPathComponent("digits01.json")).experiments.first)
        spec.students = [.linear(init: .zero)]
        spec.n = .values([80])
        let trial = try DistillationTrial(spec: spec, baseDirectory: TestFiles.presets)
        let problem = try trial.zeroInitialisedProblem(trial: trialIndex)
        let n = 80
        let system = problem.reduce(prefix: n, targets: Array(problem.teacherLogits[0..<n])).system
        #expect(system.p < n, "the prefix must have more points than its rank")
        // Control: the logits frame alone fails on this draw.
        let logits = try #require(LogitFlow(system))
        let alone = GradientFlow.rosenbrock(frame: logits, from: logits.logits([Double](repeating: 0, count: system.p)),
                                            options: trial.options)
        #expect(alone.statistics.stopReason == .stepSizeUnderflow)
        let student = problem.solve(prefix: n, solver: .flow, options: trial.options)
        #expect(student.statistics.converged)
        let closed = problem.solve(prefix: n, solver: .closed, options: trial.options)
        var difference = student.coordinates
        for i in difference.indices { difference[i] -= closed.coordinates[i] }
        #expect(norm2(difference) < 1e-6 * norm2(closed.coordinates))
        #expect(student.statistics.gradientEvaluations > alone.statistics.gradientEvaluations)
    }
}
