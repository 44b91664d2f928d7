import Experiments
import Foundation
import Testing

/// M1 and M2 (THEORY.md §5) are pathwise: on every shipped preset, γ and the certificate p(γ)
/// of the zero-initialised linear student never grow from one n to the next. A smoke check on
/// the first trials of each experiment, with its own solver (the full runs are in README's
/// preset table); the control is a trial vector with one increase, which the same check sees.
@Suite struct PresetPathwiseTests {
    /// The pathwise indicators of `trials` trials of an experiment: (γ increases, p(γ) increases).
    static func increases(_ spec: ExperimentSpec, trials: Int) throws -> (angle: Double, certificate: Double, steps: Int) {
        var linearOnly = spec
        linearOnly.students = spec.students.filter { $0 == .linear(init: .zero) }
        let trial = try DistillationTrial(spec: linearOnly, baseDirectory: TestFiles.presets)
        let keys = trial.layout.keys.enumerated()
        let angle = keys.filter { $0.element.quantity == .angleIncrease }.map(\.offset)
        let certificate = keys.filter { $0.element.quantity == .certificateIncrease }.map(\.offset)
        var a = 0.0, c = 0.0
        for t in 0..<trials {
            let values = try trial.evaluate(trial: t)
            a += angle.map { values[$0] }.reduce(0, +)
            c += certificate.map { values[$0] }.reduce(0, +)
        }
        return (a, c, angle.count)
    }

    @Test func everyPresetsLinearStudentIsPathwiseMonotone() throws {
        var checked = 0
        for file in try TestFiles.presetFiles() {
            for spec in try TestFiles.validator.validate(contentsOf: file).points
            where spec.students.contains(.linear(init: .zero)) && spec.n.values.count > 1 {
                // The flow presets cost seconds per trial in a debug build.
                let trials = spec.solver.kind == .closed ? 32 : 2
                let found = try Self.increases(spec, trials: trials)
                #expect(found.steps == spec.n.values.count - 1, "\(spec.name)")
                #expect(found.angle == 0, "\(file.lastPathComponent) / \(spec.name): γ increased \(found.angle) times")
                #expect(found.certificate == 0, "\(file.lastPathComponent) / \(spec.name): p(γ) increased \(found.certificate) times")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }

    @Test func theIndicatorsSeeAnIncreaseWhereThereIsOne() throws {
        // The control: on the mixture counterexample the risk grows from n = 1 to n = 2 in
        // many trials (M3 fails there), and the same indicators record it, while γ still never
        // grows (M1 holds there too).
        let spec = try #require(try TestFiles.validator.validate(
            contentsOf: TestFiles.presets.appendingPathComponent("mixture-counterexample.json")).experiments.first)
        let trial = try DistillationTrial(spec: spec, baseDirectory: TestFiles.presets)
        let riskUp = try #require(trial.layout.index("linear", 2, .riskIncrease))
        let angleUp = try #require(trial.layout.index("linear", 2, .angleIncrease))
        var risk = 0.0, angle = 0.0
        for t in 0..<16 {
            let values = try trial.evaluate(trial: t)
            risk += values[riskUp]
            angle += values[angleUp]
        }
        #expect(risk > 0)
        #expect(angle == 0)
    }
}
