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
public enum DeepLinearInitialization: Sendable, Equatable {
    /// Balanced rank-one layers W_j = s v_j v_{j−1}ᵀ (unit v_j, s = scale^{1/N}), so that
    /// W_{j+1}ᵀW_{j+1} = W_j W_jᵀ, with end-to-end vector of norm `scale` along −∇L(0), inside
    /// span(X) and with L(w(0)) < L(0) (the norm is halved until that holds): the flow
    /// converges to P w*.
    case balancedInSpan(scale: Double)
    /// Every entry i.i.d. N(0, scale²): generic, with a part off span(X) that never fully leaves.
    /// In R^d, W_1 is drawn entry by entry; in a Gram embedding (``LinearDistillationProblem/restDimension``)
    /// its rows' coordinates on the embedding's axes are drawn the same way and their parts in the
    /// dimensions left out enter through their Gram matrix, scale²·W_{h_1}(rest, I), drawn by its
    /// Bartlett factor: the same law as the ambient draw, at a cost independent of d.
    case random(scale: Double)
    /// Given layers W_1 … W_N, W_1 as h_1 × dimension in the problem's coordinates. For a Gram
    /// problem, `restGram` is the h_1 × h_1 Gram matrix of the rows' parts in the dimensions its
    /// coordinates leave out (nil: none).
    case layers([Matrix], restGram: Matrix?)
}

