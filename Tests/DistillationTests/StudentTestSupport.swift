import LinearAlgebra
@testable import Distillation
import Numerics

/// Random test problems with fixed seeds: Gaussian points, a random teacher direction.
enum StudentFixtures {
    static func points(n: Int, d: Int, seed: UInt64, trial: UInt64 = 0) -> Matrix {
        var stream = RandomStream(seed: seed, trial: trial, stream: StreamID.transferSet, index: 0)
        return Matrix(rows: n, columns: d, elements: stream.normals(count: n * d))
    }

    static func teacher(d: Int, norm: Double, seed: UInt64) throws -> Teacher {
        var stream = RandomStream(seed: seed, trial: 0, stream: StreamID.teacher, index: 0)
        return try Teacher(direction: stream.unitVector(dimension: d), norm: norm)
    }

    static func problem(n: Int, d: Int, norm: Double = 2, seed: UInt64,
                        initialization: LinearInitialization = .zero) throws -> LinearDistillationProblem {
        try LinearDistillationProblem(points: points(n: n, d: d, seed: seed),
                                      teacher: teacher(d: d, norm: norm, seed: seed),
                                      initialization: initialization)
    }

    /// W2's first five points (poly-tail κ = 2, d = 10^5, the Gram draw of trial 0, seed 2026,
    /// in R^(n+2)): teacher logits in the hundreds, points nearly parallel.
    static func saturatingW2Problem() throws -> LinearDistillationProblem {
        let geometry = try PolyTailGeometry(dimension: 100_000, kappa: 2)
        var stream = RandomStream(seed: 2026, trial: 0, stream: .transferSet)
        let set = geometry.sampleGramTransferSet(count: 5, using: &stream)
        return try LinearDistillationProblem(points: set.points,
                                             teacher: try Teacher(direction: set.teacherDirection, norm: 1))
    }

    static func randomStart(scale: Double, seed: UInt64) -> LinearInitialization {
        .random(scale: scale, stream: RandomStream(seed: seed, trial: 0, stream: StreamID.studentInit, index: 0))
    }

    /// max_i |a_i − b_i| / max(max_i |b_i|, tiny).
    static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var difference = 0.0, scale = 0.0
        for i in a.indices {
            difference = max(difference, abs(a[i] - b[i]))
            scale = max(scale, abs(b[i]))
        }
        return difference / max(scale, 1e-300)
    }
}
