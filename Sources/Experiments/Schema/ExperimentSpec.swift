public import Distillation
import Foundation

/// The user-facing description of experiments (docs/EXPERIMENT-SCHEMA.md). These are plain
/// values; `ExperimentValidator` builds them from a file and reports every problem it finds.

/// A file of experiments: a suite, or one experiment alone (then the suite has one member).
public struct ExperimentSuite: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var experiments: [ExperimentSpec]

    public init(name: String, description: String? = nil, experiments: [ExperimentSpec]) {
        self.name = name
        self.description = description
        self.experiments = experiments
    }
}

/// One experiment: a geometry, a dimension, an n grid, a teacher, students and how to run them.
public struct ExperimentSpec: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var geometry: GeometrySpec
    public var d: Int
    public var n: NGrid
    public var teacher: TeacherSpec
    public var students: [StudentSpec]
    public var solver: SolverSpec
    public var stopping: StoppingSpec
    /// Trials per statistics block; results are merged in block order (docs/ARCHITECTURE.md).
    public var blockSize: Int
    public var confidence: Double
    public var seed: UInt64
    /// Per-rank memory cap in MiB; nil means half the node's memory divided by its ranks.
    public var memoryCapMB: Double?
    public var sampler: SamplerChoice

    public static let defaultBlockSize = 64
    public static let defaultConfidence = 0.95
    public static let defaultSeed: UInt64 = 1

    public init(name: String, description: String? = nil, geometry: GeometrySpec, d: Int, n: NGrid,
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

// MARK: - Geometry

public enum GeometrySpec: Sendable, Equatable {
    case gaussian
    case anisotropic(spectrum: GeometrySpec.Spectrum, teacherDirection: GeometrySpec.EigenDirection)
    case polyTail(kappa: Double, radius: GeometrySpec.RadialLaw)
    /// `theta0` in radians, in (0, π/2).
    case margin(theta0: Double, radius: GeometrySpec.RadialLaw)
    case mixture(GeometrySpec.Mixture)
    case dataset(GeometrySpec.Dataset)

    public static let kinds = ["gaussian", "anisotropic", "poly-tail", "margin", "mixture", "dataset"]

    public var kind: String {
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
    public var isAxiallySymmetric: Bool {
        switch self {
        case .gaussian, .polyTail, .margin: true
        default: false
        }
    }

    /// Diagonal covariance of the anisotropic geometry.
    public enum Spectrum: Sendable, Equatable {
        /// Eigenvalue j (1-based) is j^(−alpha).
        case powerLaw(alpha: Double)
        case values([Double])
    }

    /// The teacher's direction written in the covariance eigenbasis.
    public enum EigenDirection: Sendable, Equatable {
        /// Uniform on the sphere.
        case uniform
        /// Along eigenvector `index` (1-based, 1 = largest eigenvalue for a power law).
        case eigenvector(index: Int)
        /// Coefficients in the eigenbasis (normalised by the teacher norm).
        case coefficients([Double])

        public static let kinds = ["uniform", "eigenvector", "coefficients"]
    }

    /// Law of the radius ρ in the poly-tail and margin constructions (the geometry's own type).
    public typealias RadialLaw = Distillation.RadialLaw

    public struct Mixture: Sendable, Equatable {
        public var weights: [Double]
        /// Each mean lists its first coordinates; the remaining ones are 0.
        public var means: [[Double]]
        public var stds: [Double]

        public init(weights: [Double], means: [[Double]], stds: [Double]) {
            self.weights = weights
            self.means = means
            self.stds = stds
        }
    }

    public struct Dataset: Sendable, Equatable {
        /// CSV file, relative to the experiment file's folder unless absolute.
        public var file: String
        public var labelColumn: GeometrySpec.LabelColumn
        public var teacher: GeometrySpec.DatasetTeacher
        /// Fraction of rows held out to measure the risk.
        public var holdout: Double

        public static let defaultHoldout = 0.3

        public init(file: String, labelColumn: GeometrySpec.LabelColumn, teacher: GeometrySpec.DatasetTeacher = .fit,
                    holdout: Double = GeometrySpec.Dataset.defaultHoldout) {
            self.file = file
            self.labelColumn = labelColumn
            self.teacher = teacher
            self.holdout = holdout
        }
    }

    public enum LabelColumn: Sendable, Equatable {
        case name(String)
        /// 0-based column index.
        case index(Int)
    }

    public enum DatasetTeacher: Sendable, Equatable {
        /// Logistic regression fitted on the non-held-out rows.
        case fit
        /// A file of d numbers (one per line or comma-separated).
        case file(String)
    }
}

// MARK: - n grid

/// Transfer-set sizes; a trial draws max(n) points and evaluates every nested prefix.
public enum NGrid: Sendable, Equatable {
    case values([Int])
    case generated(from: Int, to: Int, count: Int, spacing: Spacing)

    public enum Spacing: String, Sendable, Equatable, CaseIterable {
        case linear, log
    }

    /// The grid as a strictly increasing list. Generated points are rounded to the nearest
    /// integer and duplicates dropped, so a log grid may hold fewer than `count` points.
    public var values: [Int] {
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
    public var maximum: Int {
        switch self {
        case .values(let list): list.last ?? 0
        case .generated(let from, let to, let count, _): count > 1 && to > from ? to : from
        }
    }
}

// MARK: - Teacher, students, solver, stopping

public struct TeacherSpec: Sendable, Equatable {
    /// The largest ‖w*‖/T a run accepts (the logits' squares must stay finite).
    public static let maximumEffectiveNorm = 1e150

    /// ‖w*‖ before the temperature is applied.
    public var norm: Double
    /// Dividing the logits by T is the same as scaling w* by 1/T.
    public var temperature: Double
    public var direction: TeacherSpec.Direction

    public init(norm: Double = 1, temperature: Double = 1, direction: TeacherSpec.Direction = .axis) {
        self.norm = norm
        self.temperature = temperature
        self.direction = direction
    }
}

extension TeacherSpec {
    public enum Direction: String, Sendable, Equatable, CaseIterable {
        /// w* along the first coordinate axis.
        case axis
        /// w* uniform on the sphere, drawn once per experiment from its seed (the same for every trial and rank).
        case random
    }
}

public enum StudentSpec: Sendable, Equatable {
    case linear(init: StudentSpec.LinearInit)
    /// `widths` are the hidden widths h_1 … h_{depth−1}.
    case deepLinear(depth: Int, widths: [Int], init: StudentSpec.DeepInit)
    case hardLabel
    /// Other exact minimizers at angles `deltasDegrees` from the flow's limit (docs/THEORY.md §7).
    case wDelta(deltasDegrees: [Double])

    public static let kinds = ["linear", "deep-linear", "hard-label", "w-delta"]
    public static let defaultDeltas: [Double] = stride(from: 0.0, through: 90.0, by: 10.0).map { $0 }

    public var kind: String {
        switch self {
        case .linear: "linear"
        case .deepLinear: "deep-linear"
        case .hardLabel: "hard-label"
        case .wDelta: "w-delta"
        }
    }

    public enum LinearInit: Sendable, Equatable {
        case zero
        /// Entries i.i.d. N(0, scale²/d).
        case random(scale: Double)
        /// A file of d numbers, relative to the experiment file's folder unless absolute.
        case given(file: String)

        public static let kinds = ["zero", "random", "given"]
        public static let defaultScale = 0.01
    }

    public enum DeepInit: Sendable, Equatable {
        /// Balanced layers (W_{j+1}ᵀW_{j+1} = W_j W_jᵀ) with end-to-end norm `scale`.
        case balanced(scale: Double)
        /// Entries i.i.d. N(0, scale²/fan-in).
        case random(scale: Double)

        public static let kinds = ["balanced", "random"]
        public static let defaultScale = 0.01
    }
}

public struct SolverSpec: Sendable, Equatable {
    public var kind: Kind
    /// Converged when ‖∇L‖ ≤ tolerance · ‖∇L(w(0))‖ …
    public var tolerance: Double
    /// … and max |z − m| ≤ fitTolerance · max |m − z(0)|: for large teacher norms the gradient
    /// is tiny long before the logits fit, so the logit gap is checked too.
    public var fitTolerance: Double
    /// Local error tolerance of the flow's Runge–Kutta steps.
    public var integrationTolerance: Double
    /// Largest flow time (flow, gd); nil means no limit. Reaching it is reported.
    public var timeLimit: Double?
    public var maxSteps: Int
    /// Learning rate of gd; nil lets the solver choose a stable one from the data.
    public var step: Double?
    /// How the flow is integrated (flow solver only).
    public var integrator: Integrator

    /// The soft-label flow is stiff when points are nearly parallel or n is close to d, so the
    /// default is the L-stable Rosenbrock method; Dormand–Prince is kept to cross-check it.
    public typealias Integrator = FlowIntegrator

    /// How students are trained (the solvers' own type).
    public typealias Kind = SolverKind

    public static let defaultTolerance = 1e-10
    public static let defaultFitTolerance = 1e-10
    public static let defaultIntegrationTolerance = 1e-10
    public static let defaultMaxSteps = 1_000_000

    public init(kind: Kind = .flow, tolerance: Double = SolverSpec.defaultTolerance,
                fitTolerance: Double = SolverSpec.defaultFitTolerance,
                integrationTolerance: Double = SolverSpec.defaultIntegrationTolerance,
                timeLimit: Double? = nil, maxSteps: Int = SolverSpec.defaultMaxSteps, step: Double? = nil,
                integrator: Integrator = .rosenbrock) {
        self.kind = kind
        self.tolerance = tolerance
        self.fitTolerance = fitTolerance
        self.integrationTolerance = integrationTolerance
        self.timeLimit = timeLimit
        self.maxSteps = maxSteps
        self.step = step
        self.integrator = integrator
    }
}

public enum StoppingSpec: Sendable, Equatable {
    case fixed(trials: Int)
    case sequential(StoppingSpec.Sequential)

    public static let defaultTrials = 1000
    public static let defaultRule = StoppingSpec.fixed(trials: defaultTrials)
}

extension StoppingSpec {
    /// Run until every curve point's CI half-width is below the target.
    public struct Sequential: Sendable, Equatable {
        public var target: StoppingSpec.Target
        public var minTrials: Int
        public var maxTrials: Int
        /// Seconds; nil means no cap.
        public var wallTime: Double?

        public static let defaultMinTrials = 100
        public static let defaultMaxTrials = 1_000_000

        public init(target: StoppingSpec.Target, minTrials: Int = StoppingSpec.Sequential.defaultMinTrials,
                    maxTrials: Int = StoppingSpec.Sequential.defaultMaxTrials, wallTime: Double? = nil) {
            self.target = target
            self.minTrials = minTrials
            self.maxTrials = maxTrials
            self.wallTime = wallTime
        }
    }

    public enum Target: Sendable, Equatable {
        /// Half-width in risk units.
        case absolute(Double)
        /// Half-width as a fraction of the point's mean.
        case relative(Double)
    }
}

public enum SamplerChoice: String, Sendable, Equatable, CaseIterable {
    /// Gram sampling when the geometry and students allow it, ambient otherwise.
    case auto
    /// Points drawn in R^d.
    case ambient
    /// Only s, t and the Wishart Gram matrix of the v_i (docs/THEORY.md §6): cost independent of d.
    case gram
}


