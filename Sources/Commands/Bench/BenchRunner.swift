import Distillation
import Foundation
import LinearAlgebra
import MPI
import MonteCarlo
import Numerics
import Experiments

/// Runs one workload on every rank: the experiment through `TrialEngine` and
/// `DistillationTrial` exactly as `kdmc run` does (no output files, no checkpoints), then
/// optionally the flow-versus-Euler comparison, and gathers peak memory to rank 0.
struct BenchRunner {
    let workload: BenchWorkload
    let solver: BenchWorkload.Solver
    let trials: Int
    /// Draws (trial indices 0..<eulerDraws, split over ranks) for the Euler comparison; 0 skips.
    let eulerDraws: Int
    let collective: MPICollective
    var flow = BenchWorkload.FlowChoice()

    /// The result on rank 0, nil on the others.
    func run() throws -> BenchResult? {
        let setupClock = ContinuousClock()
        let setupStart = setupClock.now
        let setupCPUStart = processCPUSeconds()
        let spec = try workload.spec(solver: solver, trials: trials, flow: flow)
        let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
        // The limit term's quadrature is a fixed cost of the run: paid here, not in the trials.
        let quadrature = trial.limitTermQuadrature()
        let setupCPU = processCPUSeconds() - setupCPUStart
        let setupSeconds = Self.seconds(setupClock.now - setupStart)
        try collective.barrier()

        let configuration = EngineConfiguration(
            pointCount: trial.layout.count, blockSize: spec.blockSize,
            stopping: .fixed(trials: trials), confidenceLevel: spec.confidence,
            identity: "bench-\(workload.name)-\(solver.rawValue)", checkpoint: nil)
        let engine = try TrialEngine(configuration: configuration)
        let cpuStart = processCPUSeconds()
        let outcome = try engine.run(on: collective, trial: { try trial.evaluate(trial: $0) })
        let cpu = processCPUSeconds() - cpuStart

        let euler = eulerDraws > 0 ? try compareWithEuler(trial: trial) : nil
        let rss = peakResidentMiB()
        let gathered = try collective.gatherToRoot(Array(try JSONEncoder().encode([rss, cpu, setupCPU])))
        guard collective.isRoot, let gathered, let intervals = outcome.intervals else { return nil }
        let perRank = try gathered.map { try JSONDecoder().decode([Double].self, from: Data($0)) }
        let peaks = perRank.map { $0[0] }
        let cpuTotal = perRank.reduce(0) { $0 + $1[1] }
        let setupCPUTotal = perRank.reduce(0) { $0 + $1[2] }

        let done = outcome.statistics?.trials ?? trials
        let wall = outcome.timing.wallSeconds
        func points(_ quantity: CurveLayout.Quantity) -> [BenchResult.Point]? {
            let found = trial.grid.compactMap { n -> BenchResult.Point? in
                guard let i = trial.layout.index("linear", n, quantity) ?? Self.firstLinear(trial, n, quantity) else { return nil }
                let c = intervals[i]
                return BenchResult.Point(n: n, mean: c.mean, ciLow: c.low, ciHigh: c.high)
            }
            return found.isEmpty ? nil : found
        }
        var result = BenchResult(
            workload: workload.name, solver: solver.rawValue, ranks: collective.size, trials: done,
            d: workload.d, setupSeconds: setupSeconds, wallSeconds: wall,
            trialsPerSecond: Double(done) / wall, secondsPerTrial: Double(collective.size) * wall / Double(done),
            cpuSecondsPerTrial: cpuTotal / Double(done),
            peakRssMb: peaks, curve: points(.risk) ?? [],
            gradientEvaluations: points(.gradientEvaluations), converged: points(.converged),
            euler: euler)
        result.sampler = "\(trial.sampler)"
        result.setupCpuSeconds = setupCPUTotal
        if spec.estimator == .controlVariate {
            result.varianceReduction = trial.grid.compactMap { n in
                guard let r = trial.layout.index("linear", n, .plainRisk), let y = trial.layout.index("linear", n, .risk),
                      let term = trial.layout.index("linear", n, .trialTerm) else { return nil }
                func variance(_ i: Int) -> Double { intervals[i].standardDeviation * intervals[i].standardDeviation }
                let error = quadrature.flatMap { q in q.grid.firstIndex(of: n).map { q.errorEstimates[$0] } }
                return .init(n: n, estimate: variance(r) / variance(y), trialTerm: variance(r) / variance(term),
                             limitTermError: error)
            }
        }
        if solver == .flow {
            result.flowTime = points(.flowTime)
            result.limitGap = points(.limitGap)
        }
        let deep = trial.students.compactMap { plan -> BenchResult.DeepStudent? in
            guard case .deepLinear = plan.kind else { return nil }
            func curve(_ quantity: CurveLayout.Quantity) -> [BenchResult.Point] {
                trial.grid.compactMap { n in
                    guard let i = trial.layout.index(plan.label, n, quantity) else { return nil }
                    let c = intervals[i]
                    return BenchResult.Point(n: n, mean: c.mean, ciLow: c.low, ciHigh: c.high)
                }
            }
            let gap = curve(.limitGap)
            return BenchResult.DeepStudent(label: plan.label, limitGap: gap.isEmpty ? nil : gap,
                                           offSpan: curve(.offSpan), converged: curve(.converged),
                                           gradientEvaluations: curve(.gradientEvaluations))
        }
        if !deep.isEmpty { result.deep = deep }

        return result
    }

