import LinearAlgebra
import Testing
@testable import Distillation
import Numerics
import Foundation

/// The balanced start's exact reduced flow (`BalancedChainSystem`, p + N − 1 coordinates)
/// against the layers' flow (`DeepSystem`) on the same start: its Hessian, the trajectory, the
/// limit and the flow time, under each integrator; and a start off the chain's subspace, which
/// the comparison must tell apart.
@Suite struct DeepLinearBalancedChainTests {
    static func stream(_ seed: UInt64) -> RandomStream {
        RandomStream(seed: seed, trial: 0, stream: .studentInit, index: 0)
    }

    /// A reduced system on random points with random targets (not fitted: p = 4 < k = 6).
    static func reduced() -> ReducedSystem {
        var random = Self.stream(91)
        let p = 4, k = 6
        return ReducedSystem(p: p, k: k, s: random.normals(count: p * k), initialLogits: [Double](repeating: 0, count: k),
                             targets: random.normals(count: k).map { 2 * $0 })
    }

    /// The analytic Hessian equals the central difference quotient of the gradient (error O(ε²));
    /// the control, the Hessian at another point, does not.
    @Test(arguments: [2, 3, 4])
    func hessianIsTheDerivativeOfTheGradient(depth: Int) {
        let chain = BalancedChainSystem(reduced: Self.reduced(), depth: depth)
        var random = Self.stream(92)
        let theta = random.normals(count: chain.dimension).map { 0.8 * $0 }
        let other = random.normals(count: chain.dimension).map { 0.8 * $0 }
        let epsilon = 1e-5, n = chain.dimension
        var quotient = [Double](), analytic = [Double](), control = [Double]()
        let hessian = chain.hessian(at: theta), otherHessian = chain.hessian(at: other)
        for column in 0..<n {
            var plus = theta, minus = theta
            plus[column] += epsilon
            minus[column] -= epsilon
            let gp = chain.gradient(at: plus).gradient, gm = chain.gradient(at: minus).gradient
            for row in 0..<n {
                quotient.append((gp[row] - gm[row]) / (2 * epsilon))
                analytic.append(hessian[row, column])
                control.append(otherHessian[row, column])
            }
        }
        #expect(norm2(quotient) > 1e-2)
        let error = StudentFixtures.relativeDifference(analytic, quotient)
        #expect(error < 1e-7, "depth \(depth): Hessian vs difference quotient, relative \(error)")
        #expect(StudentFixtures.relativeDifference(control, quotient) > 1e-2, "control: Hessian elsewhere agrees")
    }

    /// A balanced rank-one start on prefix k of `problem`, as `solveDeep` draws it (no halving
    /// needed at these scales: checked), in chain coordinates and as layers.
    struct Start {
        let chain: BalancedChainSystem
        let deep: DeepSystem
        let theta: [Double]
        let directions: [[Double]]
        var layers: [Double] { deep.shapes.flatten(chain.layers(theta, directions: directions)) }
    }

    static func start(_ problem: LinearDistillationProblem, k: Int, widths: [Int], scale: Double) -> Start {
        let base = problem.reduce(prefix: k, targets: Array(problem.teacherLogits[0..<k]))
        let system = ReducedSystem(p: base.rank, k: k, s: base.system.s, initialLogits: [Double](repeating: 0, count: k),
                                   targets: base.system.targets)
        let zero = [Double](repeating: 0, count: k)
        var direction = system.gradient(fromLogits: zero).map { -$0 }
        let length = norm2(direction)
        direction = direction.map { $0 / length }
        precondition(system.loss(fromLogits: system.logits(direction.map { $0 * scale })) < system.loss(fromLogits: zero))
        let depth = widths.count + 1
        let s = pow(scale, 1 / Double(depth))
        var random = Self.stream(93)
        let directions = widths.map { random.unitVector(dimension: $0) }
        let shapes = DeepShapes(reducedDimension: base.rank, hiddenWidths: widths)
        return Start(chain: BalancedChainSystem(reduced: system, depth: depth),
                     deep: DeepSystem(shapes: shapes, reduced: system),
                     theta: direction.map { s * $0 } + [Double](repeating: s, count: depth - 1), directions: directions)
    }

