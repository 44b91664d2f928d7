// An example of kdmc's library: the expected transfer risk of the closed-form linear student
// on an isotropic Gaussian, by Monte Carlo over two in-process ranks, against the exact
// expectation E[R_n] (docs/THEORY.md §3). Run it with `swift run GaussianCurveExample`.
//
// It uses only the exported library: a geometry and its Philox stream (Distillation,
// Numerics), the linear distillation problem and its closed-form student, and the Monte Carlo
// engine with the in-process collective (MonteCarlo). Under mpirun a program would pass the
// MPI collective instead; the numbers would be the same bits.
import Distillation
import Foundation
import MonteCarlo
import Numerics

let d = 100
let grid = [10, 50, 90]
let seed: UInt64 = 2026
let trials = 1024

let geometry = try GaussianGeometry(dimension: d)
let teacher = try Teacher(weights: geometry.teacher)

/// Trial t: one transfer set of the largest n, the closed-form student on each nested prefix,
/// its exact risk. It depends on t only, so any rank may compute it.
let trial: @Sendable (Int) throws -> [Double] = { t in
    var stream = RandomStream(seed: seed, trial: UInt64(t), stream: .transferSet)
    let points = geometry.sampleTransferSet(count: grid.last!, using: &stream)
    let problem = try LinearDistillationProblem(points: points, teacher: teacher)
    return grid.map { n in
        geometry.risk(of: problem.weights(of: problem.solve(prefix: n, solver: .closed))).value
    }
}

let configuration = EngineConfiguration(pointCount: grid.count, blockSize: 64,
                                        stopping: .fixed(trials: trials), identity: "example", checkpoint: nil)
let outcomes = InProcessCollective.run(ranks: 2) { collective in
    try TrialEngine(configuration: configuration).run(on: collective, trial: trial)
}
guard case .success(let outcome) = outcomes[0], let intervals = outcome.intervals else {
    print("the run failed: \(outcomes[0])")
    exit(1)
}

print("n\tmean\t95% CI\texact E[R_n]\t|z|")
var worst = 0.0
for (k, n) in grid.enumerated() {
    let c = intervals[k]
    let exact = GaussianExpectation.expectedRisk(count: n, dimension: d)
    let z = abs(c.mean - exact) / (c.standardDeviation / Double(c.count).squareRoot())
    worst = max(worst, z)
    print("\(n)\t\(String(format: "%.5f", c.mean))\t[\(String(format: "%.5f", c.low)), \(String(format: "%.5f", c.high))]\t\(String(format: "%.5f", exact))\t\(String(format: "%.2f", z))")
}
print("trials: \(intervals[0].count), largest |z|: \(String(format: "%.2f", worst))")
