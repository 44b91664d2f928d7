import Foundation

/// A base-10 logarithmic axis: a positive domain, its mapping to pixels, and ticks at the
/// decades (with 2× and 5× ticks labelled when the domain holds too few decades to read).
package struct LogAxis: Sendable, Equatable {
    package struct Tick: Sendable, Equatable {
        package var value: Double
        /// Nil for an unlabelled minor tick.
        package var label: String?
        package var isMajor: Bool
        package init(value: Double, label: String?, isMajor: Bool) {
            self.value = value
            self.label = label
            self.isMajor = isMajor
        }
    }

    package let low: Double
    package let high: Double

    /// The axis spans at most this many decades; smaller values fall below it and are reported
    /// by the figure, instead of squashing the interesting part of a curve into a sliver.
    package static let maximumDecades = 8.0
    /// How far below the largest value a resolved value (an estimate whose interval stays above
    /// 0: a rare-event curve, not rounding residue) still stretches the axis.
    package static let maximumResolvedDecades = 40.0
    /// Above this many decades only every few decades is labelled, and minor ticks are left out.
    static let labelledDecades = 10

    /// An axis covering `values` (only finite positive ones count), padded by a twentieth of a
    /// decade on each side so end points do not sit on the frame. Nil when no value is usable.
    /// Values more than `maximumDecades` below the largest (rounding residue such as 1e-17 where
    /// the theory says 0) do not stretch the axis, unless they are among `resolved`, which do
    /// down to `maximumResolvedDecades`; the figure reports what is left below.
    package init?(covering values: [Double], resolved: [Double] = []) {
        let usable = values.filter { $0.isFinite && $0 > 0 }
        guard var hi = usable.max() else { return nil }
        let floor = hi / pow(10, Self.maximumDecades)
        let resolvedFloor = hi / pow(10, Self.maximumResolvedDecades)
        let kept = usable.filter { $0 >= floor } + resolved.filter { $0.isFinite && $0 >= resolvedFloor && $0 <= hi }
        var lo = kept.min() ?? hi
        if hi / lo < 1.5 {
            // A (nearly) flat curve still gets an axis of half a decade around it.
            let middle = (lo * hi).squareRoot()
            lo = middle / pow(10, 0.25)
            hi = middle * pow(10, 0.25)
        }
        self.init(low: lo / pow(10, 0.05), high: hi * pow(10, 0.05))
    }

    package init(low: Double, high: Double) {
        precondition(low.isFinite && high.isFinite && low > 0 && high > low, "LogAxis needs 0 < low < high, finite")
        self.low = low
        self.high = high
    }

    /// Whether a value can be drawn on this axis at all.
    package func contains(_ x: Double) -> Bool {
        x.isFinite && x >= low * (1 - 1e-12) && x <= high * (1 + 1e-12)
    }

    /// Position in [0, 1] along the axis (values outside the domain map outside [0, 1]).
    package func fraction(_ x: Double) -> Double {
        (log10(x) - log10(low)) / (log10(high) - log10(low))
    }

    package var ticks: [Tick] {
        let first = Int(floor(log10(low)))
        let last = Int(ceil(log10(high)))
        let majorCount = (first...last).filter { contains(pow(10, Double($0))) }.count
        // With fewer than two decade ticks the reader needs the 2× and 5× ones to tell scale;
        // with many decades a label every `every` decades keeps them legible.
        let labelMinors = majorCount < 2
        let every = max(1, (majorCount + Self.labelledDecades - 1) / Self.labelledDecades)
        var ticks: [Tick] = []
        for k in first...last {
            let decade = pow(10, Double(k))
            if contains(decade) {
                let labelled = k % every == 0
                ticks.append(Tick(value: decade, label: labelled ? Self.label(decade) : nil, isMajor: labelled))
            }
            if every > 1 { continue }
            for m in 2...9 {
                let value = Double(m) * decade
                guard contains(value) else { continue }
                let labelled = labelMinors && (m == 2 || m == 5)
                ticks.append(Tick(value: value, label: labelled ? Self.label(value) : nil, isMajor: false))
            }
        }
        return ticks
    }

    /// Plain decimals between 0.001 and 10⁴, powers of ten outside (as "10^k", which the SVG
    /// writer sets as a superscript).
    static func label(_ x: Double) -> String {
        let exponent = Int(floor(log10(x) + 1e-9))
        if exponent >= -3 && exponent <= 4 {
            return String(format: "%g", x)
        }
        let mantissa = x / pow(10, Double(exponent))
        let m = Int(mantissa.rounded())
        return m == 1 ? "10^\(exponent)" : "\(m)·10^\(exponent)"
    }
}
