import Foundation

/// What a figure needs of an axis: where a value sits along it and where its ticks go.
protocol PlotAxis: Sendable {
    var low: Double { get }
    var high: Double { get }
    func contains(_ x: Double) -> Bool
    func fraction(_ x: Double) -> Double
    var ticks: [LogAxis.Tick] { get }
}

extension LogAxis: PlotAxis {}

/// A linear axis with ticks at 1, 2 or 5 times a power of ten, about five to ten of them:
/// the n axis of an exponential claim, whose curve is a straight line on semilog axes.
package struct LinearAxis: Sendable, Equatable, PlotAxis {
    package let low: Double
    package let high: Double

    /// An axis covering the finite `values`, padded by 3% of the span on each side (a single
    /// value gets ±1). Nil when no value is finite.
    package init?(covering values: [Double]) {
        let usable = values.filter(\.isFinite)
        guard let lo = usable.min(), let hi = usable.max() else { return nil }
        let pad = hi > lo ? 0.03 * (hi - lo) : 1
        self.init(low: lo - pad, high: hi + pad)
    }

    package init(low: Double, high: Double) {
        precondition(low.isFinite && high.isFinite && high > low, "LinearAxis needs low < high, finite")
        self.low = low
        self.high = high
    }

    package func contains(_ x: Double) -> Bool {
        x.isFinite && x >= low - 1e-12 * abs(low) && x <= high + 1e-12 * abs(high)
    }

    package func fraction(_ x: Double) -> Double { (x - low) / (high - low) }

    package var step: Double {
        let raw = (high - low) / 8
        let decade = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * decade >= raw { return m * decade }
        return 10 * decade
    }

    var ticks: [LogAxis.Tick] {
        let s = step
        var ticks: [LogAxis.Tick] = []
        var k = ceil(low / s)
        while k * s <= high {
            let v = k * s
            // k·s for k = 0 is exactly 0, but a sum such as 3 × 0.1 − 0.3 is not: round to the step.
            ticks.append(LogAxis.Tick(value: v, label: String(format: "%g", abs(v) < 1e-9 * s ? 0 : v), isMajor: true))
            k += 1
        }
        return ticks
    }
}
