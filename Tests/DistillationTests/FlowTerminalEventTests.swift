import Foundation
import LinearAlgebra
import Testing
@testable import Distillation

/// Convergence of training is one terminal event, located by the same bisection whichever
/// integrator runs the flow: the flow time at convergence is then the flow's, not the
/// integrator's.
@Suite struct FlowTerminalEventTests {
    static func options(_ integrator: FlowIntegrator, timeLimit: Double = .infinity) throws -> SolverOptions {
        try SolverOptions(gradientTolerance: 1e-10, fitTolerance: 1e-10, timeLimit: timeLimit,
                          integrationTolerance: 1e-10, integrator: integrator)
    }

    /// Each integrator locates the event to 0.1 % of the flow time (`ODEProblem.eventTolerance`)
    /// on a trajectory accurate to its local tolerance, so two flow times must agree to twice
    /// that plus the trajectory's share; 0.5 % is the bound. n = 3 (RODAS4 in e), n = 10 (RODAS4
    /// in the logits frame), n = 15 (more points than dimensions).
    @Test(arguments: [3, 10, 15])
    func bothIntegratorsReportTheSameFlowTime(n: Int) throws {
        let problem = try StudentFixtures.problem(n: n, d: 10, norm: 1, seed: 404)
        let a = problem.solve(prefix: n, solver: .flow, options: try Self.options(.rosenbrock))
        let b = problem.solve(prefix: n, solver: .flow, options: try Self.options(.dormandPrince))
        #expect(a.statistics.converged && b.statistics.converged, "\(a.statistics) | \(b.statistics)")
        let ta = try #require(a.statistics.flowTime), tb = try #require(b.statistics.flowTime)
        #expect(abs(ta / tb - 1) < 5e-3, "n = \(n): flow times \(ta) (RODAS4) vs \(tb) (Dormand–Prince)")
    }

    /// The event is located, not overshot: stopped at 99 % of its reported flow time, neither
    /// integrator's flow has converged yet, and run on from there it does.
    @Test(arguments: FlowIntegrator.allCases)
    func theLocatedTimeIsTheFirstTimeTheRuleHolds(integrator: FlowIntegrator) throws {
        let n = 5
        let problem = try StudentFixtures.problem(n: n, d: 10, norm: 1, seed: 404)
        let full = problem.solve(prefix: n, solver: .flow, options: try Self.options(integrator))
        let time = try #require(full.statistics.flowTime)
        #expect(full.statistics.converged && time > 0)
        let early = problem.solve(prefix: n, solver: .flow, options: try Self.options(integrator, timeLimit: 0.99 * time))
        #expect(early.statistics.stopReason == .timeLimit, "\(integrator): \(early.statistics)")
        #expect(!early.statistics.converged)
        let late = problem.solve(prefix: n, solver: .flow, options: try Self.options(integrator, timeLimit: 1.01 * time))
        #expect(late.statistics.converged, "\(integrator): \(late.statistics)")
    }

    /// The bisection itself: a step of length 1 whose event starts at 0.3 is cut to within the
    /// tolerance above 0.3, never below it, and a trial that fails keeps the best state so far.
    @Test func bisectionFindsTheFirstOffsetWhereTheEventHolds() {
        struct Threshold: TerminalEvent {
            func holds(_ evaluation: FlowEvaluation) -> Bool { evaluation.gradientNorm <= 0.7 }
        }
        func at(_ offset: Double) -> EventTrial {
            EventTrial(state: [offset], evaluation: FlowEvaluation(field: [0], fieldNorm: 0, gradientNorm: 1 - offset,
                                                                   fitGap: nil), evaluations: 2)
        }
        var trials = 0
        let located = Threshold().locate(step: 1, end: at(1), tolerance: { 1e-3 * $0 },
                                         trial: { trials += 1; return at($0) })
        #expect(located.offset >= 0.3 && located.offset - 0.3 <= 1e-3 * located.offset, "offset \(located.offset)")
        #expect(located.at.state == [located.offset])
        #expect(trials >= 10 && located.at.evaluations == 2 * trials, "\(located.at.evaluations) evaluations, \(trials) trials")
        let stopped = Threshold().locate(step: 1, end: at(1), tolerance: { 1e-3 * $0 },
                                         trial: { $0 < 0.5 ? nil : at($0) })
        #expect(stopped.offset == 0.5 && stopped.at.state == [0.5])
    }

