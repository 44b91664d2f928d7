package import Distillation
import Foundation

/// The user-facing description of experiments (docs/EXPERIMENT-SCHEMA.md). These are plain
/// values; `ExperimentValidator` builds them from a file and reports every problem it finds.

/// A file of experiments: a suite, or one experiment alone (then the suite has one member).
package struct ExperimentSuite: Sendable, Equatable {
    package var name: String
    package var description: String?
    package var experiments: [ExperimentSpec]

    package init(name: String, description: String? = nil, experiments: [ExperimentSpec]) {
        self.name = name
        self.description = description
        self.experiments = experiments
    }
}

/// One experiment: a geometry, a dimension, an n grid, a teacher, students and how to run them.
package struct ExperimentSpec: Sendable, Equatable {
    package var name: String
    package var description: String?
    package var geometry: GeometrySpec
    package var d: Int
    package var n: NGrid
    package var teacher: TeacherSpec
    package var students: [StudentSpec]
    package var solver: SolverSpec
    package var stopping: StoppingSpec
    /// Trials per statistics block; results are merged in block order (docs/ARCHITECTURE.md).
    package var blockSize: Int
    package var confidence: Double
    package var seed: UInt64
    /// Per-rank memory cap in MiB; nil means half the node's memory divided by its ranks.
    package var memoryCapMB: Double?
    package var sampler: SamplerChoice
    /// The file's `"sweep"`: this experiment stands for one experiment per point (`expanded`).
    package var sweep: SweepSpec? = nil
    /// Set on the experiments a sweep expands into; nil for an experiment written as such.
    package var sweepPoint: SweepPoint? = nil
    /// The verdict status expected per claim (`"expect": {"M3": "fails"}`); a claim not listed
    /// is expected to hold. The exit status says whether every verdict came out as expected.
    package var expect: [String: VerdictStatus] = [:]

    /// The claims an experiment's verdicts can be about (the names `"expect"` accepts).
    package static let claims = ["B", "C1", "C2", "M1", "M2", "M3", "L1", "L2", "exact-gaussian",
                                "identification", "converged", "soft-vs-hard"]
    /// The estimator of the curves (set after `init`; plain unless the file says).
    package var estimator: EstimatorChoice = .plain
    /// Cheap limit-angle samples per trial of the control variate.
    package var limitSamples: Int = ExperimentSpec.defaultLimitSamples
    /// Where the control variate's limit term comes from (quadrature unless the file says).
    package var limitTerm: LimitTermChoice = .quadrature
    /// The importance estimator's tilt rate λ as the file gives it; nil: `MarginTilt.defaultRate`.
    package var tiltRate: Double? = nil

    package static let defaultBlockSize = 64
    package static let defaultConfidence = 0.95
    package static let defaultSeed: UInt64 = 1

    package init(name: String, description: String? = nil, geometry: GeometrySpec, d: Int, n: NGrid,
                teacher: TeacherSpec = TeacherSpec(), students: [StudentSpec],
                solver: SolverSpec = SolverSpec(), stopping: StoppingSpec = .defaultRule,
                blockSize: Int = ExperimentSpec.defaultBlockSize,
                confidence: Double = ExperimentSpec.defaultConfidence,
                seed: UInt64 = ExperimentSpec.defaultSeed, memoryCapMB: Double? = nil,
                sampler: SamplerChoice = .auto) {
        self.name = name
        self.description = description
        self.geometry = geometry
        self.d = d
        self.n = n
        self.teacher = teacher
        self.students = students
        self.solver = solver
        self.stopping = stopping
        self.blockSize = blockSize
        self.confidence = confidence
        self.seed = seed
        self.memoryCapMB = memoryCapMB
        self.sampler = sampler
    }
}

/// The outcome of judging one claim on a run's own intervals (docs/THEORY.md §8); an experiment
/// file's `expect` names the outcome it expects with the same words.
package enum VerdictStatus: String, Sendable, Codable, CaseIterable {
    /// The data support the claim at the stated level.
    case holds
    /// The data contradict the claim.
    case fails
    /// The run's precision cannot decide: more trials (or a better estimator) would.
    case inconclusive
}