extension LinearDistillationProblem {
    /// A deep linear student on the first k points trained by the gradient flow on the flattened
    /// layers (adaptive DOP853 by default, Dormand–Prince 5(4) under `integrator: dormand-prince`,
    /// CVODE with GMRES under `integrator: cvode`). The
    /// problem's own w(0) is not used. A balanced start never leaves the rank-one layers it
    /// starts in, so its flow runs exactly in the p + N − 1 coordinates of `BalancedChainSystem`
    /// (dense CVODE, or Dormand–Prince under `integrator: dormand-prince`) and its layers are
    /// rebuilt from them.
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
        // A balanced start runs in its exact chain coordinates (`BalancedChainSystem`).
        var chainStart: (theta: [Double], directions: [[Double]])?
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
            var directions = [[Double]]()
            for j in 1..<shapes.depth { directions.append(random.unitVector(dimension: shapes.widths[j])) }
            chainStart = (direction.map { s * $0 } + [Double](repeating: s, count: shapes.depth - 1), directions)
        case .random(let scale):
            try requireParameter(scale > 0 && scale.isFinite, "deepLinear.initialization.scale", scale,
                                 expected: "must be a finite number > 0")
            let h1 = shapes.widths[1]
            // In a Gram embedding the last coordinate is the rest's placeholder: the rows' parts
            // in all `rest` left-out dimensions are carried by their Gram matrix instead.
            let drawn = restDimension == nil ? dimension : dimension - 1
            var rows = Matrix(rows: h1, columns: dimension)
            for a in 0..<h1 {
                let values = random.normals(count: drawn)
                for b in 0..<drawn { rows[a, b] = scale * values[b] }
            }
            var restGram: Matrix?
            if let rest = restDimension, rest > 0 {
                let factor = BartlettDirections.gaussianFactor(count: h1, dimension: rest, using: &random)
                restGram = syrk(factor, alpha: scale * scale)
            }
            var upper = [Matrix]()
            for j in 2...max(shapes.depth, 2) where j <= shapes.depth {
                var layer = Matrix(rows: shapes.widths[j], columns: shapes.widths[j - 1])
                let values = random.normals(count: layer.elements.count)
                for i in values.indices { layer.elements[i] = scale * values[i] }
                upper.append(layer)
            }
            let parts = firstLayerParts(rows: rows, restGram: restGram, base: base)
            layers = [parts.inSpan] + upper
            offGram = parts.offGram
            offTeacher = parts.offTeacher
        case .layers(let given, let restGram):
            try requireParameter(given.count == shapes.depth, "deepLinear.layers.count", given.count,
                                 expected: "must equal the depth \(shapes.depth)")
            try requireParameter(given[0].rows == shapes.widths[1] && given[0].columns == dimension,
                                 "deepLinear.layers[0]", "\(given[0].rows)×\(given[0].columns)",
                                 expected: "must be \(shapes.widths[1])×\(dimension)")
            for j in 2...max(shapes.depth, 2) where j <= shapes.depth {
                try requireParameter(given[j - 1].rows == shapes.widths[j] && given[j - 1].columns == shapes.widths[j - 1],
                                     "deepLinear.layers[\(j - 1)]", "\(given[j - 1].rows)×\(given[j - 1].columns)",
                                     expected: "must be \(shapes.widths[j])×\(shapes.widths[j - 1])")
            }
            if let restGram {
                try requireParameter(restGram.rows == shapes.widths[1] && restGram.columns == shapes.widths[1],
                                     "deepLinear.restGram", "\(restGram.rows)×\(restGram.columns)",
                                     expected: "must be \(shapes.widths[1])×\(shapes.widths[1])")
            }
            for layer in given where !layer.elements.allSatisfy(\.isFinite) {
                throw .invalid(field: "deepLinear.layers", value: "non-finite entry", expected: "must be finite numbers")
            }
            let parts = firstLayerParts(rows: given[0], restGram: restGram, base: base)
            layers = [parts.inSpan] + Array(given.dropFirst())
            offGram = parts.offGram
            offTeacher = parts.offTeacher
        }
        let final: [Matrix], initialUpper: [Double], statistics: SolverStatistics
        if let chainStart, shapes.depth >= 2 {
            let chain = BalancedChainSystem(reduced: system, depth: shapes.depth)
            initialUpper = shapes.upperVector(chain.layers(chainStart.theta, directions: chainStart.directions))
            let (state, flowStatistics) = GradientFlow.integrate(chain, from: chainStart.theta, options: options)
            final = chain.layers(state, directions: chainStart.directions)
            statistics = flowStatistics
        } else {
            if let chainStart {  // depth 1: the chain is the linear student, W_1 = aᵀ
                layers = [Matrix(rows: 1, columns: p, elements: chainStart.theta)]
            }
            let deep = DeepSystem(shapes: shapes, reduced: system)
            let start = shapes.flatten(layers)
            initialUpper = shapes.upperVector(shapes.unflatten(start))
            let (state, flowStatistics) = GradientFlow.integrate(deep, from: start, options: options)
            final = shapes.unflatten(state)
            statistics = flowStatistics
        }
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
    /// W_1 (rows in the problem's coordinates) split at prefix `base`: its in-span part in the
    /// reduced coordinates, which the flow moves, and what the frozen off-span part W_1^⊥ shows
    /// of itself: the Gram matrix of its rows (plus `restGram`, the rows' parts outside the
    /// problem's coordinates) and their inner products with w*, which has no part outside.
    private func firstLayerParts(rows: Matrix, restGram: Matrix?,
                                 base: PrefixReduction) -> (inSpan: Matrix, offGram: Matrix, offTeacher: [Double]) {
        let h1 = rows.rows, p = base.rank
        var inSpan = Matrix(rows: h1, columns: p)
        var offRows = [[Double]]()
        for a in 0..<h1 {
            var row = (0..<rows.columns).map { rows[a, $0] }
            factorization.applyQ(&row, transpose: .transposed)
            let inside = base.reduced(Array(row[0..<base.leading]))
            for b in 0..<p { inSpan[a, b] = inside[b] }
            removeSpan(&row, base)
            offRows.append(row)
        }
        var offGram = restGram ?? Matrix(rows: h1, columns: h1)
        var offTeacher = [Double](repeating: 0, count: h1)
        for a in 0..<h1 {
            offTeacher[a] = dot(offRows[a], teacherCoordinates)
            for b in 0..<h1 { offGram[a, b] += dot(offRows[a], offRows[b]) }
        }
        return (inSpan, offGram, offTeacher)
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
