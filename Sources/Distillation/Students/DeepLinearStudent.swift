#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
import LinearAlgebra
import Numerics

/// Widths of a deep linear student W_N ⋯ W_1 with W_1 ∈ R^{h_1×d}, …, W_N ∈ R^{1×h_{N−1}}.
public struct DeepLinearArchitecture: Sendable, Hashable {
    /// h_1 … h_{N−1} (empty for depth 1, the linear student).
    public let hiddenWidths: [Int]

    public var depth: Int { hiddenWidths.count + 1 }

    public init(hiddenWidths: [Int]) throws(ParameterError) {
        for (j, h) in hiddenWidths.enumerated() {
            try requireParameter(h >= 1, "deepLinear.widths[\(j)]", h, expected: "must be an integer ≥ 1")
        }
        self.hiddenWidths = hiddenWidths
    }

    /// Depth N with every hidden layer of the same width.
    public init(depth: Int, width: Int) throws(ParameterError) {
        try requireParameter(depth >= 1, "deepLinear.depth", depth, expected: "must be an integer ≥ 1")
        try requireParameter(width >= 1, "deepLinear.width", width, expected: "must be an integer ≥ 1")
        try self.init(hiddenWidths: Array(repeating: width, count: depth - 1))
    }
}

/// Initial layers of a deep linear student (docs/THEORY.md §2, L2).
public enum DeepLinearInitialization: Sendable, Hashable {
    /// Balanced rank-one layers W_j = s v_j v_{j−1}ᵀ (unit v_j, s = scale^{1/N}), so that
    /// W_{j+1}ᵀW_{j+1} = W_j W_jᵀ, with end-to-end vector of norm `scale` along −∇L(0), inside
    /// span(X) and with L(w(0)) < L(0) (the norm is halved until that holds): the flow
    /// converges to P w*.
    case balancedInSpan(scale: Double)
    /// Every entry i.i.d. N(0, scale²): generic, with a part off span(X) that never fully leaves.
    case random(scale: Double)
}

extension LinearDistillationProblem {
    /// A deep linear student on the first k points trained by the gradient flow (adaptive
    /// Dormand–Prince on the flattened layers). The problem's own w(0) is not used.
    ///
    /// Reduced form: the rows of W_1 move only inside span(X) (their gradient is v gᵀ with
    /// g ∈ span(X)), so W_1 = A Qᵀ + W_1^⊥ with W_1^⊥ fixed at its initial value. The flow runs
    /// on (A, W_2, …, W_N); the end-to-end vector's off-span part is (W_1^⊥)ᵀ v with
    /// vᵀ = W_N ⋯ W_2, and its norm comes from the h_1 × h_1 Gram matrix of W_1^⊥.
    public func solveDeep(prefix k: Int, architecture: DeepLinearArchitecture,
                          initialization: DeepLinearInitialization, stream: RandomStream,
                          options: SolverOptions = .standard) throws(ParameterError) -> DeepLinearStudent {
        precondition(k >= 1 && k <= pointCount, "prefix \(k) out of range 1...\(pointCount)")
        let base = reduce(prefix: k, targets: Array(teacherLogits[0..<k]))
        let p = base.rank
        let system = ReducedSystem(p: p, k: k, s: base.system.s,
                                   initialLogits: [Double](repeating: 0, count: k),
                                   targets: base.system.targets)
        let shapes = DeepShapes(reducedDimension: p, hiddenWidths: architecture.hiddenWidths)
        var random = stream
        var layers = [Matrix]()
        var offGram = Matrix(rows: shapes.widths[1], columns: shapes.widths[1])
        var offTeacher = [Double](repeating: 0, count: shapes.widths[1])
        switch initialization {
        case .balancedInSpan(let scale):
            try requireParameter(scale > 0 && scale.isFinite, "deepLinear.initialization.scale", scale,
                                 expected: "must be a finite number > 0")
            var direction = system.gradient(fromLogits: [Double](repeating: 0, count: k)).map { -$0 }
            let length = norm2(direction)
            try requireParameter(length > 0, "deepLinear.initialization", "balancedInSpan",
                                 expected: "needs ∇L(0) ≠ 0 (the teacher's logits on the points are all 0)")
            for i in direction.indices { direction[i] /= length }
            // The start must lie below L(0) so the flow moves away from the saddle at 0. Along
            // −∇L(0) a small enough step always does, but a fixed scale overshoots on draws
            // where ∇L(0) is tiny (points nearly orthogonal to w*): halve it until it does.
            let lossAtZero = system.loss(fromLogits: [Double](repeating: 0, count: k))
            var used = scale
            while !(system.loss(fromLogits: system.logits(direction.map { $0 * used })) < lossAtZero) {
                used /= 2
                try requireParameter(used >= scale * 0x1p-60, "deepLinear.initialization", "balancedInSpan",
                                     expected: "needs a start with L(w(0)) < L(0); none found along −∇L(0)")
            }
            let s = pow(used, 1 / Double(shapes.depth))
            var previous = direction
            for j in 1...shapes.depth {
                let next = j == shapes.depth ? [1.0] : random.unitVector(dimension: shapes.widths[j])
                var layer = Matrix(rows: next.count, columns: previous.count)
                for b in 0..<previous.count { for a in 0..<next.count { layer[a, b] = s * next[a] * previous[b] } }
                layers.append(layer)
                previous = next
            }
        case .random(let scale):
            try requireParameter(scale > 0 && scale.isFinite, "deepLinear.initialization.scale", scale,
                                 expected: "must be a finite number > 0")
            let h1 = shapes.widths[1]
            var first = Matrix(rows: h1, columns: p)
            var offRows = [[Double]]()
            for a in 0..<h1 {
                var row = random.normals(count: dimension)
                for i in row.indices { row[i] *= scale }
                factorization.applyQ(&row, transpose: .transposed)
                let inside = base.reduced(Array(row[0..<base.leading]))
                for b in 0..<p { first[a, b] = inside[b] }
                removeSpan(&row, base)
                offRows.append(row)
            }
            for a in 0..<h1 {
                offTeacher[a] = dot(offRows[a], teacherCoordinates)
                for b in 0..<h1 { offGram[a, b] = dot(offRows[a], offRows[b]) }
            }
            layers.append(first)
            for j in 2...max(shapes.depth, 2) where j <= shapes.depth {
                var layer = Matrix(rows: shapes.widths[j], columns: shapes.widths[j - 1])
                let values = random.normals(count: layer.elements.count)
                for i in values.indices { layer.elements[i] = scale * values[i] }
                layers.append(layer)
            }
        }
        let deep = DeepSystem(shapes: shapes, reduced: system)
        let start = shapes.flatten(layers)
        let initialUpper = shapes.upperVector(shapes.unflatten(start))
        let (state, statistics) = GradientFlow.integrate(deep, from: start, options: options)
        let final = shapes.unflatten(state)
        let c = shapes.endToEnd(final)
        let v = shapes.upperVector(final)
        func offSpan(_ v: [Double]) -> Double { max(0, dot(v, gemv(offGram, v))).squareRoot() }
        let off = offSpan(v)
        let leadingC = base.leadingCoordinates(c)
        let along = dot(Array(teacherCoordinates[0..<base.leading]), leadingC) + dot(v, offTeacher)
        let norm = (dot(c, c) + off * off).squareRoot()
        let cosine = norm > 0 ? min(1, max(-1, along / (norm * teacher.norm))) : 0
        return DeepLinearStudent(prefix: k, architecture: architecture, coordinates: leadingC,
                                 offSpanNorm: off, initialOffSpanNorm: offSpan(initialUpper),
                                 cosineToTeacher: cosine, angleToTeacher: acos(cosine),
                                 layers: final, statistics: statistics)
    }
}

