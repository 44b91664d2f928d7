import LinearAlgebra

/// A loss over flattened parameters θ, as the iterative solvers see it.
protocol GradientSystem {
    var dimension: Int { get }
    /// ∇L(θ), and the relative logit gap at θ (nil when the targets are hard labels).
    func gradient(at theta: [Double]) -> (gradient: [Double], fitGap: Double?)
}

/// The stopping rule of `SolverOptions`, shared by every iterative solver.
struct StoppingRule {
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
}

func isAllFinite(_ x: [Double]) -> Bool {
    for v in x where !v.isFinite { return false }
    return true
}
