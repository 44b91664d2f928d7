import LinearAlgebra

/// A flow frame measured from the flow's limit: the state is y = x − x*, with x* known in advance
/// (the linear student on k = p independent points with soft labels interpolates them, so its
/// limit is z* = m in the logits and Sᵀe* = m − z(0) in e).
///
/// Why: every integrator here controls its local error relative to the state's largest entry
/// (`ErrorNorm`). Measured from the origin that scale is the teacher's logits, while the flow
/// time is decided by the stopping rule at a distance of ~1e-8 of it from the limit: a local
/// tolerance must then sit below the stopping tolerances to resolve the late trajectory, and the
/// steps spent early, where the state is far from the limit, are wasted on a precision no result
/// needs. Measured from the limit the same norm is relative to the distance still to go, so one
/// tolerance keeps the trajectory, and hence the time at which the stopping rule holds, accurate
/// to a fixed relative precision over the whole flow. The flow is contractive (a gradient flow of
/// a strictly convex loss), so relative errors are damped, not compounded
/// (`GradientFlow.limitRelativeTolerance` has the tolerance and what it guarantees).
struct DisplacedFrame<Base: FlowFrame>: FlowFrame {
    let base: Base
    /// x*, the limit in the base frame's coordinates.
    let origin: [Double]

    init(_ base: Base, origin: [Double]) {
        precondition(origin.count == base.dimension,
                     "displaced frame: origin has \(origin.count) entries, the frame \(base.dimension)")
        self.base = base
        self.origin = origin
    }

    /// x = x* + y.
    func point(_ y: [Double]) -> [Double] {
        var x = origin
        for i in x.indices { x[i] += y[i] }
        return x
    }

    /// y = x − x*.
    func displacement(_ x: [Double]) -> [Double] {
        var y = x
        for i in y.indices { y[i] -= origin[i] }
        return y
    }

    var dimension: Int { base.dimension }
    var hasIdentityMass: Bool { base.hasIdentityMass }
    var logitTravel: Double? { base.logitTravel }

    func evaluate(at y: [Double], time tau: Double) -> FlowEvaluation { base.evaluate(at: point(y), time: tau) }
    func field(at y: [Double], time tau: Double) -> [Double] { base.field(at: point(y), time: tau) }
    func curvature(at y: [Double], time tau: Double) -> Base.Curvature { base.curvature(at: point(y), time: tau) }

    /// The shift is a constant: the Jacobian, the mass matrix and the stage matrices are the base's.
    func stageSolver(_ curvature: Base.Curvature, time tau: Double, shift: Double,
                     scale: Double) -> ((inout [Double]) -> Void)? {
        base.stageSolver(curvature, time: tau, shift: shift, scale: scale)
    }

    func applyMass(_ v: inout [Double]) { base.applyMass(&v) }
    func curvatureChange(from old: Base.Curvature, to new: Base.Curvature) -> Double? {
        base.curvatureChange(from: old, to: new)
    }
    func trace(_ curvature: Base.Curvature) -> Double { base.trace(curvature) }
}
