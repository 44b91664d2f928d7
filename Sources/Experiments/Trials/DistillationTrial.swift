package import Distillation
import Foundation
internal import SystemIO
import LinearAlgebra
import Numerics
import Synchronization

/// One Monte Carlo trial of an experiment (docs/ARCHITECTURE.md, "One trial, from the experiment file to curves.csv"): a transfer set of
/// the largest n drawn from the trial's own Philox stream, every student trained on each nested
/// prefix of the n grid, and the measured quantities written where `layout` says. The result
/// depends on the trial index only, never on the rank that computes it.
package struct DistillationTrial: Sendable {
    package let spec: ExperimentSpec
    package let setup: ExperimentGeometry
    package let students: [StudentPlan]
    package let grid: [Int]
    package let layout: CurveLayout
    let solver: SolverKind
    /// The solver options every student of this experiment trains with (integrator, step and
    /// tolerances from the spec).
    package let options: SolverOptions
    /// Label of the soft-label curve compared with hard labels, if both are present.
    let softVersusHard: (soft: String, hard: String)?
    let givenInitials: [Int: [Double]]
    /// The sampler `spec.resolvedSampler` chose; `.gram` only for axially symmetric geometries.
    package let sampler: SamplerChoice
    let axialGeometry: (any AxiallySymmetricGeometry)?
    /// Every student is the closed-form one from w(0) = 0, so no student needs the QR of an
    /// ambient draw: its prefixes are projected through the Cholesky factor of X Xᵀ
    /// (`PrefixProjections`), the QR serving only as the fallback.
    let projectsByCholesky: Bool
    /// The geometry whose boundary angles the control variate's limit term draws; nil for the
    /// plain estimator.
    let limitAngleLaw: (any BoundaryAngleLaw)?
    /// The limit term by quadrature, computed on first use and then shared by every trial of
    /// this experiment (`limitTermQuadrature()`); nil unless `"limit_term": "quadrature"`.
    let limitQuadrature: LimitQuadratureCache?
    /// The margin geometry and the tilt its boundary angles are drawn from under the importance
    /// estimator; nil for the other estimators.
    package let importance: (geometry: MarginGeometry, tilt: MarginTilt)?

    package static let softVersusHardLabel = "soft-vs-hard"

    package init(spec: ExperimentSpec, baseDirectory: URL?) throws {
        self.spec = spec
        setup = try ExperimentGeometry(spec: spec, baseDirectory: baseDirectory)
        students = StudentPlan.plans(for: spec.students)
        grid = spec.n.values
        solver = spec.solver.kind
        options = try SolverOptions(
            gradientTolerance: spec.solver.tolerance, fitTolerance: spec.solver.fitTolerance,
            timeLimit: spec.solver.timeLimit ?? .infinity, maxSteps: spec.solver.maxSteps,
            integrationTolerance: spec.solver.integrationTolerance, descentStep: spec.solver.step,
            integrator: spec.solver.integrator, limitTolerance: spec.solver.limitTolerance)
        if let soft = students.first(where: { $0.isZeroInitialisedLinear }),
           let hard = students.first(where: { $0.kind == .hardLabel }) {
            softVersusHard = (soft.label, hard.label)
        } else {
            softVersusHard = nil
        }
        var given: [Int: [Double]] = [:]
        for plan in students {
            if case .linear(.given(let file)) = plan.kind {
                given[plan.specIndex] = try Self.readVector(file, baseDirectory: baseDirectory, count: spec.d)
            }
            if case .deepLinear = plan.kind, setup.riskOfAngle == nil {
                throw TrialSetupError.unsupported(
                    "deep-linear students of experiment '\(spec.name)' need an axially symmetric geometry (gaussian, poly-tail, margin) in this build")
            }
        }
        givenInitials = given
        sampler = spec.resolvedSampler
        if sampler == .gram {
            guard spec.gramSamplerObstacles.isEmpty,
                  let axial = setup.geometry as? any AxiallySymmetricGeometry else {
                throw TrialSetupError.unsupported(
                    "experiment '\(spec.name)': " + spec.gramSamplerObstacles.joined(separator: "; ") + "; use \"ambient\"")
            }
            axialGeometry = axial
        } else {
            axialGeometry = nil
        }
        projectsByCholesky = solver == .closed && students.allSatisfy(\.isZeroInitialisedLinear)
        if spec.estimator == .controlVariate {
            let obstacles = spec.controlVariateObstacles
            guard obstacles.isEmpty, sampler == .gram, let law = setup.geometry as? any BoundaryAngleLaw else {
                throw TrialSetupError.unsupported(
                    "experiment '\(spec.name)': " + obstacles.joined(separator: "; ") + "; use estimator \"plain\"")
            }
            limitAngleLaw = law
            limitQuadrature = spec.limitTerm == .quadrature ? LimitQuadratureCache() : nil
        } else {
            limitAngleLaw = nil
            limitQuadrature = nil
        }
        if spec.estimator == .importance {
            let obstacles = spec.importanceObstacles
            guard obstacles.isEmpty, sampler == .gram, let margin = setup.geometry as? MarginGeometry else {
                throw TrialSetupError.unsupported(
                    "experiment '\(spec.name)': " + obstacles.joined(separator: "; ") + "; use estimator \"plain\"")
            }
            importance = (margin, MarginTilt(rate: spec.tiltRate ?? MarginTilt.defaultRate(largestCount: grid.last!, dimension: spec.d), margin: margin.margin))
        } else {
            importance = nil
        }
        layout = Self.makeLayout(students: students, grid: grid, iterative: solver != .closed,
                                 softVersusHard: softVersusHard != nil, controlVariate: limitAngleLaw != nil,
                                 importance: importance != nil)
    }

    static func makeLayout(students: [StudentPlan], grid: [Int], iterative: Bool,
                           softVersusHard: Bool, controlVariate: Bool = false, importance: Bool = false) -> CurveLayout {
        var layout = CurveLayout()
        for plan in students {
            for (k, n) in grid.enumerated() {
                layout.append(.init(student: plan.label, n: n, quantity: .risk))
                layout.append(.init(student: plan.label, n: n, quantity: .certificate))
                if k > 0 {
                    layout.append(.init(student: plan.label, n: n, quantity: .step))
                    if plan.isZeroInitialisedLinear {
                        layout.append(.init(student: plan.label, n: n, quantity: .angleIncrease))
                        layout.append(.init(student: plan.label, n: n, quantity: .certificateIncrease))
                    }
                    if plan.isSoftLabel { layout.append(.init(student: plan.label, n: n, quantity: .riskIncrease)) }
                }
                switch plan.kind {
                case .linear:
                    if iterative {
                        for q in [CurveLayout.Quantity.limitGap, .flowTime, .gradientEvaluations, .converged] {
                            layout.append(.init(student: plan.label, n: n, quantity: q))
                        }
                    }
                case .deepLinear(_, let initialization):
                    if case .balanced = initialization {
                        layout.append(.init(student: plan.label, n: n, quantity: .limitGap))
                    }
                    for q in [CurveLayout.Quantity.offSpan, .flowTime, .gradientEvaluations, .converged] {
                        layout.append(.init(student: plan.label, n: n, quantity: q))
                    }
                case .hardLabel, .wDelta:
                    break
                }
                if controlVariate {
                    for q in [CurveLayout.Quantity.plainRisk, .trialTerm, .limitTerm] {
                        layout.append(.init(student: plan.label, n: n, quantity: q))
                    }
                }
                if importance {
                    layout.append(.init(student: plan.label, n: n, quantity: .logWeight))
                }
            }
        }
        if softVersusHard {
            for n in grid {
                layout.append(.init(student: softVersusHardLabel, n: n, quantity: .softMinusHard))
                layout.append(.init(student: softVersusHardLabel, n: n, quantity: .softWorse))
            }
        }
        return layout
    }

    /// What training one student on one prefix gave.
    struct Trained {
        var angle: Double
        /// The student's weights in R^d (O(n d) to form, so only on demand); nil for the deep
        /// linear student, which is kept in reduced form.
        var weights: (() -> [Double])?
        var statistics: SolverStatistics?
        var limitGap: Double?
        var offSpan: Double?
    }

    /// The transfer set of trial t and the linear problems built on it, one per initialisation
    /// that some student uses (all sharing one QR of the whole set).
    struct Draw {
        let trial: UInt64
        /// The points of an ambient draw (rows are points in R^d).
        let ambientPoints: Matrix?
        /// Rows are points: in R^d (ambient), or in the (n + 2)-dimensional embedding of `gram`,
        /// formed only when a student needs them (a QR), not for the O(n²) closed-form angles.
        var points: Matrix { ambientPoints ?? gram!.points }
        /// The teacher in the points' coordinates.
        let teacher: Teacher
        /// The Gram-space draw, when the trial samples that way.
        let gram: GramTransferSet?
        /// log Π_{i≤k} p/q of the first k points (k = 1…N) under the importance estimator.
        var logWeights: [Double]? = nil
        var problems: [Int: LinearDistillationProblem] = [:]
        /// Qᵀv of each w-delta entry's direction (one per draw, shared by its δs and prefixes).
        var offSpanDirections: [Int: [Double]] = [:]
        /// The closed-form student's angle at every prefix of a Gram draw, computed once
        /// (`GramTransferSet.projectedTeacherAngles`); nil inside when that is not possible.
        var closedAngles: [Double]??
        /// The closed-form student at every prefix of an ambient draw from one Cholesky of the
        /// Gram matrix, computed once; nil inside when that is not accurate (the QR serves).
        var projections: PrefixProjections??
    }

    func draw(trial t: Int) throws -> Draw {
        var stream = RandomStream(seed: spec.seed, trial: UInt64(t), stream: .transferSet)
        if let importance {
            let (set, logWeights) = importance.geometry.sampleTiltedGramTransferSet(
                count: grid.last!, tilt: importance.tilt, using: &stream)
            return Draw(trial: UInt64(t), ambientPoints: nil,
                        teacher: try Teacher(direction: set.teacherDirection, norm: setup.teacher.norm),
                        gram: set, logWeights: logWeights)
        }
        if let axialGeometry {
            let set = axialGeometry.sampleGramTransferSet(count: grid.last!, using: &stream)
            return Draw(trial: UInt64(t), ambientPoints: nil,
                        teacher: try Teacher(direction: set.teacherDirection, norm: setup.teacher.norm),
                        gram: set)
        }
        let points = setup.geometry.sampleTransferSet(count: grid.last!, using: &stream)
        return Draw(trial: UInt64(t), ambientPoints: points, teacher: setup.teacher, gram: nil)
    }

    /// The zero-initialised linear problem of trial t, drawn exactly as `evaluate` draws it
    /// (Gram space when the trial samples there): for tools that study one draw's flow.
    package func zeroInitialisedProblem(trial t: Int) throws -> LinearDistillationProblem {
        let drawn = try draw(trial: t)
        return try LinearDistillationProblem(points: drawn.points, teacher: drawn.teacher)
    }

    /// The linear problem a student trains on, built once per draw: its own w(0) for a linear
    /// student with a random or given start, w(0) = 0 for every other student.
    func problem(for plan: StudentPlan, in draw: inout Draw) throws -> LinearDistillationProblem {
        let initialization: LinearInitialization
        var key = plan.specIndex
        var initStream = RandomStream(seed: spec.seed, trial: draw.trial, stream: .studentInit,
                                      index: UInt64(plan.specIndex))
        switch plan.kind {
        case .linear(.random(let scale)):
            let sigma = scale / Double(spec.d).squareRoot()
            initialization = draw.gram.map { .weights($0.isotropicGaussian(standardDeviation: sigma, using: &initStream)) }
                ?? .random(scale: scale, stream: initStream)
        case .linear(.given):
            let given = givenInitials[plan.specIndex]!
            if let set = draw.gram {
                // Only w(0)'s parts along and across u matter (docs/THEORY.md §6 symmetry).
                let along = dot(given, setup.teacher.direction)
                var across = given
                axpy(-along, setup.teacher.direction, &across)
                initialization = .weights(set.fixedVector(along: along, across: norm2(across), using: &initStream))
            } else {
                initialization = .weights(given)
            }
        default:
            initialization = .zero
            key = -1
        }
        if let cached = draw.problems[key] { return cached }
        // One QR per draw: the w(0) = 0 problem factors the points, the others share it.
        let base: LinearDistillationProblem
        if let zero = draw.problems[-1] {
            base = zero
        } else {
            // A Gram draw's problem knows the dimensions its embedding leaves out (a deep
            // student's random first layer has parts there).
            if let set = draw.gram {
                base = try LinearDistillationProblem(gram: set, teacherNorm: setup.teacher.norm)
            } else {
                base = try LinearDistillationProblem(points: draw.points, teacher: draw.teacher)
            }
            draw.problems[-1] = base
        }
        let made = key == -1 ? base : try base.restarted(from: initialization)
        draw.problems[key] = made
        return made
    }

    /// - Parameter anglesOnly: the caller needs the angle, not the weights (`evaluate`), so
    ///   the closed-form student of a Gram draw can skip the QR of the points.
    func train(_ plan: StudentPlan, prefix n: Int, in draw: inout Draw, anglesOnly: Bool = false) throws -> Trained {
        if anglesOnly, solver == .closed, plan.isZeroInitialisedLinear, let set = draw.gram {
            if draw.closedAngles == nil { draw.closedAngles = .some(set.projectedTeacherAngles()) }
            if let angles = draw.closedAngles!, n >= 1, n <= angles.count {
                return Trained(angle: angles[n - 1])
            }
        }
        if projectsByCholesky, let points = draw.ambientPoints {
            if draw.projections == nil { draw.projections = .some(PrefixProjections(points: points, teacher: draw.teacher)) }
            if let projections = draw.projections! {
                return Trained(angle: projections.angle(prefix: n), weights: { projections.weights(prefix: n) })
            }
        }
        let p = try problem(for: plan, in: &draw)
        switch plan.kind {
        case .linear:
            let student = p.solve(prefix: n, solver: solver, options: options)
            var trained = Trained(angle: student.angleToTeacher, weights: { p.weights(of: student) })
            if solver != .closed {
                let closed = p.solve(prefix: n, solver: .closed, options: options)
                trained.limitGap = Self.relativeDistance(student.coordinates, closed.coordinates)
                trained.statistics = student.statistics
            }
            return trained
        case .deepLinear(let widths, let initialization):
            let architecture = try DeepLinearArchitecture(hiddenWidths: widths)
            let start: DeepLinearInitialization
            switch initialization {
            case .balanced(let scale): start = .balancedInSpan(scale: scale)
            case .random(let scale): start = .random(scale: scale)
            }
            let deep = try p.solveDeep(
                prefix: n, architecture: architecture, initialization: start,
                stream: RandomStream(seed: spec.seed, trial: draw.trial, stream: .studentInit,
                                     index: UInt64(plan.specIndex)),
                options: options)
            var trained = Trained(angle: deep.angleToTeacher, statistics: deep.statistics, offSpan: deep.offSpanNorm)
            if case .balanced = initialization {
                let closed = p.solve(prefix: n, solver: .closed, options: options)
                trained.limitGap = Self.relativeDistance(deep.coordinates, closed.coordinates)
            }
            return trained
        case .hardLabel:
            let separator = p.maxMarginSeparator(prefix: n)
            return Trained(angle: separator.angleToTeacher, weights: { p.weights(of: separator) })
        case .wDelta(let degrees):
            if n >= spec.d {
                // The span is all of R^d: w* is the only exact minimiser.
                let teacher = setup.teacher.weights
                return Trained(angle: 0, weights: { teacher })
            }
            let direction: [Double]
            if let cached = draw.offSpanDirections[plan.specIndex] {
                direction = cached
            } else {
                var offSpan = RandomStream(seed: spec.seed, trial: draw.trial, stream: .offSpan,
                                           index: UInt64(plan.specIndex))
                let v = draw.gram.map { $0.isotropicGaussian(standardDeviation: 1, using: &offSpan) }
                    ?? offSpan.normals(count: spec.d)
                direction = p.coordinates(of: v)
                draw.offSpanDirections[plan.specIndex] = direction
            }
            let minimizer = try p.offSpanMinimizer(prefix: n, angle: degrees * .pi / 180,
                                                   directionCoordinates: direction)
            return Trained(angle: minimizer.angleToTeacher, weights: { p.weights(of: minimizer) })
        }
    }

    func risk(of trained: Trained) -> Double {
        if let riskOfAngle = setup.riskOfAngle { return riskOfAngle(trained.angle) }
        if let weights = trained.weights { return setup.geometry.risk(of: weights()).value }
        return .nan
    }

    /// What counts as an increase of γ, p(γ) or the risk from one n to the next (M1–M3): the
    /// closed form is exact to rounding; an iterative solver ends within its tolerance of the
    /// limit (L1 checks 1e-6 relative), which bounds how far its γ can move.
    package var pathwiseTolerance: Double { solver == .closed ? 1e-9 : 1e-6 }

    /// The trial's vector: one value per key of `layout`.
    package func evaluate(trial t: Int) throws -> [Double] {
        var values = [Double](repeating: .nan, count: layout.count)
        func put(_ student: String, _ n: Int, _ q: CurveLayout.Quantity, _ value: Double) {
            guard let i = layout.index(student, n, q) else { return }
            values[i] = value
        }
        var draw = try draw(trial: t)
        let rounding = pathwiseTolerance
        // ln R beside R under the importance estimator, so that W·R is formed from ln W + ln R
        // where R itself is not a double.
        var logRisks: [Double]? = draw.logWeights == nil ? nil : [Double](repeating: .nan, count: layout.count)
        for plan in students {
            var previous: (risk: Double, angle: Double, certificate: Double)?
            for n in grid {
                let trained = try train(plan, prefix: n, in: &draw, anglesOnly: true)
                let risk: Double
                if logRisks != nil, let both = setup.riskAndLogOfAngle?(trained.angle) {
                    risk = both.risk
                    if let i = layout.index(plan.label, n, .risk) { logRisks![i] = both.logRisk }
                } else {
                    risk = self.risk(of: trained)
                }
                let certificate = setup.geometry.certificate(angle: min(trained.angle, .pi / 2))
                put(plan.label, n, .risk, risk)
                put(plan.label, n, .certificate, certificate)
                if let previous {
                    put(plan.label, n, .step, risk - previous.risk)
                    put(plan.label, n, .angleIncrease, trained.angle - previous.angle > rounding ? 1 : 0)
                    put(plan.label, n, .certificateIncrease, certificate - previous.certificate > rounding ? 1 : 0)
                    put(plan.label, n, .riskIncrease, risk - previous.risk > rounding ? 1 : 0)
                }
                previous = (risk, trained.angle, certificate)
                if let gap = trained.limitGap { put(plan.label, n, .limitGap, gap) }
                if let off = trained.offSpan { put(plan.label, n, .offSpan, off) }
                if let statistics = trained.statistics { record(statistics, plan.label, n, put) }
            }
        }
        if let limitAngleLaw { applyControlVariate(limitAngleLaw, trial: t, draw: draw, to: &values) }
        if let logWeights = draw.logWeights { applyWeights(logWeights, logRisks: logRisks, to: &values) }
        if let pair = softVersusHard {
            for n in grid {
                guard let s = layout.index(pair.soft, n, .risk), let h = layout.index(pair.hard, n, .risk) else { continue }
                put(Self.softVersusHardLabel, n, .softMinusHard, values[s] - values[h])
                put(Self.softVersusHardLabel, n, .softWorse, values[s] - values[h] > rounding ? 1 : 0)
            }
        }
        return values
    }

    /// Everything trial t computes at size n, for checking it with other software: the transfer
    /// set, the teacher, and each student's weights (nil where only a reduced form exists).
    ///
    /// A Gram-sampled trial never had points in R^d; its dump is the trial itself, written in
    /// the embedding the students were trained in (every inner product, angle and risk is that
    /// of the trial), and says so in `coordinates`, rather than an ambient draw that the run
    /// never computed.
    package func dump(trial t: Int, n: Int) throws -> TrialDump {
        precondition(grid.contains(n), "n = \(n) is not in the grid")
        var draw = try draw(trial: t)
        let points = draw.points
        let prefix = points.block(rows: 0..<n, columns: 0..<points.columns)
        var students: [TrialDump.Student] = []
        for plan in self.students {
            let trained = try train(plan, prefix: n, in: &draw)
            students.append(TrialDump.Student(label: plan.label, weights: trained.weights?(),
                                              angle: trained.angle, risk: risk(of: trained)))
        }
        let coordinates: TrialDump.Coordinates = draw.gram.map { .gramEmbedding(ambientDimension: $0.ambientDimension) } ?? .ambient
        return TrialDump(points: prefix, teacher: draw.teacher.weights, students: students, coordinates: coordinates)
    }

    /// E[R(γ_∞,n)] on the grid by quadrature (`LimitRiskQuadrature`, with its error estimates),
    /// computed once per experiment from the law, the grid and the risk table alone, so every
    /// rank and every resume gets the same bits; nil when the limit term is sampled or the
    /// estimator is plain. Call it before the trials to keep its cost out of theirs.
    package func limitTermQuadrature() -> LimitRiskQuadrature? {
        guard let cache = limitQuadrature, let law = limitAngleLaw, let riskOfAngle = setup.riskOfAngle else { return nil }
        return cache.value.withLock { stored in
            if let stored { return stored }
            let made = LimitRiskQuadrature(law: law, grid: grid, dimension: spec.d, risk: riskOfAngle)
            stored = made
            return made
        }
    }

    /// Replaces each risk R_n by Y = (R_n − R_n^∞) + L̄_n (docs/THEORY.md §9): R_n^∞ the risk
    /// at the limit angle of the trial's own draw, L̄_n = E[R(γ_∞,n)] by quadrature
    /// (`"limit_term": "quadrature"`) or the mean risk at the limit angle over
    /// `spec.limitSamples` β-only sets from the trial's `.limitAngles` stream (`"sampled"`). Y is unbiased
    /// for E[R_n] and i.i.d. across trials; the steps become differences of Y, and R_n, the
    /// trial term and the limit term are kept beside it.
    private func applyControlVariate(_ law: some BoundaryAngleLaw, trial t: Int, draw: Draw,
                                     to values: inout [Double]) {
        guard let frame = draw.gram?.frame, let riskOfAngle = setup.riskOfAngle else {
            preconditionFailure("the control variate runs on Gram draws of an axially symmetric geometry")
        }
        let limits = LimitAngle.angles(frame: frame)
        let limitTerm: [Double]
        if let quadrature = limitTermQuadrature() {
            limitTerm = quadrature.values
        } else {
            var stream = RandomStream(seed: spec.seed, trial: UInt64(t), stream: .limitAngles)
            limitTerm = LimitAngle.meanRisk(of: law, grid: grid, samples: spec.limitSamples,
                                            risk: riskOfAngle, using: &stream)
        }
        let trialLimits = grid.map { riskOfAngle(limits[$0 - 1]) }
        for plan in students {
            var previous: Double?
            for (k, n) in grid.enumerated() {
                guard let r = layout.index(plan.label, n, .risk) else { continue }
                let plain = values[r]
                let trialTerm = plain - trialLimits[k]
                let estimate = trialTerm + limitTerm[k]
                values[r] = estimate
                values[layout.index(plan.label, n, .plainRisk)!] = plain
                values[layout.index(plan.label, n, .trialTerm)!] = trialTerm
                values[layout.index(plan.label, n, .limitTerm)!] = limitTerm[k]
                if let previous, let s = layout.index(plan.label, n, .step) { values[s] = estimate - previous }
                previous = estimate
            }
        }
    }

    /// Multiplies every value at n by the prefix weight W_n = Π_{i≤n} p(β_i)/q(β_i), so each
    /// mean is unbiased for its plain expectation (docs/THEORY.md §9); the steps become
    /// W_n R_n − W_{n'} R_{n'} of the previous grid point n', unbiased for E[R_n] − E[R_{n'}].
    /// The products are formed in log space (`LogSpace.weighted`) and log W_n is kept beside;
    /// the risk's from ln R where `logRisks` has it (NaN elsewhere), which is the same value
    /// where R is a double and stays accurate where it is not.
    /// Every per-n mean that estimates an expectation under the geometry's law is weighted:
    /// the risk, the certificate, the monotonicity indicators, the flow time and the off-span
    /// norm. The solver's checks are not: a limit gap and "converged" describe the solver on
    /// each draw it ran, whatever law drew it (L1 and L2 bound the gaps' upper interval end,
    /// "converged" asks every solve), and the gradient evaluations are what the run spent.
    private func applyWeights(_ logWeights: [Double], logRisks: [Double]?, to values: inout [Double]) {
        let weighted: [CurveLayout.Quantity] = [.risk, .certificate, .angleIncrease, .certificateIncrease, .riskIncrease,
                                                .flowTime, .offSpan]
        for plan in students {
            var previous: Double?
            for n in grid {
                let logWeight = logWeights[n - 1]
                for q in weighted {
                    guard let i = layout.index(plan.label, n, q) else { continue }
                    if q == .risk, let logRisk = logRisks?[i], !logRisk.isNaN {
                        values[i] = LogSpace.weighted(logValue: logRisk, logWeight: logWeight)
                    } else {
                        values[i] = LogSpace.weighted(values[i], logWeight: logWeight)
                    }
                }
                if let i = layout.index(plan.label, n, .logWeight) { values[i] = logWeight }
                guard let r = layout.index(plan.label, n, .risk) else { continue }
                if let previous, let s = layout.index(plan.label, n, .step) { values[s] = values[r] - previous }
                previous = values[r]
            }
        }
    }

    private func record(_ statistics: SolverStatistics, _ label: String, _ n: Int,
                        _ put: (String, Int, CurveLayout.Quantity, Double) -> Void) {
        if let time = statistics.flowTime { put(label, n, .flowTime, time) }
        put(label, n, .gradientEvaluations, Double(statistics.gradientEvaluations))
        put(label, n, .converged, statistics.converged ? 1 : 0)
    }

    /// ‖a − b‖ / ‖b‖ (‖a − b‖ when b = 0).
    static func relativeDistance(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "coordinates differ in length")
        var difference = a
        axpy(-1, b, &difference)
        let scale = norm2(b)
        return scale > 0 ? norm2(difference) / scale : norm2(difference)
    }

    static func readVector(_ file: String, baseDirectory: URL?, count: Int) throws -> [Double] {
        let url = file.hasPrefix("/") ? URL(fileURLWithPath: file)
            : (baseDirectory ?? URL(fileURLWithPath: ".")).appendingPathComponent(file)
        let text: String
        do { text = String(decoding: try Files.readRegular(url.path), as: UTF8.self) } catch {
            throw TrialSetupError.unreadable(path: url.path, reason: "\(error)")
        }
        var numbers: [Double] = []
        for token in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            guard let x = Double(token), x.isFinite else {
                throw TrialSetupError.unreadable(path: url.path, reason: "\"\(token.prefix(40))\" is not a finite number; write d numbers separated by commas or spaces")
            }
            numbers.append(x)
        }
        guard numbers.count == count else {
            throw TrialSetupError.unreadable(path: url.path, reason: "found \(numbers.count) numbers, expected d = \(count)")
        }
        return numbers
    }
}