    static func firstLinear(_ trial: DistillationTrial, _ n: Int, _ q: CurveLayout.Quantity) -> Int? {
        trial.layout.keys.firstIndex { $0.n == n && $0.quantity == q }
    }

    /// Per draw and n: the flow (the experiment's integrator and tolerances) and its distance to the
    /// closed form; then explicit Euler at 0.99 × the largest stable step until it is as close.
    func compareWithEuler(trial: DistillationTrial) throws -> [BenchResult.EulerComparison]? {
        let options = trial.options
        struct Row: Codable {
            var draw: Int, n: Int, target: Double
            var flowGradients: Double, flowHessians: Double, flowSeconds: Double
            var eulerGradients: Double, eulerSeconds: Double, reached: Bool
        }
        var rows: [Row] = []
        let clock = ContinuousClock()
        for t in stride(from: collective.rank, to: eulerDraws, by: collective.size) {
            let problem = try trial.zeroInitialisedProblem(trial: t)
            for n in trial.grid {
                let start = clock.now
                let flow = problem.solve(prefix: n, solver: .flow, options: options)
                let flowSeconds = Self.seconds(clock.now - start)
                let closed = problem.solve(prefix: n, solver: .closed, options: options)
                let target = max(Self.relativeDistance(flow.coordinates, closed.coordinates), 1e-15)
                let eulerStart = clock.now
                // Euler's budget: enough to show a ratio up to `eulerBudget`; past it the ratio
                // is reported as a lower bound (with large logits σ' ~ e^{-|m|} and Euler
                // would take astronomically long).
                let budget = Self.eulerBudget * max(flow.statistics.gradientEvaluations, 1)
                let euler = problem.eulerToClosedForm(prefix: n, targetDistance: target, maxSteps: budget)
                let eulerSeconds = Self.seconds(clock.now - eulerStart)
                rows.append(Row(draw: t, n: n, target: target,
                                flowGradients: Double(flow.statistics.gradientEvaluations),
                                flowHessians: Double(flow.statistics.jacobianEvaluations),
                                flowSeconds: flowSeconds,
                                eulerGradients: Double(euler.gradientEvaluations), eulerSeconds: eulerSeconds,
                                reached: euler.reached))
            }
        }
        let gathered = try collective.gatherToRoot(Array(try JSONEncoder().encode(rows)))
        guard let gathered else { return nil }
        let all = try gathered.flatMap { try JSONDecoder().decode([Row].self, from: Data($0)) }
        return trial.grid.map { n in
            let mine = all.filter { $0.n == n }
            let k = Double(max(mine.count, 1))
            func mean(_ f: (Row) -> Double) -> Double { mine.reduce(0) { $0 + f($1) } / k }
            return BenchResult.EulerComparison(
                n: n, draws: mine.count, targetDistance: mean(\.target),
                flowGradientEvaluations: mean(\.flowGradients), flowHessianEvaluations: mean(\.flowHessians),
                flowSeconds: mean(\.flowSeconds), eulerGradientEvaluations: mean(\.eulerGradients),
                eulerSeconds: mean(\.eulerSeconds), ratio: mean { $0.eulerGradients / max($0.flowGradients, 1) },
                eulerReachedAll: mine.allSatisfy(\.reached))
        }
    }

    /// Euler may use this many times the flow's gradient evaluations before giving up.
    static let eulerBudget = 20

    static func relativeDistance(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0, nb = 0.0
        for i in b.indices { s += (a[i] - b[i]) * (a[i] - b[i]); nb += b[i] * b[i] }
        return nb > 0 ? (s / nb).squareRoot() : s.squareRoot()
    }

    static func seconds(_ d: Duration) -> Double {
        let (s, atto) = d.components
        return Double(s) + Double(atto) * 1e-18
    }
}