// MARK: - Geometry

package enum GeometrySpec: Sendable, Equatable {
    case gaussian
    case anisotropic(spectrum: GeometrySpec.Spectrum, teacherDirection: GeometrySpec.EigenDirection)
    case polyTail(kappa: Double, radius: GeometrySpec.RadialLaw)
    /// `theta0` in radians, in (0, π/2).
    case margin(theta0: Double, radius: GeometrySpec.RadialLaw)
    case mixture(GeometrySpec.Mixture)
    case dataset(GeometrySpec.Dataset)

    package static let kinds = ["gaussian", "anisotropic", "poly-tail", "margin", "mixture", "dataset"]

    package var kind: String {
        switch self {
        case .gaussian: "gaussian"
        case .anisotropic: "anisotropic"
        case .polyTail: "poly-tail"
        case .margin: "margin"
        case .mixture: "mixture"
        case .dataset: "dataset"
        }
    }

    /// Geometries of the form x = s·u + t·v (docs/THEORY.md §6) that the Gram sampler can draw.
    package var isAxiallySymmetric: Bool {
        switch self {
        case .gaussian, .polyTail, .margin: true
        default: false
        }
    }

    /// Diagonal covariance of the anisotropic geometry.
    package enum Spectrum: Sendable, Equatable {
        /// Eigenvalue j (1-based) is j^(−alpha).
        case powerLaw(alpha: Double)
        case values([Double])
    }

    /// The teacher's direction written in the covariance eigenbasis.
    package enum EigenDirection: Sendable, Equatable {
        /// Uniform on the sphere.
        case uniform
        /// Along eigenvector `index` (1-based, 1 = largest eigenvalue for a power law).
        case eigenvector(index: Int)
        /// Coefficients in the eigenbasis (normalised by the teacher norm).
        case coefficients([Double])

        package static let kinds = ["uniform", "eigenvector", "coefficients"]
    }

    /// Law of the radius ρ in the poly-tail and margin constructions (the geometry's own type).
    package typealias RadialLaw = Distillation.RadialLaw

    package struct Mixture: Sendable, Equatable {
        package var weights: [Double]
        /// Each mean lists its first coordinates; the remaining ones are 0.
        package var means: [[Double]]
        package var stds: [Double]

        package init(weights: [Double], means: [[Double]], stds: [Double]) {
            self.weights = weights
            self.means = means
            self.stds = stds
        }
    }

    package struct Dataset: Sendable, Equatable {
        /// CSV file, relative to the experiment file's folder unless absolute.
        package var file: String
        package var labelColumn: GeometrySpec.LabelColumn
        package var teacher: GeometrySpec.DatasetTeacher
        /// Fraction of rows held out to measure the risk.
        package var holdout: Double

        package static let defaultHoldout = 0.3

        package init(file: String, labelColumn: GeometrySpec.LabelColumn, teacher: GeometrySpec.DatasetTeacher = .fit,
                    holdout: Double = GeometrySpec.Dataset.defaultHoldout) {
            self.file = file
            self.labelColumn = labelColumn
            self.teacher = teacher
            self.holdout = holdout
        }
    }

    package enum LabelColumn: Sendable, Equatable {
        case name(String)
        /// 0-based column index.
        case index(Int)
    }

    package enum DatasetTeacher: Sendable, Equatable {
        /// Logistic regression fitted on the non-held-out rows.
        case fit
        /// A file of d numbers (one per line or comma-separated).
        case file(String)
    }
}

// MARK: - n grid

