/// A condition on the state that ends an integration (for training: the stopping rule), and the
/// one procedure by which every integrator locates the time at which it first holds.
protocol TerminalEvent {
    func holds(_ evaluation: FlowEvaluation) -> Bool
}

/// A trial state at offset `step` past the start of the step in which the event was detected:
/// re-stepping from there for a one-step method, interpolation for a multistep one.
struct EventTrial {
    var state: [Double]
    var evaluation: FlowEvaluation
    /// Right-hand side evaluations it cost.
    var evaluations: Int
}

extension TerminalEvent {
    /// Bisects a step of length `step` (in τ) that ended where the event holds down to the first
    /// offset at which it holds, to within `tolerance(high)`.
    ///
    /// Why: near a contractive flow's limit the steps grow geometrically, so the step that
    /// crosses the event may overshoot its time by far, and the flow time is a measured
    /// quantity. `trial(h)` returns the state h into the step (nil: stop bisecting, keep the
    /// best so far). Returns the located offset, the state and evaluation there, and the cost.
    func locate(step: Double, end: EventTrial, tolerance: (Double) -> Double,
                trial: (Double) -> EventTrial?) -> (offset: Double, at: EventTrial) {
        var low = 0.0, high = step
        var best = end
        best.evaluations = 0
        var spent = 0
        while high - low > tolerance(high) {
            let middle = 0.5 * (low + high)
            guard let candidate = trial(middle), isAllFinite(candidate.state) else { break }
            spent += candidate.evaluations
            if holds(candidate.evaluation) {
                high = middle
                best = candidate
            } else {
                low = middle
            }
        }
        best.evaluations = spent
        return (high, best)
    }
}