/// A trained deep linear student, reported through its end-to-end vector w = (W_N ⋯ W_1)ᵀ.
public struct DeepLinearStudent: Sendable {
    public let prefix: Int
    public let architecture: DeepLinearArchitecture
    /// P w in the leading columns of Q (the part in span(X_k)).
    public let coordinates: [Double]
    /// ‖(I − P) w‖ at the end of the flow.
    public let offSpanNorm: Double
    /// ‖(I − P) w(0)‖.
    public let initialOffSpanNorm: Double
    public let cosineToTeacher: Double
    /// arccos of the cosine (not accurate below ~1e-8).
    public let angleToTeacher: Double
    /// Final layers in reduced form: W_1 Q_k (h_1 × rank), then W_2 … W_N.
    public let layers: [Matrix]
    public let statistics: SolverStatistics
}

/// Layer shapes h_j × h_{j−1} with h_0 = rank of the prefix, h_N = 1, and the flattening.
struct DeepShapes: Sendable {
    let widths: [Int]

    init(reducedDimension p: Int, hiddenWidths: [Int]) {
        widths = [p] + hiddenWidths + [1]
    }

    var depth: Int { widths.count - 1 }

    func flatten(_ layers: [Matrix]) -> [Double] {
        layers.flatMap(\.elements)
    }

    func unflatten(_ theta: [Double]) -> [Matrix] {
        var layers = [Matrix]()
        var offset = 0
        for j in 1...depth {
            let count = widths[j] * widths[j - 1]
            layers.append(Matrix(rows: widths[j], columns: widths[j - 1],
                                 elements: Array(theta[offset..<(offset + count)])))
            offset += count
        }
        return layers
    }

    /// Left products L_j = W_N ⋯ W_{j+1} as vectors, j = 0 … N (L_N = [1], L_0 = end-to-end).
    func leftProducts(_ layers: [Matrix]) -> [[Double]] {
        var left = [[Double]](repeating: [], count: depth + 1)
        left[depth] = [1]
        for j in stride(from: depth, through: 1, by: -1) {
            left[j - 1] = gemv(layers[j - 1], left[j], transpose: .transposed)
        }
        return left
    }

    func endToEnd(_ layers: [Matrix]) -> [Double] { leftProducts(layers)[0] }

    /// v = (W_N ⋯ W_2)ᵀ, which multiplies W_1.
    func upperVector(_ layers: [Matrix]) -> [Double] { leftProducts(layers)[1] }
}

/// The deep linear loss on the flattened layers; gradient by the chain rule:
/// ∂L/∂W_j = L_jᵀ (W_{j−1} ⋯ W_1 g)ᵀ with g = (1/k) S r the gradient in the end-to-end vector.
struct DeepSystem: GradientSystem {
    let shapes: DeepShapes
    let reduced: ReducedSystem

    var dimension: Int {
        var total = 0
        for j in 1...shapes.depth { total += shapes.widths[j] * shapes.widths[j - 1] }
        return total
    }

    func gradient(at theta: [Double]) -> (gradient: [Double], fitGap: Double?) {
        let layers = shapes.unflatten(theta)
        let left = shapes.leftProducts(layers)
        let z = reduced.logits(left[0])
        var q = reduced.gradient(fromLogits: z)
        var gradient = [Double]()
        gradient.reserveCapacity(theta.count)
        for j in 1...shapes.depth {
            let rows = shapes.widths[j], columns = shapes.widths[j - 1]
            let l = left[j]
            for b in 0..<columns { for a in 0..<rows { gradient.append(l[a] * q[b]) } }
            if j < shapes.depth { q = gemv(layers[j - 1], q) }
        }
        return (gradient, reduced.fitGap(z))
    }
}
