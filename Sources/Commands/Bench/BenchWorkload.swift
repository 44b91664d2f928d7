import Distillation
import Foundation
import MonteCarlo
import Experiments

/// The benchmark's workloads (issue 5), each an ordinary experiment file run through the same
/// engine as `kdmc run`. The comparator (bench/comparator.py) defines the same workloads by the
/// same names; keep the two in step.
struct BenchWorkload: Sendable, Equatable {
    var name: String
    var summary: String
    /// The `geometry` member of the experiment, as JSON.
    var geometry: String
    var d: Int
    var n: [Int]
    /// The `estimator` member (docs/EXPERIMENT-SCHEMA.md); plain unless a workload says.
    var estimator: String = "plain"
    /// The `students` member as JSON; nil: one zero-initialised linear student.
    var students: String? = nil
    /// The `solver` member as JSON for `--solver flow`, replacing the benchmark's flow settings
    /// (the deep rows use the deep-linear preset's, with `--integrator` added when one is named);
    /// nil: those settings.
    var solverOverride: String? = nil
    /// The `sampler` member; nil: "auto".
    var sampler: String? = nil

    static let all: [BenchWorkload] = [
        BenchWorkload(name: "W1", summary: "gaussian, d = 1000, linear student",
                      geometry: #""gaussian""#, d: 1000, n: [10, 20, 50, 100, 200, 500]),
        BenchWorkload(name: "W2", summary: "poly-tail κ = 2, d = 10^5",
                      geometry: #"{"kind": "poly-tail", "kappa": 2}"#, d: 100_000,
                      n: [1, 2, 5, 10, 20, 50, 100, 200]),
        BenchWorkload(name: "W3", summary: "poly-tail κ = 2, d = 10^6",
                      geometry: #"{"kind": "poly-tail", "kappa": 2}"#, d: 1_000_000,
                      n: [1, 2, 5, 10, 20, 50, 100, 200]),
        BenchWorkload(name: "W4", summary: "anisotropic α = 1, teacher on eigenvector 1, d = 2000 (ambient)",
                      geometry: #"{"kind": "anisotropic", "alpha": 1, "teacher_direction": {"kind": "eigenvector", "index": 1}}"#,
                      d: 2000, n: [10, 20, 50, 100, 200, 500, 1000]),
        // The control variate (issue 18): the same poly-tail κ = 2 workload, plain against
        // control-variate, at d = 10^4 and 10^6.
        BenchWorkload(name: "V4", summary: "poly-tail κ = 2, d = 10^4, n = 5…200, plain",
                      geometry: #"{"kind": "poly-tail", "kappa": 2}"#, d: 10_000, n: Self.controlVariateGrid),
        BenchWorkload(name: "V4cv", summary: "poly-tail κ = 2, d = 10^4, n = 5…200, control-variate",
                      geometry: #"{"kind": "poly-tail", "kappa": 2}"#, d: 10_000, n: Self.controlVariateGrid,
                      estimator: "control-variate"),
        BenchWorkload(name: "V6", summary: "poly-tail κ = 2, d = 10^6, n = 5…200, plain",
                      geometry: #"{"kind": "poly-tail", "kappa": 2}"#, d: 1_000_000, n: Self.controlVariateGrid),
        BenchWorkload(name: "V6cv", summary: "poly-tail κ = 2, d = 10^6, n = 5…200, control-variate",
                      geometry: #"{"kind": "poly-tail", "kappa": 2}"#, d: 1_000_000, n: Self.controlVariateGrid,
                      estimator: "control-variate"),
        // The importance estimator (issue 18): margin θ0 = 0.2, n = 1…20, plain against
        // importance on the same workload, at d = 100, 1000 and 10^4.
        BenchWorkload(name: "M2", summary: "margin θ0 = 0.2, d = 100, n = 1…20, plain",
                      geometry: Self.marginGeometry, d: 100, n: Self.marginGrid, sampler: "gram"),
        BenchWorkload(name: "M2is", summary: "margin θ0 = 0.2, d = 100, n = 1…20, importance",
                      geometry: Self.marginGeometry, d: 100, n: Self.marginGrid, estimator: "importance", sampler: "gram"),
        BenchWorkload(name: "M3", summary: "margin θ0 = 0.2, d = 1000, n = 1…20, plain",
                      geometry: Self.marginGeometry, d: 1000, n: Self.marginGrid, sampler: "gram"),
        BenchWorkload(name: "M3is", summary: "margin θ0 = 0.2, d = 1000, n = 1…20, importance",
                      geometry: Self.marginGeometry, d: 1000, n: Self.marginGrid, estimator: "importance", sampler: "gram"),
        BenchWorkload(name: "M4", summary: "margin θ0 = 0.2, d = 10^4, n = 1…20, plain",
                      geometry: Self.marginGeometry, d: 10_000, n: Self.marginGrid, sampler: "gram"),
        BenchWorkload(name: "M4is", summary: "margin θ0 = 0.2, d = 10^4, n = 1…20, importance",
                      geometry: Self.marginGeometry, d: 10_000, n: Self.marginGrid, estimator: "importance", sampler: "gram"),
        BenchWorkload(name: "S1", summary: "stiff flow: gaussian, d = 200, n up to 198 (nearly dependent points)",
                      geometry: #""gaussian""#, d: 200, n: [50, 100, 150, 190, 198]),
        BenchWorkload(name: "D30", summary: "the deep-linear preset's experiment: gaussian, d = 30 (ambient), linear + depth 2 and 3 deep students, balanced and random",
                      geometry: #""gaussian""#, d: 30, n: [1, 2, 5, 10, 15, 20, 25],
                      students: deepPresetStudents, solverOverride: deepSolver, sampler: "ambient"),
        BenchWorkload(name: "D1", summary: "deep linear depth 3, widths 32, gaussian d = 10^5 (Gram), balanced and random",
                      geometry: #""gaussian""#, d: 100_000, n: [1, 2, 5, 10, 20, 50],
                      students: #"[{"kind": "deep-linear", "depth": 3, "widths": [32, 32], "init": {"kind": "balanced", "scale": 0.01}}, {"kind": "deep-linear", "depth": 3, "widths": [32, 32], "init": {"kind": "random", "scale": 0.01}}]"#,
                      solverOverride: deepSolver, sampler: "gram"),
        // The stiff deep flows (docs/THEORY.md §2): points on the unit sphere within θ0 = 0.2 of
        // the teacher's normal are nearly collinear, so the flow runs to t ~ 10^5.
        BenchWorkload(name: "D1m", summary: "deep linear depth 3, widths 32, margin θ0 = 0.2, unit radius, d = 10^5 (Gram), balanced and random",
                      geometry: #"{"kind": "margin", "theta0": 0.2, "radius": "unit"}"#, d: 100_000,
                      n: [1, 5, 10, 15, 20, 25, 30, 40],
                      students: #"[{"kind": "deep-linear", "depth": 3, "widths": [32, 32], "init": {"kind": "balanced", "scale": 0.01}}, {"kind": "deep-linear", "depth": 3, "widths": [32, 32], "init": {"kind": "random", "scale": 0.01}}]"#,
                      solverOverride: deepSolver, sampler: "gram"),
    ]

    static let controlVariateGrid = [5, 8, 14, 24, 41, 70, 118, 200]
    static let marginGrid = Array(1...20)
    static let marginGeometry = #"{"kind": "margin", "theta0": 0.2, "radius": "chi"}"#
    /// The solver of jobs/experiments/deep-linear.json, shared by the deep rows so they compare.
    static let deepSolver = #"{"kind": "flow", "tolerance": 1e-8}"#
    /// The students of jobs/experiments/deep-linear.json.
    static let deepPresetStudents = #"""
        [{"kind": "linear", "init": "zero"},
         {"kind": "deep-linear", "depth": 2, "widths": [30], "init": {"kind": "balanced", "scale": 0.01}},
         {"kind": "deep-linear", "depth": 2, "widths": [30], "init": {"kind": "random", "scale": 0.01}},
         {"kind": "deep-linear", "depth": 3, "widths": [30, 30], "init": {"kind": "balanced", "scale": 0.01}},
         {"kind": "deep-linear", "depth": 3, "widths": [30, 30], "init": {"kind": "random", "scale": 0.01}}]
        """#

    static func named(_ name: String) -> BenchWorkload? {
        all.first { $0.name.lowercased() == name.lowercased() }
    }

    /// How the student is trained in a benchmark run.
    enum Solver: String, Sendable, CaseIterable {
        /// The closed-form limit.
        case closed
        /// The gradient flow (RODAS4) to the project's default stopping rule (relative gradient and
        /// fit tolerance 1e-10, what an experiment without a `tolerance` runs), with the local
        /// integration tolerance 1e-8 where the flow is not measured from its limit (Rosenbrock:
        /// keep it ≲ the stopping tolerances there; 1e-10 takes ~3× the steps).
        case flow

        func json(_ flow: FlowChoice) -> String {
            switch self {
            case .closed: #""closed""#
            case .flow:
                #"{"kind": "flow", "tolerance": 1e-10, "fit_tolerance": 1e-10, "integration_tolerance": \#(flow.integrationTolerance), "integrator": "\#(flow.integrator.rawValue)"}"#
            }
        }
    }

    /// The flow's integrator and local tolerance (`kdmc bench --integrator`, `--integration-tolerance`).
    struct FlowChoice: Sendable, Equatable {
        var integrator: FlowIntegrator = .rosenbrock
        var integrationTolerance: Double = 1e-8
    }

    /// Block size: an eighth of the trials when that divides them, so that both 1 and 2 ranks
    /// get whole rounds of blocks and the statistics do not depend on the rank count.
    static func blockSize(trials: Int) -> Int {
        trials % 8 == 0 ? trials / 8 : 1
    }

    /// The experiment file of this workload.
    func experimentJSON(solver: Solver, trials: Int, seed: UInt64 = 2026, flow: FlowChoice = FlowChoice()) -> String {
        """
        {"name": "bench-\(name.lowercased())-\(solver.rawValue)",
         "description": "kdmc bench \(name): \(summary), \(solver.rawValue) solver",
         "geometry": \(geometry), "d": \(d), "n": [\(n.map(String.init).joined(separator: ", "))],
         "students": \(students ?? #"["linear"]"#), "solver": \(solver == .flow ? overriddenSolver(flow) ?? solver.json(flow) : solver.json(flow)),
         "stopping": {"trials": \(trials)}, "block_size": \(Self.blockSize(trials: trials)),
         "seed": \(seed), "sampler": "\(sampler ?? "auto")"\(estimator == "plain" ? "" : #", "estimator": "\#(estimator)""#)}
        """
    }

    /// `solverOverride` with the integrator of `flow` when that is not the default.
    func overriddenSolver(_ flow: FlowChoice) -> String? {
        guard let solverOverride else { return nil }
        guard flow.integrator != FlowChoice().integrator, solverOverride.hasSuffix("}") else { return solverOverride }
        return String(solverOverride.dropLast()) + #", "integrator": "\#(flow.integrator.rawValue)"}"#
    }

    /// The experiment, validated exactly as `kdmc run` validates a file.
    func spec(solver: Solver, trials: Int, seed: UInt64 = 2026, flow: FlowChoice = FlowChoice(),
              validator: ExperimentValidator = ExperimentValidator()) throws -> ExperimentSpec {
        let text = experimentJSON(solver: solver, trials: trials, seed: seed, flow: flow)
        do {
            let suite = try validator.validate(data: Data(text.utf8))
            return suite.experiments[0]
        } catch {
            let lines = error.problems.map { "  \($0)" }.joined(separator: "\n")
            throw CommandFailure("bench workload \(name) does not validate:\n\(lines)")
        }
    }
}
