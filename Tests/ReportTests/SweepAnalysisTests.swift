import Experiments
import Foundation
import MonteCarlo
import Testing
@testable import Report

/// Across-sweep verdicts on synthetic sets of curves: each point a curve C·n^(−κ(d)) with
/// multiplicative Gaussian noise of known size, fitted like a run's curve, then judged along d.
@Suite struct SweepAnalysisTests {
    /// SplitMix64 and Box–Muller: the same noise on every run of the test.
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        mutating func gaussian() -> Double {
            let u = max(next(), 1e-300), v = next()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    static let grid = [5, 8, 13, 20, 32, 50, 80, 125, 200]
    static let ds: [Double] = [1000, 10000, 100_000, 1_000_000]

    /// One sweep point: the curve at this d, its fit, and a C2 verdict as a run would give it.
    static func point(d: Double, kappa: Double, relativeError: Double, noise: inout Noise,
                      grid: [Int] = grid) -> SweepAnalysis.PointResult? {
        let name = "syn[d=\(SweepCoordinate.format(d))]"
        let mean = grid.map { 0.3 * pow(Double($0), -kappa) * (1 + relativeError * noise.gaussian()) }
        // Independent points: a diagonal covariance of the means; many trials behind each.
        let k = grid.count
        var covariance = [Double](repeating: 0, count: k * k)
        for i in 0..<k { covariance[i * k + i] = pow(relativeError * mean[i], 2) }
        let result = DecayFitter.fit(.polynomial, n: grid, mean: mean, covariance: covariance, trials: 100_000)
        guard case .success(let fit) = result else { return nil }
        let verdict = VerdictRules.decayRate(claim: "C2", experiment: name, student: "linear", model: .polynomial,
                                             fit: result, predicted: 2, threshold: 2)
        let coordinates = [SweepCoordinate(parameter: .d, value: d)]
        return SweepAnalysis.PointResult(
            point: SweepPoint(sweep: "syn", coordinates: coordinates, baseSeed: 1), experiment: name, seed: 1,
            fits: [SummaryDocument.Fit(experiment: name, student: "linear", fit: fit, predicted: 2)],
            verdicts: [verdict])
    }

    static func summary(kappa: (Double) -> Double, relativeError: Double, seed: UInt64 = 7,
                        grid: [Int] = grid) -> SweepSummary {
        var noise = Noise(state: seed)
        let points = ds.compactMap { point(d: $0, kappa: kappa($0), relativeError: relativeError, noise: &noise, grid: grid) }
        let spec = SweepSpec(axes: [SweepAxis(parameter: .d, values: .values(ds))])
        return SweepAnalysis.summary(sweep: "syn", spec: spec, points: points)
    }

    @Test func aRateIndependentOfDHolds() throws {
        let s = Self.summary(kappa: { _ in 2 }, relativeError: 0.01)
        #expect(s.rows.count == 4 && s.rows.allSatisfy { $0.fitted != nil && $0.predicted == 2 })
        let trend = try #require(s.trends.first)
        #expect(s.trends.count == 1)
        #expect(trend.claim == "C2-vs-d" && trend.experiment == "syn" && trend.points == 4)
        #expect(trend.status == .holds, "\(trend.detail)")
        let low = try #require(trend.slopeLow), high = try #require(trend.slopeHigh)
        #expect(low >= -0.05 && high <= 0.05 && low < 0 && high > 0)
    }

    /// The control the verdict must be able to reject: the exponent grows by 0.3 per decade of
    /// d (0.15 relative to the predicted 2, three times the resolution).
    @Test func aRateThatDriftsWithDFails() throws {
        let s = Self.summary(kappa: { 2 + 0.3 * log10($0 / 1000) }, relativeError: 0.01)
        let trend = try #require(s.trends.first)
        #expect(trend.status == .fails, "\(trend.detail)")
        let slope = try #require(trend.slope)
        #expect(abs(slope - 0.15) < 0.02)
        #expect(try #require(trend.slopeLow) > 0.05)
        // A drift at the resolution itself, measured with 10% noise on four n, cannot be decided.
        let noisy = Self.summary(kappa: { 2 + 0.1 * log10($0 / 1000) }, relativeError: 0.1,
                                 grid: [5, 10, 20, 40])
        #expect(noisy.rows.count == 4 && noisy.rows.allSatisfy { $0.fitted != nil })
        #expect(noisy.trends.first?.status == .inconclusive, "\(noisy.trends.first?.detail ?? "")")
    }

    @Test func pointsWithoutAFitAreListedAndTooFewAreInconclusive() throws {
        var noise = Noise(state: 3)
        var points = [Self.point(d: 1000, kappa: 2, relativeError: 0.01, noise: &noise)!]
        let name = "syn[d=10000]"
        points.append(SweepAnalysis.PointResult(
            point: SweepPoint(sweep: "syn", coordinates: [SweepCoordinate(parameter: .d, value: 10000)], baseSeed: 1),
            experiment: name, seed: 2, fits: [],
            verdicts: [Verdict(claim: "C2", experiment: name, student: "linear", status: .inconclusive,
                               numbers: ["predicted": 2], detail: "no decay law could be fitted", rule: "")]))
        let spec = SweepSpec(axes: [SweepAxis(parameter: .d, values: .values([1000, 10000]))])
        let s = SweepAnalysis.summary(sweep: "syn", spec: spec, points: points)
        #expect(s.rows.count == 2 && s.rows[1].fitted == nil && s.rows[1].predicted == 2 && s.rows[1].status == .inconclusive)
        #expect(s.points.map(\.experiment) == ["syn[d=1000]", name])
        let trend = try #require(s.trends.first)
        #expect(trend.status == .inconclusive && trend.points == 1 && trend.total == 2 && trend.slope == nil)

        let csv = SweepsCSV.render([s]).split(separator: "\n").map(String.init)
        #expect(csv[0] == "row,sweep,experiment,claim,student,d,kappa,theta0,alpha,norm,temperature,fitted,fitted_low,fitted_high,predicted,resolution,points,status")
        #expect(csv.count == 4)
        #expect(csv[2] == "point,syn,syn[d=10000],C2,linear,10000,,,,,,,,,2.0,,,inconclusive")
        #expect(csv[3] == "across,syn,syn,C2-vs-d,linear,,,,,,,,,,0,0.05,1,inconclusive")
    }

    /// Two axes: one verdict along d per κ, one along κ per d.
    @Test func twoAxesGiveOneVerdictPerLine() throws {
        var noise = Noise(state: 11)
        var points: [SweepAnalysis.PointResult] = []
        for d in [1000.0, 100_000] {
            for kappa in [1.0, 2, 4] {
                var p = try #require(Self.point(d: d, kappa: kappa, relativeError: 0.01, noise: &noise))
                p.point.coordinates.append(SweepCoordinate(parameter: .kappa, value: kappa))
                p.fits[0].predicted = kappa
                points.append(p)
            }
        }
        let spec = SweepSpec(axes: [SweepAxis(parameter: .kappa, values: .values([1, 2, 4])),
                                    SweepAxis(parameter: .d, values: .values([1000, 100_000]))])
        let s = SweepAnalysis.summary(sweep: "syn", spec: spec, points: points)
        #expect(s.parameters == [.d, .kappa])
        #expect(s.trends.map(\.experiment) == ["syn[kappa=1]", "syn[kappa=2]", "syn[kappa=4]", "syn[d=1000]", "syn[d=100000]"])
        #expect(s.trends.allSatisfy { $0.status == .holds }, "\(s.trends.map(\.detail))")
    }

    @Test func theDriftFitRecoversAKnownSlope() throws {
        let x = [3.0, 4, 5, 6]
        let d = try #require(SweepAnalysis.drift(x: x, ratio: x.map { 1 + 0.02 * $0 }, standardError: [0.01, 0.01, 0.01, 0.01],
                                                 confidence: 0.95, resolution: 0.05))
        #expect(abs(d.slope - 0.02) < 1e-12 && d.chiSquare < 1e-20 && d.degreesOfFreedom == 2)
        // Half-width z·s/√Σ(x − x̄)² = 1.96 · 0.01 / √5.
        #expect(abs((d.high - d.low) / 2 - 1.959964 * 0.01 / 5.0.squareRoot()) < 1e-6)
        #expect(d.status == .holds)
        #expect(SweepAnalysis.drift(x: [3, 3], ratio: [1, 1], standardError: [0.1, 0.1], confidence: 0.95, resolution: 0.05) == nil)
    }
}
