import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

/// The vector kernels installed on CVODE's serial vectors (`SerialVectorKernels`): their sums
/// against plain loops, and CVODE runs with them against runs on SUNDIALS' own loops.
@Suite struct CVODEVectorKernelsTests {
    /// The eight-way sums equal a plain left-to-right sum to rounding (≤ 1e-13 of Σ|a_i b_i|) at
    /// lengths around the SIMD width and at a deep flow's size; the control, one entry changed by
    /// 1e-6 of the sum's scale, is outside that bound.
    @Test(arguments: [0, 1, 7, 8, 9, 15, 2336])
    func sumsAgreeWithAPlainLoop(count n: Int) {
        var random = RandomStream(seed: 96, trial: UInt64(n), stream: .studentInit, index: 0)
        var a = random.normals(count: n), b = random.normals(count: n)
        func kernel(_ squared: Bool) -> Double {
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
                SerialVectorKernels.sum(count: n, pa.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                        pb.baseAddress ?? UnsafePointer(bitPattern: 8)!, squared: squared)
            } }
        }
        for squared in [false, true] {
            var plain = 0.0, scale = 0.0
            for i in 0..<n {
                let p = a[i] * b[i]
                plain += squared ? p * p : p
                scale += squared ? p * p : abs(p)
            }
            let value = kernel(squared)
            #expect(abs(value - plain) <= 1e-13 * scale, "n = \(n), squared \(squared): \(value) vs \(plain)")
            if n > 0 {
                let saved = a[n - 1]
                a[n - 1] += 1e-6 * max(scale, 1) / max(abs(b[n - 1]), 1e-3)
                #expect(abs(kernel(squared) - plain) > 1e-13 * scale, "control: a changed entry went unseen")
                a[n - 1] = saved
            }
        }
    }

    /// CVODE with matrix-free GMRES on the deep layers (depth 3, widths 3 and 2), with and without
    /// the kernels, reaches the same state at flow time 5 (1e-8 relative; the runs differ in
    /// rounding only), with the same number of steps to within a few; the control, the state at
    /// flow time 4.5, is far outside that bound.
    @Test func matrixFreeRunsAgreeWithSUNDIALSLoops() throws {
        let (system, theta, _, _) = DeepLinearFlowCVODETests.system()
        let options = try DeepLinearFlowCVODETests.options(.cvode, timeLimit: 5)
        let fast = GradientFlow.cvodeMatrixFree(problem: system, from: theta, options: options, vectorKernels: true)
        let plain = GradientFlow.cvodeMatrixFree(problem: system, from: theta, options: options, vectorKernels: false)
        #expect(fast.statistics.stopReason == .timeLimit && plain.statistics.stopReason == .timeLimit)
        let gap = StudentFixtures.relativeDifference(fast.state, plain.state)
        #expect(gap < 1e-8, "kernels vs SUNDIALS' loops: relative \(gap)")
        #expect(abs(fast.statistics.acceptedSteps - plain.statistics.acceptedSteps) <= 5,
                "\(fast.statistics.acceptedSteps) vs \(plain.statistics.acceptedSteps) steps")
        let earlier = GradientFlow.cvodeMatrixFree(problem: system, from: theta,
                                                   options: try DeepLinearFlowCVODETests.options(.cvode, timeLimit: 4.5))
        #expect(StudentFixtures.relativeDifference(earlier.state, plain.state) > 1e-4, "control: the flow did not move")
    }

    /// The same for the dense CVODE route on the balanced chain of a small draw, run to convergence:
    /// the same limit (1e-8) and flow time (1e-6 relative).
    @Test func denseRunsAgreeWithSUNDIALSLoops() throws {
        let problem = try StudentFixtures.problem(n: 6, d: 12, norm: 1, seed: 404)
        let start = DeepLinearBalancedChainTests.start(problem, k: 6, widths: [5, 4], scale: 0.05)
        let options = try DeepLinearBalancedChainTests.options(.cvode)
        let initial = start.chain.evaluate(at: start.theta, time: 0)
        let rule = ConvergenceRule(options: options, initialGradientNorm: initial.gradientNorm)
        func run(_ kernels: Bool) throws -> ODESolution {
            try CVODE.integrate(start.chain, from: start.theta, initial: initial, event: rule,
                                limits: GradientFlow.dormandPrinceLimits(options), vectorKernels: kernels)
        }
        let fast = try run(true), plain = try run(false)
        #expect(fast.outcome == .terminalEvent && plain.outcome == .terminalEvent)
        let gap = StudentFixtures.relativeDifference(fast.state, plain.state)
        #expect(gap < 1e-8, "kernels vs SUNDIALS' loops: relative \(gap)")
        #expect(abs(fast.flowTime / plain.flowTime - 1) < 1e-6, "flow times \(fast.flowTime) vs \(plain.flowTime)")
    }
}
