#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra

/// A loss over flattened parameters θ, as the solvers see it; its gradient flow θ' = −∇L(θ) is
/// an autonomous `ODEProblem`.
protocol GradientSystem: ODEProblem {
    var dimension: Int { get }
    /// ∇L(θ), and the relative logit gap at θ (nil when the targets are hard labels).
    func gradient(at theta: [Double]) -> (gradient: [Double], fitGap: Double?)
}

extension GradientSystem {
    func evaluate(at theta: [Double], time tau: Double) -> FlowEvaluation {
        let (g, gap) = gradient(at: theta)
        let norm = norm2(g)
        return FlowEvaluation(field: g.map { -$0 }, fieldNorm: norm, gradientNorm: norm, fitGap: gap)
    }

    func field(at theta: [Double], time tau: Double) -> [Double] { gradient(at: theta).gradient.map { -$0 } }
}

/// The stopping rule of `SolverOptions`, shared by every solver, and the flow's terminal event:
/// ‖∇L‖ ≤ gradientTolerance · ‖∇L(θ(0))‖ and the relative logit gap ≤ fitTolerance.
struct ConvergenceRule: TerminalEvent {
    let options: SolverOptions
    let initialGradientNorm: Double

    func relativeGradient(_ g: [Double]) -> Double { relativeGradient(norm: norm2(g)) }

    func relativeGradient(norm: Double) -> Double {
        if initialGradientNorm == 0 { return norm == 0 ? 0 : .infinity }
        return norm / initialGradientNorm
    }

    func isConverged(relativeGradient: Double, fitGap: Double?) -> Bool {
        relativeGradient <= options.gradientTolerance && (fitGap ?? 0) <= options.fitTolerance
    }

    func holds(_ evaluation: FlowEvaluation) -> Bool {
        isConverged(relativeGradient: relativeGradient(norm: evaluation.gradientNorm), fitGap: evaluation.fitGap)
    }

    /// log max(relative gradient / its tolerance, fit gap / its tolerance); nil with a zero tolerance.
    func excess(_ evaluation: FlowEvaluation) -> Double? {
        guard options.gradientTolerance > 0 && options.fitTolerance > 0 else { return nil }
        var ratio = relativeGradient(norm: evaluation.gradientNorm) / options.gradientTolerance
        if let gap = evaluation.fitGap { ratio = max(ratio, gap / options.fitTolerance) }
        return ratio > 0 ? log(ratio) : nil
    }

    /// What a flow integration did, in the solvers' terms.
    func statistics(_ solution: ODESolution) -> SolverStatistics {
        let reason: SolverStopReason
        switch solution.outcome {
        case .terminalEvent: reason = .converged
        case .timeLimit: reason = .timeLimit
        case .stepLimit: reason = .stepLimit
        case .stepSizeUnderflow: reason = .stepSizeUnderflow
        case .failure: reason = .integratorFailed
        case .handedOff: preconditionFailure("a handed-off integration is finished by its caller, not reported")
        }
        return SolverStatistics(flowTime: solution.flowTime, acceptedSteps: solution.acceptedSteps,
                                rejectedSteps: solution.rejectedSteps, gradientEvaluations: solution.evaluations,
                                relativeGradientNorm: relativeGradient(norm: solution.last.gradientNorm),
                                relativeFitGap: solution.last.fitGap, stopReason: reason,
                                jacobianEvaluations: solution.jacobianEvaluations)
    }
}
