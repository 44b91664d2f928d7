#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra
import Numerics

/// The comparison family of docs/THEORY.md §7: w_δ = ŵ + ‖ŵ‖ tan δ · v, with ŵ the flow's limit and
/// v a unit vector orthogonal to span(X) and to ŵ. Every w_δ fits the soft labels exactly
/// (X w_δ = X ŵ = X w*) and makes the angle δ with ŵ; δ = 90° is the direction v itself.
extension LinearDistillationProblem {
    /// w_δ on the first k points; v is a Gaussian vector from `stream` projected off the span and ŵ.
    public func offSpanMinimizer(prefix k: Int, angle delta: Double,
                                 stream: inout RandomStream) throws(ParameterError) -> OffSpanMinimizer {
        try offSpanMinimizer(prefix: k, angle: delta, direction: stream.normals(count: dimension))
    }

    /// w_δ with v the part of `direction` (a vector of the problem's space, drawn independently
    /// of the points, e.g. by ``GramTransferSet/isotropicGaussian(standardDeviation:using:)``
    /// in the Gram embedding) off the span and ŵ.
    public func offSpanMinimizer(prefix k: Int, angle delta: Double,
                                 direction: [Double]) throws(ParameterError) -> OffSpanMinimizer {
        try offSpanMinimizer(prefix: k, angle: delta, directionCoordinates: coordinates(of: direction))
    }

    /// Qᵀv with the full orthogonal Q of the problem's QR (O(n d)): computed once per draw, it
    /// serves the w_δ of every prefix and every δ drawn from the same direction.
    public func coordinates(of v: [Double]) -> [Double] {
        precondition(v.count == dimension, "vector has length \(v.count), dimension is \(dimension)")
        var y = v
        factorization.applyQ(&y, transpose: .transposed)
        return y
    }

    /// w_δ from the direction's coordinates Qᵀv (see ``coordinates(of:)``).
    public func offSpanMinimizer(prefix k: Int, angle delta: Double,
                                 directionCoordinates: [Double]) throws(ParameterError) -> OffSpanMinimizer {
        precondition(k >= 1 && k <= pointCount, "prefix \(k) out of range 1...\(pointCount)")
        precondition(directionCoordinates.count == dimension,
                     "direction has length \(directionCoordinates.count), dimension is \(dimension)")
        try requireParameter(delta >= 0 && delta <= Double.pi / 2, "wDelta.angle", delta,
                             expected: "must be an angle in radians within [0, π/2]")
        let reduction = reduce(prefix: k, targets: Array(teacherLogits[0..<k]))
        let leading = reduction.leading
        // ŵ = P w* + (I − P) w(0), in Q's coordinates.
        var limit = initialCoordinates
        var difference = Array(teacherCoordinates[0..<leading])
        for i in 0..<leading { difference[i] -= initialCoordinates[i] }
        let moved = reduction.projected(difference)
        for i in 0..<leading { limit[i] += moved[i] }
        // v: off the span, then off ŵ's own off-span part, so that v ⟂ ŵ.
        var v = directionCoordinates
        removeSpan(&v, reduction)
        var limitOff = limit
        removeSpan(&limitOff, reduction)
        let offNorm2 = dot(limitOff, limitOff)
        if offNorm2 > 0 { axpy(-dot(v, limitOff) / offNorm2, limitOff, &v) }
        let length = norm2(v)
        try requireParameter(length > 1e-8 * max(norm2(limit), 1), "wDelta.prefix", k,
                             expected: "must leave an off-span direction: rank(X_k) + 1 < d = \(dimension)")
        for i in v.indices { v[i] /= length }
        var coordinates: [Double]
        if abs(delta - Double.pi / 2) < 1e-15 {
            coordinates = v
        } else {
            coordinates = limit
            axpy(norm2(limit) * tan(delta), v, &coordinates)
        }
        let angle = Angle(coordinates, teacherCoordinates)
        return OffSpanMinimizer(prefix: k, delta: delta, coordinates: coordinates,
                                cosineToTeacher: angle.cosine, angleToTeacher: angle.radians,
                                angleToLimit: Angle(coordinates, limit).radians)
    }

    /// w_δ as a d-vector.
    public func weights(of minimizer: OffSpanMinimizer) -> [Double] {
        var y = minimizer.coordinates
        factorization.applyQ(&y, transpose: .none)
        return y
    }

    /// Removes from Q-coordinates y their part in the prefix's span.
    func removeSpan(_ y: inout [Double], _ reduction: PrefixReduction) {
        let leading = Array(y[0..<reduction.leading])
        let inside = reduction.projected(leading)
        for i in 0..<reduction.leading { y[i] -= inside[i] }
    }
}

/// One member w_δ of the family of exact soft-label fits.
public struct OffSpanMinimizer: Sendable, Hashable {
    public let prefix: Int
    /// δ in radians.
    public let delta: Double
    /// Qᵀ w_δ (full orthogonal Q of the problem).
    public let coordinates: [Double]
    public let cosineToTeacher: Double
    public let angleToTeacher: Double
    /// ∠(w_δ, ŵ), equal to δ up to rounding.
    public let angleToLimit: Double
}