    static func options(_ integrator: FlowIntegrator, timeLimit: Double = .infinity) throws -> SolverOptions {
        try SolverOptions(gradientTolerance: 1e-10, fitTolerance: 1e-10, timeLimit: timeLimit, maxSteps: 200_000,
                          integrator: integrator)
    }

    /// On a small ambient draw (d = 12, k = 6, depth 3, widths 5 and 4), the chain's flow under
    /// each of its integrators (CVODE, the default, and Dormand–Prince) and under our RODAS4 on
    /// its dense Hessian reaches the layers' state (Dormand–Prince on the layers) to 1e-7 relative,
    /// with the same gradient norm at the start (the same stopping rule) and flow times within
    /// 0.5 %; at 10 % of that flow time the trajectories agree to 1e-7 and are not yet at the limit.
    @Test(arguments: ["cvode", "dormand-prince", "rodas4"])
    func chainFollowsTheLayersFlow(integrator: String) throws {
        let problem = try StudentFixtures.problem(n: 6, d: 12, norm: 1, seed: 404)
        let start = Self.start(problem, k: 6, widths: [5, 4], scale: 0.05)
        let initialChain = start.chain.evaluate(at: start.theta, time: 0)
        let initialLayers = start.deep.evaluate(at: start.layers, time: 0)
        #expect(abs(initialChain.gradientNorm / initialLayers.gradientNorm - 1) < 1e-12)
        let layers = GradientFlow.integrate(start.deep, from: start.layers, options: try Self.options(.dormandPrince))
        let chain = try Self.integrateChain(start.chain, from: start.theta, integrator, options: Self.options(.cvode))
        let tl = try Self.expectSameEnd(start, layers: layers, chain: chain, within: 1e-7, integrator)

        let time = 0.1 * tl
        let early = GradientFlow.integrate(start.deep, from: start.layers, options: try Self.options(.dormandPrince, timeLimit: time))
        let chainEarly = try Self.integrateChain(start.chain, from: start.theta, integrator,
                                                 options: Self.options(.cvode, timeLimit: time))
        #expect(early.statistics.stopReason == .timeLimit && chainEarly.statistics.stopReason == .timeLimit)
        let earlyLayers = start.deep.shapes.flatten(start.chain.layers(chainEarly.state, directions: start.directions))
        let trajectory = StudentFixtures.relativeDifference(earlyLayers, early.state)
        #expect(trajectory < 1e-7, "\(integrator): layers at T = \(time) differ by \(trajectory)")
        #expect(StudentFixtures.relativeDifference(early.state, layers.state) > 1e-3, "already at the limit")
    }

    /// The chain's flow by `integrator`: "cvode" and "dormand-prince" through `GradientFlow`,
    /// "rodas4" by our Rosenbrock method on the chain's Hessian at the same local tolerance.
    static func integrateChain(_ chain: BalancedChainSystem, from theta: [Double], _ integrator: String,
                               options: SolverOptions) throws -> (state: [Double], statistics: SolverStatistics) {
        switch integrator {
        case "rodas4":
            let initial = chain.evaluate(at: theta, time: 0)
            let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
            let solution = Rosenbrock.integrate(chain, from: theta, curvature: chain.hessian(at: theta), initial: initial,
                                                event: rule, limits: GradientFlow.dormandPrinceLimits(options))
            return (solution.state, rule.statistics(solution))
        case "dormand-prince":
            var changed = options
            changed.integrator = .dormandPrince
            return GradientFlow.integrate(chain, from: theta, options: changed)
        default:
            return GradientFlow.integrate(chain, from: theta, options: options)
        }
    }

    /// The stiff case the chain is for: margin θ0 = 0.2, unit radius, d = 10^5 (Gram sampler),
    /// k = 10, depth 3, widths 8. The layers' flow by CVODE with GMRES and the chain's by its
    /// default (dense CVODE) reach the same layers to 1e-6 relative and flow times within 0.5 %.
    @Test func chainFollowsTheLayersFlowOnTheStiffMarginCase() throws {
        let geometry = try MarginGeometry(dimension: 100_000, margin: 0.2, radial: .unit)
        var stream = RandomStream(seed: 94, trial: 0, stream: .transferSet, index: 0)
        let problem = try LinearDistillationProblem(gram: geometry.sampleGramTransferSet(count: 10, using: &stream),
                                                    teacherNorm: 1)
        let start = Self.start(problem, k: 10, widths: [8, 8], scale: 0.01)
        let layers = GradientFlow.integrate(start.deep, from: start.layers, options: try Self.options(.cvode))
        let chain = GradientFlow.integrate(start.chain, from: start.theta, options: try Self.options(.rosenbrock))
        try Self.expectSameEnd(start, layers: layers, chain: chain, within: 1e-6, "stiff margin")
    }