    /// The interpolating search (RODAS4's): an event whose excess is exactly linear in the offset
    /// (log-gradient falling at rate 5, holding from 0.3) is bracketed to the same tolerance as by
    /// bisection, never below 0.3, in at most three trials where bisection takes ten; a curved
    /// excess still meets the tolerance; with no excess measure it falls back to bisection.
    @Test func interpolationBracketsTheEventInFewTrials() {
        struct Decay: TerminalEvent {
            let curved: Bool
            let measured: Bool
            func holds(_ evaluation: FlowEvaluation) -> Bool { evaluation.gradientNorm <= 1 }
            func excess(_ evaluation: FlowEvaluation) -> Double? { measured ? log(evaluation.gradientNorm) : nil }
            func at(_ offset: Double) -> EventTrial {
                // log g = 5 (0.3 − x), or 5 (0.3 − x) + 4 (0.3 − x)² (still 0 only at 0.3 on [0, 1]).
                let x = 0.3 - offset
                let logG = 5 * x + (curved ? 4 * x * x : 0)
                return EventTrial(state: [offset], evaluation: FlowEvaluation(field: [0], fieldNorm: 0,
                                                                              gradientNorm: exp(logG), fitGap: nil),
                                  evaluations: 1)
            }
        }
        for (curved, measured, most) in [(false, true, 3), (true, true, 8), (false, false, 12)] {
            let event = Decay(curved: curved, measured: measured)
            var trials = 0
            let located = event.locateByInterpolation(step: 1, start: event.at(0).evaluation, end: event.at(1),
                                                      tolerance: { 1e-3 * $0 },
                                                      trial: { trials += 1; return event.at($0) })
            #expect(located.offset >= 0.3 && located.offset - 0.3 <= 1e-3 * located.offset,
                    "curved \(curved), measured \(measured): offset \(located.offset)")
            #expect(located.at.state == [located.offset] && located.at.evaluations == trials)
            #expect(trials <= most && (measured || trials >= 10), "curved \(curved), measured \(measured): \(trials) trials")
        }
    }

    /// The log clock is a problem transform: the same RODAS4 step on LogClock(P) is a step of
    /// dy/dτ = t0 e^τ F(y), and its flow time maps back through t = t0 (e^τ − 1).
    @Test func logClockTransformsTheProblemNotTheMethod() throws {
        let system = ReducedSystem(p: 1, k: 1, s: [2], initialLogits: [0], targets: [40])
        let clock = LogClock(system, t0: 0.5)
        let y = [1.0], tau = 0.7
        let base = system.evaluate(at: y, time: 0)
        let scaled = clock.evaluate(at: y, time: tau)
        let rate = 0.5 * exp(tau)
        #expect(abs(scaled.field[0] - rate * base.field[0]) <= 1e-15 * abs(rate * base.field[0]))
        #expect(scaled.gradientNorm == base.gradientNorm && scaled.fitGap == base.fitGap)
        #expect(clock.timeDerivative(at: y, time: tau, field: scaled.field) == scaled.field)
        #expect(abs(clock.flowTime(clock.integrationTime(3)) - 3) < 1e-14)
        #expect(abs(clock.flowTime(tau) - 0.5 * (exp(tau) - 1)) < 1e-14)
        // A small step of the transformed problem follows dy/dτ = rate · F to first order.
        let h = 1e-6
        let step = try #require(RosenbrockTableau.step(clock, at: y, field: scaled.field,
                                                       curvature: clock.curvature(at: y, time: tau), h: h, time: tau))
        #expect(abs((step.next[0] - y[0]) / h - scaled.field[0]) < 1e-4 * abs(scaled.field[0]))
    }
}