/// Holds the limit term's quadrature once it is computed (shared by copies of the trial).
final class LimitQuadratureCache: Sendable {
    let value = Mutex<LimitRiskQuadrature?>(nil)
}

/// One trial at one n, as `kdmc dump` writes it.
package struct TrialDump: Sendable {
    package struct Student: Sendable {
        package var label: String
        package var weights: [Double]?
        package var angle: Double
        package var risk: Double
    }

    /// Which space the vectors are written in.
    package enum Coordinates: Sendable, Equatable {
        /// R^d.
        case ambient
        /// The (N + 2)-dimensional embedding of the Gram sampler (N the largest n of the grid):
        /// coordinate 0 along w*, 1…N the span of the N directions v_i, N + 1 the rest of R^d.
        case gramEmbedding(ambientDimension: Int)

        /// A sentence for the dump's reader.
        package var note: String {
            switch self {
            case .ambient:
                return "coordinates: R^d (points drawn in the ambient space)"
            case .gramEmbedding(let d):
                return "coordinates: Gram-space embedding, not R^d (d = \(d)). The trial was sampled by the gram sampler (docs/THEORY.md §6), which never forms points in R^d; vectors are written in the embedding the students were trained in, which keeps every inner product among points, teacher and students: coordinate 1 is along w*, coordinates 2 to N+1 span the N drawn directions (N = largest n of the grid), coordinate N+2 stands for the rest of R^d. Angles and risks are those of the trial. For an ambient dump, run with \"sampler\": \"ambient\" (a different draw)."
            }
        }
    }

    /// n × D, rows are points (D = d, or N + 2 in the Gram embedding).
    package var points: Matrix
    package var teacher: [Double]
    package var students: [Student]
    package var coordinates: Coordinates = .ambient
}