    /// Both flows converged, the chain's end rebuilt as layers lies within `tolerance` (relative)
    /// of the layers' end, and the flow times agree within 0.5 %; gives the layers' flow time.
    @discardableResult
    static func expectSameEnd(_ start: Start, layers: (state: [Double], statistics: SolverStatistics),
                              chain: (state: [Double], statistics: SolverStatistics), within tolerance: Double,
                              _ label: String) throws -> Double {
        #expect(layers.statistics.converged && chain.statistics.converged, "\(layers.statistics) | \(chain.statistics)")
        let final = start.deep.shapes.flatten(start.chain.layers(chain.state, directions: start.directions))
        let gap = StudentFixtures.relativeDifference(final, layers.state)
        #expect(gap < tolerance, "\(label): final layers differ by \(gap)")
        let tl = try #require(layers.statistics.flowTime), tc = try #require(chain.statistics.flowTime)
        #expect(abs(tc / tl - 1) < 5e-3, "\(label): flow times \(tc) (chain) vs \(tl) (layers)")
        return tl
    }

    /// Depth 1 has no chain (no hidden layer): the balanced start is the linear student's flow
    /// from s·(−∇L(0)/‖∇L(0)‖), one layer of 1 × p, and it ends at P w*.
    @Test func depthOneBalancedStartIsTheLinearFlow() throws {
        let problem = try StudentFixtures.problem(n: 6, d: 12, norm: 1, seed: 404)
        let closed = problem.solve(prefix: 6, solver: .closed)
        let student = try problem.solveDeep(prefix: 6, architecture: DeepLinearArchitecture(hiddenWidths: []),
                                            initialization: .balancedInSpan(scale: 0.05), stream: Self.stream(97),
                                            options: Self.options(.rosenbrock))
        #expect(student.statistics.converged, "\(student.statistics)")
        #expect(student.layers.count == 1 && student.layers[0].rows == 1 && student.layers[0].columns == 6)
        let error = StudentFixtures.relativeDifference(student.coordinates, closed.coordinates)
        #expect(error < 1e-6, "end-to-end vs P w*: relative \(error)")
    }

    /// A control that must fail: a start off the chain's subspace (the rank-one layers plus
    /// N(0, 0.02²) entries in W_2) makes the layers' flow leave what the chain can represent, and
    /// the comparison above sees it at 10 % of the flow time.
    @Test func startOffTheSubspaceIsDetected() throws {
        let problem = try StudentFixtures.problem(n: 6, d: 12, norm: 1, seed: 404)
        let start = Self.start(problem, k: 6, widths: [5, 4], scale: 0.05)
        var perturbed = start.layers
        var random = Self.stream(95)
        let offset = start.deep.shapes.widths[1] * start.deep.shapes.widths[0]
        let count = start.deep.shapes.widths[2] * start.deep.shapes.widths[1]
        let noise = random.normals(count: count)
        for i in 0..<count { perturbed[offset + i] += 0.02 * noise[i] }
        let full = GradientFlow.integrate(start.deep, from: start.layers, options: try Self.options(.dormandPrince))
        let time = 0.1 * (try #require(full.statistics.flowTime))
        let layers = GradientFlow.integrate(start.deep, from: perturbed, options: try Self.options(.dormandPrince, timeLimit: time))
        let chain = GradientFlow.integrate(start.chain, from: start.theta, options: try Self.options(.rosenbrock, timeLimit: time))
        let mapped = start.deep.shapes.flatten(start.chain.layers(chain.state, directions: start.directions))
        let gap = StudentFixtures.relativeDifference(mapped, layers.state)
        #expect(gap > 1e-3, "perturbed start within \(gap) of the chain")
    }
}
