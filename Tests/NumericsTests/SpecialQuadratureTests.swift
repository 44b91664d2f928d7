import Foundation
import Testing
@testable import Numerics

@Suite struct SpecialQuadratureTests {
    typealias S = SpecialFunctions

    @Test func gaussLegendreSmallRulesMatchClosedForms() {
        let one = Quadrature.gaussLegendre(nodes: 1)
        #expect(one.nodes == [0] && abs(one.weights[0] - 2) <= 1e-15)
        let two = Quadrature.gaussLegendre(nodes: 2)
        #expect(abs(two.nodes[1] - 1 / 3.0.squareRoot()) <= 1e-15 && abs(two.nodes[0] + two.nodes[1]) <= 1e-16)
        #expect(abs(two.weights[0] - 1) <= 1e-15 && abs(two.weights[1] - 1) <= 1e-15)
        let three = Quadrature.gaussLegendre(nodes: 3)
        #expect(abs(three.nodes[2] - (0.6).squareRoot()) <= 1e-15 && three.nodes[1] == 0)
        #expect(abs(three.weights[0] - 5.0 / 9) <= 1e-15 && abs(three.weights[1] - 8.0 / 9) <= 1e-15)
    }

    /// Exact for degree ≤ 2n − 1: ∫ x^k = 2/(k + 1) for even k, 0 for odd k, and
    /// ∫ P_m = 0 for 1 ≤ m ≤ 2n − 1 (Legendre polynomials: high degree without cancellation).
    @Test(arguments: [1, 2, 5, 10, 37, 100, 200])
    func gaussLegendreIsExactToDegree2nMinus1(n: Int) {
        let (nodes, weights) = Quadrature.gaussLegendre(nodes: n)
        #expect(nodes.count == n && weights.count == n)
        #expect(zip(nodes, nodes.dropFirst()).allSatisfy { $0 < $1 })
        #expect(nodes.allSatisfy { $0 > -1 && $0 < 1 } && weights.allSatisfy { $0 > 0 })
        #expect(abs(weights.reduce(0, +) - 2) <= 1e-14)
        for k in Set([1, 2, 2 * n - 2, 2 * n - 1]) where k >= 0 && k <= 2 * n - 1 {
            let sum = zip(nodes, weights).reduce(0.0) { $0 + $1.1 * pow($1.0, Double(k)) }
            let exact = k % 2 == 0 ? 2 / Double(k + 1) : 0
            #expect(abs(sum - exact) <= 1e-14, "n = \(n), k = \(k)")
        }
        // Σ w_i P_m(x_i) for all m at once, by the three-term recurrence at each node.
        var sums = [Double](repeating: 0, count: 2 * n)
        for (x, w) in zip(nodes, weights) {
            var p0 = 1.0, p1 = x
            sums[0] += w
            sums[1] += w * x
            for m in stride(from: 1, to: 2 * n - 1, by: 1) {
                let p2 = ((2 * Double(m) + 1) * x * p1 - Double(m) * p0) / Double(m + 1)
                p0 = p1; p1 = p2
                sums[m + 1] += w * p2
            }
        }
        #expect(abs(sums[0] - 2) <= 1e-14)
        for m in 1..<(2 * n) {
            #expect(abs(sums[m]) <= 1e-14, "n = \(n), ∫P_\(m) = \(sums[m])")
        }
    }

