/// A condition on the state that ends an integration (for training: the stopping rule), and the
/// one procedure by which every integrator locates the time at which it first holds.
protocol TerminalEvent {
    func holds(_ evaluation: FlowEvaluation) -> Bool
    /// How far the event is from holding on a logarithmic scale, ≤ 0 about where it holds (the
    /// decisions are `holds`'s); nil when there is no such measure. Guides `locateByInterpolation`.
    func excess(_ evaluation: FlowEvaluation) -> Double?
}

extension TerminalEvent {
    func excess(_ evaluation: FlowEvaluation) -> Double? { nil }
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

    /// `locate`'s bracket [first offset where the event may not hold, first where it holds] and
    /// tolerance, with the trial offsets chosen by regula falsi on `excess` (Illinois variant)
    /// instead of halving, each kept half a tolerance inside the bracket, so that an accurate
    /// guess closes it in two trials; bisection after six, and when `excess` is unavailable.
    ///
    /// Why: a trial of a Rosenbrock method is a whole step with its own factorization, and near a
    /// contractive flow's limit the excess (the logarithm of the gradient and the fit gap over
    /// their tolerances) is nearly linear in time, where halving to 0.1 % of the step takes ten.
    /// `start` is the evaluation at the beginning of the step.
    func locateByInterpolation(step: Double, start: FlowEvaluation, end: EventTrial, tolerance: (Double) -> Double,
                               trial: (Double) -> EventTrial?) -> (offset: Double, at: EventTrial) {
        guard let first = excess(start), let last = excess(end.evaluation), first.isFinite, last.isFinite,
              first > 0, !holds(start) else {
            return locate(step: step, end: end, tolerance: tolerance, trial: trial)
        }
        var low = 0.0, high = step
        var atLow = first, atHigh = min(last, 0)
        var best = end
        best.evaluations = 0
        var spent = 0, trials = 0, lastSide = 0
        while high - low > tolerance(high) {
            let margin = 0.5 * tolerance(high)
            var offset = 0.5 * (low + high)
            if trials < 6 && atLow > atHigh {
                offset = low + (high - low) * atLow / (atLow - atHigh)
                offset = min(max(offset, low + margin), high - margin)
            }
            trials += 1
            guard let candidate = trial(offset), isAllFinite(candidate.state) else { break }
            spent += candidate.evaluations
            let value = excess(candidate.evaluation) ?? .nan
            if holds(candidate.evaluation) {
                high = offset
                best = candidate
                atHigh = value.isFinite ? min(value, 0) : 0
                if lastSide == -1 { atLow *= 0.5 }
                lastSide = -1
            } else {
                low = offset
                atLow = value.isFinite ? max(value, .leastNormalMagnitude) : atLow
                if lastSide == 1 { atHigh *= 0.5 }
                lastSide = 1
            }
        }
        best.evaluations = spent
        return (high, best)
    }
}