/// Transfer-set sizes; a trial draws max(n) points and evaluates every nested prefix.
package enum NGrid: Sendable, Equatable {
    case values([Int])
    case generated(from: Int, to: Int, count: Int, spacing: Spacing)

    package enum Spacing: String, Sendable, Equatable, CaseIterable {
        case linear, log
    }

    /// The grid as a strictly increasing list. Generated points are rounded to the nearest
    /// integer and duplicates dropped, so a log grid may hold fewer than `count` points.
    package var values: [Int] {
        switch self {
        case .values(let list):
            return list
        case .generated(let from, let to, let count, let spacing):
            guard count > 1, to > from else { return [from] }
            var out: [Int] = []
            for i in 0..<count {
                let f = Double(i) / Double(count - 1)
                let x: Double
                switch spacing {
                case .linear: x = Double(from) + f * Double(to - from)
                case .log: x = exp(log(Double(from)) + f * (log(Double(to)) - log(Double(from))))
                }
                let v = i == count - 1 ? to : min(to, max(from, Int(x.rounded())))
                if out.last.map({ v > $0 }) ?? true { out.append(v) }
            }
            return out
        }
    }

    /// The largest n, without expanding a generated grid (its last point is always `to`).
    package var maximum: Int {
        switch self {
        case .values(let list): list.last ?? 0
        case .generated(let from, let to, let count, _): count > 1 && to > from ? to : from
        }
    }
}

// MARK: - Teacher, students, solver, stopping

package struct TeacherSpec: Sendable, Equatable {
    /// The largest ‖w*‖/T a run accepts (the logits' squares must stay finite).
    package static let maximumEffectiveNorm = 1e150

    /// ‖w*‖ before the temperature is applied.
    package var norm: Double
    /// Dividing the logits by T is the same as scaling w* by 1/T.
    package var temperature: Double
    package var direction: TeacherSpec.Direction

    package init(norm: Double = 1, temperature: Double = 1, direction: TeacherSpec.Direction = .axis) {
        self.norm = norm
        self.temperature = temperature
        self.direction = direction
    }
}

extension TeacherSpec {
    package enum Direction: Sendable, Equatable {
        /// w* along the first coordinate axis.
        case axis
        /// w* uniform on the sphere, drawn once per experiment from its seed (the same for every trial and rank).
        case random
        /// w* along this vector of d numbers (not all 0), scaled to the teacher norm; lets a
        /// file pose a specific teacher (a counterexample) for any geometry but `dataset`.
        case vector([Double])

        /// The named directions (a vector is written as a list).
        package static let names = ["axis", "random"]

        package var name: String? {
            switch self {
            case .axis: "axis"
            case .random: "random"
            case .vector: nil
            }
        }
    }
}

package enum StudentSpec: Sendable, Equatable {
    case linear(init: StudentSpec.LinearInit)
    /// `widths` are the hidden widths h_1 … h_{depth−1}.
    case deepLinear(depth: Int, widths: [Int], init: StudentSpec.DeepInit)
    case hardLabel
    /// Other exact minimizers at angles `deltasDegrees` from the flow's limit (docs/THEORY.md §7).
    case wDelta(deltasDegrees: [Double])

    package static let kinds = ["linear", "deep-linear", "hard-label", "w-delta"]
    package static let defaultDeltas: [Double] = stride(from: 0.0, through: 90.0, by: 10.0).map { $0 }

    package var kind: String {
        switch self {
        case .linear: "linear"
        case .deepLinear: "deep-linear"
        case .hardLabel: "hard-label"
        case .wDelta: "w-delta"
        }
    }

    package enum LinearInit: Sendable, Equatable {
        case zero
        /// Entries i.i.d. N(0, scale²/d).
        case random(scale: Double)
        /// A file of d numbers, relative to the experiment file's folder unless absolute.
        case given(file: String)

        package static let kinds = ["zero", "random", "given"]
        package static let defaultScale = 0.01
    }

    package enum DeepInit: Sendable, Equatable {
        /// Balanced layers (W_{j+1}ᵀW_{j+1} = W_j W_jᵀ) with end-to-end norm `scale`.
        case balanced(scale: Double)
        /// Entries of every layer i.i.d. N(0, scale²).
        case random(scale: Double)

        package static let kinds = ["balanced", "random"]
        package static let defaultScale = 0.01
    }
}