    /// Nodes and weights against 40-digit values (Fixtures/special_gauss_legendre.json, from
    /// make_special_reference.py --gauss-legendre): nodes and weights to 1e-15 absolute;
    /// weights also to 5e-13 relative (the small weights near ±1 inherit the rounding of the
    /// three-term recurrence for P_n': 2.6e-13 seen at n = 200).
    @Test(arguments: [37, 200])
    func gaussLegendreMatchesReference(n: Int) throws {
        struct Rule: Decodable { let nodes: [Double]; let weights: [Double] }
        let url = try #require(Bundle.module.url(forResource: "special_gauss_legendre", withExtension: "json",
                                                 subdirectory: "Fixtures"))
        let rules = try JSONDecoder().decode([String: Rule].self,
                                             from: Data(contentsOf: url).filteredRules())
        let reference = try #require(rules[String(n)])
        let (nodes, weights) = Quadrature.gaussLegendre(nodes: n)
        try #require(nodes.count == reference.nodes.count)
        var worstNode = 0.0, worstWeight = 0.0, worstRelativeWeight = 0.0
        for i in 0..<n {
            worstNode = max(worstNode, abs(nodes[i] - reference.nodes[i]))
            worstWeight = max(worstWeight, abs(weights[i] - reference.weights[i]))
            worstRelativeWeight = max(worstRelativeWeight, relativeError(weights[i], reference.weights[i]))
        }
        #expect(worstNode <= 1e-15, "n = \(n): worst node error \(worstNode)")
        #expect(worstWeight <= 1e-15, "n = \(n): worst weight error \(worstWeight)")
        #expect(worstRelativeWeight <= 5e-13, "n = \(n): worst relative weight error \(worstRelativeWeight)")
    }

    @Test func gaussLegendreIsNotExactBeyondDegree2nMinus1() {
        // A check that could fail: the 3-point rule misses ∫ x^6 = 2/7.
        let (nodes, weights) = Quadrature.gaussLegendre(nodes: 3)
        let sum = zip(nodes, weights).reduce(0.0) { $0 + $1.1 * pow($1.0, 6) }
        #expect(abs(sum - 2.0 / 7) > 1e-3)
    }

    @Test func adaptiveIntegratesSmoothAndSingularFunctions() {
        #expect(relativeError(Quadrature.integrate(sin, from: 0, to: .pi), 2) <= 1e-13)
        #expect(relativeError(Quadrature.integrate(exp, from: -3, to: 2), exp(2) - exp(-3)) <= 1e-13)
        // Integrable endpoint singularity: ∫_0^1 x^{-1/2} = 2.
        let r = Quadrature.integrateWithErrorEstimate({ 1 / $0.squareRoot() }, from: 0, to: 1, relativeTolerance: 1e-10)
        #expect(abs(r.value - 2) <= 1e-8 && r.errorEstimate >= abs(r.value - 2))
        // Reversed limits and empty interval.
        #expect(relativeError(Quadrature.integrate(sin, from: .pi, to: 0), -2) <= 1e-13)
        #expect(Quadrature.integrate(sin, from: 1, to: 1) == 0)
    }

    /// A spike far from every initial node is found when it is given as a breakpoint.
    @Test func breakpointsFindNarrowPeaks() {
        let centre = 0.3123, width = 1e-5
        let f = { (x: Double) in exp(-0.5 * pow((x - centre) / width, 2)) }
        let exact = width * (2 * Double.pi).squareRoot()
        let got = Quadrature.integrate(f, from: -1, to: 1, relativeTolerance: 1e-12, breakpoints: [centre])
        #expect(relativeError(got, exact) <= 1e-11)
    }

    /// ∫_{-1}^{1} (1 − v²)^{(d−4)/2} dv = B(½, (d−2)/2): the density of one coordinate of a
    /// uniform point on S^{d−2} (docs/THEORY.md §3), a spike of width ~1/√d at d = 10^6.
    @Test(arguments: [4.0, 5.0, 100.0, 1e4, 1e6])
    func sphereCoordinateDensityIsNormalised(d: Double) {
        let logNormaliser = S.logBeta(0.5, (d - 2) / 2)
        let density = { (v: Double) in exp((d - 4) / 2 * log1p(-v * v) - logNormaliser) }
        let total = Quadrature.integrate(density, from: -1, to: 1, relativeTolerance: 1e-12)
        #expect(abs(total - 1) <= 1e-10, "d = \(d): total \(total)")
        // E[v²] = 1/(d − 1).
        // v²·density vanishes at the centre node, so its peak must be given as a breakpoint.
        let second = Quadrature.integrate({ $0 * $0 * density($0) }, from: -1, to: 1,
                                          relativeTolerance: 1e-12, breakpoints: [0])
        #expect(relativeError(second, 1 / (d - 1)) <= 1e-9, "d = \(d)")
    }

    /// docs/THEORY.md §3: for the isotropic Gaussian at d = 100, cos²γ ~ Beta(n/2, (d−n)/2) and
    /// E[R_n] = (1/π) E[arccos √B]. Stated values 0.39968, 0.25, 0.10032 (to 1e-5); sharper
    /// reference from SciPy: scipy.integrate.quad of the same integrand with epsrel=1e-13
    /// gives 0.3996793255234424 and 0.1003206744765573.
    @Test(arguments: [(10, 0.39968, 0.3996793255234424), (50, 0.25, 0.25), (90, 0.10032, 0.1003206744765573)])
    func isotropicGaussianExpectedRisk(n: Int, stated: Double, sharp: Double) {
        let d = 100.0
        let a = Double(n) / 2, b = (d - Double(n)) / 2
        let logB = S.logBeta(a, b)
        let integrand = { (x: Double) -> Double in
            acos(x.squareRoot()) / Double.pi * exp((a - 1) * log(x) + (b - 1) * log1p(-x) - logB)
        }
        let risk = Quadrature.integrate(integrand, from: 0, to: 1, relativeTolerance: 1e-13)
        #expect(abs(risk - stated) <= 1e-5)
        #expect(abs(risk - sharp) <= 1e-12)
        // The Beta density itself integrates to 1 and its CDF agrees with I_x(a, b).
        let density = { (x: Double) in exp((a - 1) * log(x) + (b - 1) * log1p(-x) - logB) }
        let mean = a / (a + b)
        let cdf = Quadrature.integrate(density, from: 0, to: mean, relativeTolerance: 1e-13)
        #expect(relativeError(cdf, S.regularizedIncompleteBeta(a, b, mean)) <= 1e-12)
    }
}

private extension Data {
    /// The fixture's "generator" entry is a string; keep only the rule objects.
    func filteredRules() throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: self) as? [String: Any])
        object["generator"] = nil
        return try JSONSerialization.data(withJSONObject: object)
    }
}
