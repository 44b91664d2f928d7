import LinearAlgebra

/// The teacher w* = norm · direction. A temperature T is the same as dividing the norm by T,
/// so the norm is the one knob for how soft the labels are.
public struct Teacher: Sendable, Hashable {
    /// Unit vector.
    public let direction: [Double]
    /// ‖w*‖ > 0.
    public let norm: Double

    public init(direction: [Double], norm: Double) throws(ParameterError) {
        try requireParameter(!direction.isEmpty, "teacher.direction", "[]", expected: "must have at least one entry")
        let length = norm2(direction)
        try requireParameter(length > 0 && length.isFinite, "teacher.direction", "vector of norm \(length)",
                             expected: "must be a finite nonzero vector")
        try requireParameter(norm > 0 && norm.isFinite, "teacher.norm", norm,
                             expected: "must be a finite number > 0 (the inverse temperature)")
        self.direction = direction.map { $0 / length }
        self.norm = norm
    }

    /// The teacher with weights w* (direction w*/‖w*‖, norm ‖w*‖).
    public init(weights: [Double]) throws(ParameterError) {
        try self.init(direction: weights, norm: norm2(weights))
    }

    public var dimension: Int { direction.count }

    /// w*.
    public var weights: [Double] { direction.map { $0 * norm } }

    /// The same direction at temperature T: norm / T.
    public func atTemperature(_ temperature: Double) throws(ParameterError) -> Teacher {
        try requireParameter(temperature > 0 && temperature.isFinite, "temperature", temperature,
                             expected: "must be a finite number > 0")
        return try Teacher(direction: direction, norm: norm / temperature)
    }

    /// Logits m = X w* for the points in the rows of X.
    public func logits(of points: Matrix) -> [Double] {
        precondition(points.columns == dimension,
                     "teacher logits: points have \(points.columns) columns, teacher dimension is \(dimension)")
        return gemv(points, weights)
    }

    /// Soft labels σ(m).
    public func softLabels(of points: Matrix) -> [Double] {
        logits(of: points).map(Logistic.sigmoid)
    }

    /// Hard labels 1[m ≥ 0] as 0 or 1.
    public func hardLabels(of points: Matrix) -> [Double] {
        logits(of: points).map { $0 >= 0 ? 1 : 0 }
    }
}
