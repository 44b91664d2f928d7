#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What `kdmc bench` prints on rank 0: one JSON object, the same shape as the comparator's
/// (bench/comparator.py), read by bench/run.py.
struct BenchResult: Codable, Equatable {
    struct Point: Codable, Equatable {
        var n: Int
        var mean: Double
        var ciLow: Double
        var ciHigh: Double
    }

    /// Gradient evaluations of the adaptive flow against fixed-step Euler at the largest stable
    /// step, run to the same distance from the closed-form limit.
    struct EulerComparison: Codable, Equatable {
        var n: Int
        var draws: Int
        /// Mean distance ‖e_flow − e_closed‖/‖e_closed‖ the flow ended at (Euler's target).
        var targetDistance: Double
        var flowGradientEvaluations: Double
        var flowHessianEvaluations: Double
        var flowSeconds: Double
        var eulerGradientEvaluations: Double
        var eulerSeconds: Double
        /// Euler's gradient evaluations over the flow's (mean over draws of the per-draw ratio).
        var ratio: Double
        /// Every Euler run reached the flow's distance within its step budget.
        var eulerReachedAll: Bool
    }

    var tool = "kdmc"
    var workload: String
    var solver: String
    var ranks: Int
    var trials: Int
    var d: Int
    /// The sampler the trial used (auto resolved): gram or ambient.
    var sampler: String?
    /// Setup before the first trial (geometry, teacher), seconds, rank 0.
    var setupSeconds: Double
    /// CPU seconds all ranks spent on the setup (geometry, teacher, and the control variate's
    /// limit-term quadrature): a fixed cost of the run, outside `cpuSecondsPerTrial`.
    var setupCpuSeconds: Double? = nil
    /// Wall time of the trial loop (the engine's run), seconds.
    var wallSeconds: Double
    var trialsPerSecond: Double
    /// ranks × wall / trials: the time one rank spends on one trial (all n of the grid).
    var secondsPerTrial: Double
    /// CPU seconds (user + system) all ranks spent in the trial loop, per trial: less sensitive
    /// than the wall time to other programs sharing the cores.
    var cpuSecondsPerTrial: Double
    /// Peak resident set size of each rank over the process lifetime, MiB (getrusage).
    var peakRssMb: [Double]
    var curve: [Point]
    /// Mean gradient evaluations per flow at each n (flow solver only).
    var gradientEvaluations: [Point]?
    /// Fraction of flows that met their stopping rule, per n (flow solver only).
    var converged: [Point]?
    /// Mean flow time at convergence and ‖w − w_closed‖/‖w_closed‖, per n (flow solver only).
    var flowTime: [Point]? = nil
    var limitGap: [Point]? = nil
    var euler: [EulerComparison]?
    /// Control-variate workloads: per n, Var(R)/Var(Y) and Var(R)/Var(R − R^∞) on the run's trials.
    var varianceReduction: [VarianceReduction]?
    struct VarianceReduction: Codable, Equatable {
        var n: Int
        var estimate: Double
        var trialTerm: Double
        /// The quadrature's error estimate of the limit term (absolute); nil when it is sampled.
        var limitTermError: Double? = nil
    }
    /// The deep linear students' L2 quantities (docs/THEORY.md §2), per n: the mean relative distance
    /// of the end-to-end vector to P w* (balanced starts), the off-span norm, convergence.
    struct DeepStudent: Codable, Equatable {
        var label: String
        var limitGap: [Point]?
        var offSpan: [Point]
        var converged: [Point]
        var gradientEvaluations: [Point]
    }
    var deep: [DeepStudent]?
    var notes: [String] = []

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    func encodedLine() throws -> String {
        String(decoding: try Self.encoder.encode(self), as: UTF8.self)
    }
}

/// CPU seconds (user + system) this process has used so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Peak resident set size of this process so far, MiB (ru_maxrss is in KiB on Linux).
func peakResidentMiB() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return .nan }
    return Double(usage.ru_maxrss) / 1024
}
