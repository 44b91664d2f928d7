internal import Numerics

/// A two-sided Student-t interval for the mean of one curve point.
public struct ConfidenceInterval: Sendable, Hashable {
    public var level: Double
    public var count: Int
    public var mean: Double
    /// Per-draw spread (sample standard deviation).
    public var standardDeviation: Double
    /// t_{1−α/2, n−1} · sd/√n; +∞ with fewer than two values (nothing is known yet).
    public var halfWidth: Double
    public var low: Double { mean - halfWidth }
    public var high: Double { mean + halfWidth }

    public init(level: Double, count: Int, mean: Double, standardDeviation: Double, halfWidth: Double) {
        self.level = level
        self.count = count
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.halfWidth = halfWidth
    }
}

/// The critical values t_{1−α/2, ν} for one confidence level, cached per degrees of freedom
/// because the sequential rule asks for them after every merged block.
public struct StudentCriticalValues: Sendable {
    /// p ↦ quantile of Student's t with ν degrees of freedom.
    public typealias Quantile = @Sendable (_ p: Double, _ degreesOfFreedom: Int) -> Double

    /// Student's t quantile of the Distillation layer's special functions.
    public static let studentT: Quantile = { p, degreesOfFreedom in
        SpecialFunctions.studentTQuantile(p, degreesOfFreedom: Double(degreesOfFreedom))
    }

    public let level: Double
    private let quantile: Quantile
    private var cache: [Int: Double] = [:]

    /// - Parameter level: two-sided coverage in (0, 1), e.g. 0.95.
    public init(level: Double, quantile: @escaping Quantile = studentT) {
        precondition(level > 0 && level < 1, "confidence level must lie in (0, 1), got \(level)")
        self.level = level
        self.quantile = quantile
    }

    public mutating func value(degreesOfFreedom: Int) -> Double {
        precondition(degreesOfFreedom >= 1, "degrees of freedom must be ≥ 1")
        if let t = cache[degreesOfFreedom] { return t }
        let t = quantile(0.5 + level / 2, degreesOfFreedom)
        cache[degreesOfFreedom] = t
        return t
    }

    public mutating func interval(for moments: Moments) -> ConfidenceInterval {
        let sd = moments.standardDeviation
        let halfWidth: Double
        if moments.count < 2 {
            halfWidth = .infinity
        } else {
            halfWidth = value(degreesOfFreedom: moments.count - 1) * moments.standardError
        }
        return ConfidenceInterval(level: level, count: moments.count, mean: moments.mean,
                                  standardDeviation: sd, halfWidth: halfWidth)
    }
}