package struct SolverSpec: Sendable, Equatable {
    package var kind: Kind
    /// Converged when ‖∇L‖ ≤ tolerance · ‖∇L(w(0))‖ …
    package var tolerance: Double
    /// … and max |z − m| ≤ fitTolerance · max |m − z(0)|: for large teacher norms the gradient
    /// is tiny long before the logits fit, so the logit gap is checked too.
    package var fitTolerance: Double
    /// Local error tolerance of the flow's Runge–Kutta steps.
    package var integrationTolerance: Double
    /// Local error tolerance, relative to the distance still to go, of a flow measured from its
    /// known limit (`SolverOptions.limitTolerance`).
    package var limitTolerance: Double
    /// Largest flow time (flow, gd); nil means no limit. Reaching it is reported.
    package var timeLimit: Double?
    package var maxSteps: Int
    /// Learning rate of gd; nil lets the solver choose a stable one from the data.
    package var step: Double?
    /// How the flow is integrated (flow solver only).
    package var integrator: Integrator

    /// The soft-label flow is stiff when points are nearly parallel or n is close to d, so the
    /// default is the L-stable Rosenbrock method; Dormand–Prince is kept to cross-check it.
    package typealias Integrator = FlowIntegrator

    /// How students are trained (the solvers' own type).
    package typealias Kind = SolverKind

    package static let defaultTolerance = 1e-10
    package static let defaultFitTolerance = 1e-10
    package static let defaultIntegrationTolerance = 1e-10
    package static let defaultLimitTolerance = SolverOptions.defaultLimitTolerance
    package static let defaultMaxSteps = 1_000_000

    package init(kind: Kind = .flow, tolerance: Double = SolverSpec.defaultTolerance,
                fitTolerance: Double = SolverSpec.defaultFitTolerance,
                integrationTolerance: Double = SolverSpec.defaultIntegrationTolerance,
                timeLimit: Double? = nil, maxSteps: Int = SolverSpec.defaultMaxSteps, step: Double? = nil,
                integrator: Integrator = .rosenbrock, limitTolerance: Double = SolverSpec.defaultLimitTolerance) {
        self.kind = kind
        self.tolerance = tolerance
        self.fitTolerance = fitTolerance
        self.integrationTolerance = integrationTolerance
        self.timeLimit = timeLimit
        self.maxSteps = maxSteps
        self.step = step
        self.integrator = integrator
        self.limitTolerance = limitTolerance
    }
}

package enum StoppingSpec: Sendable, Equatable {
    case fixed(trials: Int)
    case sequential(StoppingSpec.Sequential)

    package static let defaultTrials = 1000
    package static let defaultRule = StoppingSpec.fixed(trials: defaultTrials)
}

extension StoppingSpec {
    /// Run until every curve point's CI half-width is below the target.
    package struct Sequential: Sendable, Equatable {
        package var target: StoppingSpec.Target
        package var minTrials: Int
        package var maxTrials: Int
        /// Seconds; nil means no cap.
        package var wallTime: Double?

        package static let defaultMinTrials = 100
        package static let defaultMaxTrials = 1_000_000

        package init(target: StoppingSpec.Target, minTrials: Int = StoppingSpec.Sequential.defaultMinTrials,
                    maxTrials: Int = StoppingSpec.Sequential.defaultMaxTrials, wallTime: Double? = nil) {
            self.target = target
            self.minTrials = minTrials
            self.maxTrials = maxTrials
            self.wallTime = wallTime
        }
    }

    package enum Target: Sendable, Equatable {
        /// Half-width in risk units.
        case absolute(Double)
        /// Half-width as a fraction of the point's mean.
        case relative(Double)
    }
}

package enum SamplerChoice: String, Sendable, Equatable, CaseIterable {
    /// Gram sampling when the geometry and students allow it, ambient otherwise.
    case auto
    /// Points drawn in R^d.
    case ambient
    /// Only s, t and the Wishart Gram matrix of the v_i (docs/THEORY.md §6): cost independent of d.
    case gram
}


