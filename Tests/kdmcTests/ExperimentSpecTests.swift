import Foundation
import MonteCarlo
import Testing
import Experiments

@Suite struct PresetTests {
    @Test func everyPresetValidatesAndSaysWhichClaimItReproduces() throws {
        let files = try TestFiles.presetFiles()
        #expect(files.count >= 10)
        for file in files {
            let suite: ExperimentSuite
            do {
                suite = try TestFiles.validator.validate(contentsOf: file)
            } catch {
                Issue.record("\(file.lastPathComponent): \(error)")
                continue
            }
            let description = try #require(suite.description, "\(file.lastPathComponent) has no description")
            #expect(description.contains("docs/THEORY.md"), "\(file.lastPathComponent) does not name its claim")
            #expect(!suite.experiments.isEmpty)
        }
    }

    @Test func presetsCoverTheBriefedExperiments() throws {
        func load(_ name: String) throws -> ExperimentSuite {
            try TestFiles.validator.validate(contentsOf: TestFiles.presets.appendingPathComponent(name + ".json"))
        }
        // The flow at d = 10^5: a linear and two deep students, the solver not the closed form.
        let largeFlow = try #require(try load("large-d-flow").experiments.first)
        #expect(largeFlow.d >= 100_000 && largeFlow.solver.kind == .flow && largeFlow.resolvedSampler == .gram)
        #expect(largeFlow.students.contains(.linear(init: .zero)))
        #expect(largeFlow.students.contains { if case .deepLinear(_, _, .balanced) = $0 { true } else { false } })
        #expect(largeFlow.students.contains { if case .deepLinear(_, _, .random) = $0 { true } else { false } })
        let identification = try #require(try load("identification").experiments.first)
        #expect(identification.d == 50 && identification.n.values.first == 1 && identification.n.maximum == 100)
        let exact = try #require(try load("gaussian-exact").experiments.first)
        #expect(exact.d == 100 && exact.n.maximum == 90 && [10, 50, 90].allSatisfy(exact.n.values.contains))
        let margin = try #require(try load("margin-exponential").experiments.first)
        #expect(margin.geometry == .margin(theta0: 0.2, radius: .chi) && margin.d == 10_000 && margin.solver.kind == .closed)
        let poly = try load("poly-tail").experiments
        #expect(poly.map(\.geometry) == [1.0, 2, 4].map { .polyTail(kappa: $0, radius: .chi) })
        #expect(poly.allSatisfy { $0.d == 1000 && $0.n.maximum == 50 })
        let bias = try #require(try load("optimization-bias").experiments.first)
        #expect(bias.n.values == [5] && bias.students.contains { $0.kind == "w-delta" })
        let deep = try #require(try load("deep-linear").experiments.first)
        let depths = deep.students.compactMap { s -> Int? in if case .deepLinear(let depth, _, _) = s { depth } else { nil } }
        #expect(Set(depths) == [2, 3] && deep.d == 30)
        let mono = try #require(try load("monotonicity").experiments.first)
        #expect(mono.n.values == Array(1...20))
        let hard = try #require(try load("soft-vs-hard").experiments.first)
        #expect(hard.students.contains(.hardLabel) && hard.d == 50)
        let digits = try #require(try load("digits01").experiments.first)
        guard case .dataset(let data) = digits.geometry else {
            Issue.record("digits01 is not a dataset experiment")
            return
        }
        #expect(data.file == "../data/digits01.csv" && digits.d == 64)
        let quick = try load("default").experiments
        #expect(quick.count >= 3 && quick.allSatisfy {
            if case .fixed(let trials) = $0.stopping { trials <= 1000 } else { false }
        })
    }

    @Test func presetsSurviveAnEncodeDecodeRoundTrip() throws {
        for file in try TestFiles.presetFiles() {
            let suite = try TestFiles.validator.validate(contentsOf: file)
            let data = try JSONEncoder().encode(suite)
            let back = try JSONDecoder().decode(ExperimentSuite.self, from: data)
            #expect(back == suite, "\(file.lastPathComponent) changed in a round trip")
        }
    }
}

@Suite struct ExperimentDefaultTests {
    static let minimal = """
    {"name": "minimal", "geometry": "gaussian", "d": 10, "n": [1, 2], "students": ["linear"]}
    """

    @Test func optionalFieldsTakeTheDocumentedDefaults() throws {
        let suite = try TestFiles.validator.validate(data: Data(Self.minimal.utf8))
        #expect(suite.name == "minimal" && suite.description == nil)
        let e = try #require(suite.experiments.first)
        #expect(e.teacher == TeacherSpec(norm: 1, temperature: 1, direction: .axis))
        #expect(e.students == [.linear(init: .zero)])
        #expect(e.solver.kind == .flow)
        #expect(abs(e.solver.tolerance - 1e-10) < 1e-24)
        #expect(abs(e.solver.fitTolerance - 1e-10) < 1e-24 && abs(e.solver.integrationTolerance - 1e-10) < 1e-24)
        #expect(e.solver.maxSteps == 1_000_000 && e.solver.step == nil && e.solver.timeLimit == nil)
        #expect(e.stopping == .fixed(trials: 1000))
        #expect(e.blockSize == 64)
        #expect(abs(e.confidence - 0.95) < 1e-15)
        #expect(e.seed == 1)
        #expect(e.memoryCapMB == nil)
        #expect(e.sampler == .auto)
    }

    @Test func nestedDefaults() throws {
        let json = """
        {"name": "nested", "geometry": {"kind": "poly-tail", "kappa": 2}, "d": 12,
         "n": {"from": 1, "to": 10, "count": 4},
         "students": [{"kind": "deep-linear", "depth": 3}, "w-delta", {"kind": "linear", "init": "random"}],
         "stopping": {"target_ci": {"relative": 0.05}}}
        """
        let e = try #require(try TestFiles.validator.validate(data: Data(json.utf8)).experiments.first)
        #expect(e.geometry == .polyTail(kappa: 2, radius: .chi))
        #expect(e.n == .generated(from: 1, to: 10, count: 4, spacing: .log))
        #expect(e.students[0] == .deepLinear(depth: 3, widths: [12, 12], init: .balanced(scale: 0.01)))
        #expect(e.students[1] == .wDelta(deltasDegrees: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]))
        #expect(e.students[2] == .linear(init: .random(scale: 0.01)))
        #expect(e.stopping == .sequential(StoppingSpec.Sequential(target: .relative(0.05), minTrials: 100,
                                                             maxTrials: 1_000_000, wallTime: nil)))
    }

    @Test func aLoneExperimentAndASuiteOfOneDecodeAlike() throws {
        let alone = try TestFiles.validator.validate(data: Data(Self.minimal.utf8))
        let wrapped = try TestFiles.validator.validate(data: Data("{\"suite\": \"minimal\", \"experiments\": [\(Self.minimal)]}".utf8))
        #expect(alone == wrapped)
    }

    @Test func handBuiltSuiteWithEveryVariantRoundTrips() throws {
        let all = ExperimentSuite(name: "all", description: "every variant", experiments: [
            ExperimentSpec(name: "aniso", geometry: .anisotropic(spectrum: .powerLaw(alpha: 1.5), teacherDirection: .eigenvector(index: 3)),
                           d: 5, n: .values([1, 3]), students: [.linear(init: .given(file: "w0.csv")), .hardLabel],
                           solver: SolverSpec(kind: .gd, tolerance: 1e-8, fitTolerance: 1e-6, integrationTolerance: 1e-9,
                                              timeLimit: 50, maxSteps: 10, step: 0.1),
                           stopping: .sequential(StoppingSpec.Sequential(target: .absolute(0.01), minTrials: 64, maxTrials: 640, wallTime: 60)),
                           confidence: 0.9, seed: 1 << 62, memoryCapMB: 512, sampler: .ambient),
            ExperimentSpec(name: "coefficients", geometry: .anisotropic(spectrum: .values([3, 2, 1]), teacherDirection: .coefficients([1, 0, -1])),
                           d: 3, n: .values([1]), students: [.deepLinear(depth: 2, widths: [4], init: .random(scale: 0.5))]),
            ExperimentSpec(name: "mix", geometry: .mixture(GeometrySpec.Mixture(weights: [0.25, 0.75], means: [[1, 2], [-1]], stds: [1, 2])),
                           d: 4, n: .generated(from: 2, to: 40, count: 5, spacing: .linear), students: [.wDelta(deltasDegrees: [0, 45])]),
            ExperimentSpec(name: "data", geometry: .dataset(GeometrySpec.Dataset(file: "x.csv", labelColumn: .index(0), teacher: .file("t.csv"), holdout: 0.2)),
                           d: 8, n: .values([1, 2]), teacher: TeacherSpec(norm: 3, temperature: 2, direction: .random),
                           students: [.linear(init: .zero)]),
            ExperimentSpec(name: "margin", geometry: .margin(theta0: 0.3, radius: .unit), d: 100, n: .values([4]),
                           students: [.hardLabel], solver: SolverSpec(kind: .closed), sampler: .gram),
        ])
        let data = try JSONEncoder().encode(all)
        let back = try JSONDecoder().decode(ExperimentSuite.self, from: data)
        #expect(back == all)
        #expect(TestFiles.validator.problems(in: all).isEmpty)
    }

    @Test func overridesReplaceSeedAndStopping() throws {
        let suite = try TestFiles.validator.validate(data: Data(Self.minimal.utf8))
        let fixed = suite.overriding(seed: 99, trials: 7)
        #expect(fixed.experiments[0].seed == 99 && fixed.experiments[0].stopping == .fixed(trials: 7))
        let sequential = suite.overriding(target: .relative(0.1))
        #expect(sequential.experiments[0].stopping == .sequential(StoppingSpec.Sequential(target: .relative(0.1))))
        let kept = sequential.overriding(target: .absolute(0.2))
        #expect(kept.experiments[0].stopping == .sequential(StoppingSpec.Sequential(target: .absolute(0.2))))
        #expect(TestFiles.validator.problems(in: suite.overriding(trials: 0)).map(\.path.description)
                == ["experiments[0].stopping.trials"])
    }

    @Test func decodingErrorsBecomePathsAndMessages() throws {
        struct Holder: Decodable { var runs: [ExperimentSpec] }
        let json = """
        {"runs": [\(Self.minimal), {"name": "x", "geometry": "gaussian", "d": 10, "n": [2, 1], "students": ["linear"]}]}
        """
        do {
            _ = try JSONDecoder().decode(Holder.self, from: Data(json.utf8))
            Issue.record("a decreasing grid was decoded")
        } catch let error as ExperimentFileError {
            #expect(error.problems.map(\.path.description) == ["runs[1].n[1]"])
        }
        let context = DecodingError.Context(codingPath: [], debugDescription: "")
        let missing = ExperimentProblem(DecodingError.keyNotFound(JSONPath.Component.key("d").codingKey, context))
        #expect(missing.message.contains("missing required field \"d\""))
        let mismatch = ExperimentProblem(DecodingError.typeMismatch(Int.self, context))
        #expect(mismatch.message.contains("expected an integer") && !mismatch.message.contains("Context"))
    }
}

private extension JSONPath.Component {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var codingKey: any CodingKey {
        if case .key(let k) = self { return Key(stringValue: k) }
        return Key(stringValue: "")
    }
}

@Suite struct GridAndMemoryTests {
    @Test func linearGeneratorGivesEveryInteger() {
        #expect(NGrid.generated(from: 1, to: 20, count: 20, spacing: .linear).values == Array(1...20))
        #expect(NGrid.generated(from: 10, to: 50, count: 5, spacing: .linear).values == [10, 20, 30, 40, 50])
    }

    @Test func logGeneratorIsStrictlyIncreasingAndKeepsItsEnds() {
        for (from, to, count) in [(1, 50, 12), (1, 1_000_000, 30), (3, 7, 50), (1, 2, 2)] {
            let values = NGrid.generated(from: from, to: to, count: count, spacing: .log).values
            #expect(values.first == from && values.last == to)
            #expect(values.count <= count)
            #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 }, "\(values)")
        }
        #expect(NGrid.generated(from: 3, to: 7, count: 50, spacing: .log).values == [3, 4, 5, 6, 7])
    }

    @Test func ambientEstimateFollowsTheDocumentedFormula() {
        let e = ExperimentSpec(name: "m", geometry: .gaussian, d: 1000, n: .values([10, 100]),
                               students: [.linear(init: .zero)], sampler: .ambient)
        // Points n·d, the flow's QR and reduced system 4·n·d, teacher d, the student 4·d + 2·n.
        let points: Double = 5 * 100 * 1000
        let doubles: Double = points + 1000 + 4 * 1000 + 2 * 100
        #expect(abs(e.memoryEstimate.bytes - (MemoryEstimate.baselineBytes + 8 * doubles)) < 1)
        #expect(e.memoryEstimate.sampler == .ambient)
    }

    @Test func autoUsesGramOnlyWhereItCan() {
        var e = ExperimentSpec(name: "m", geometry: .margin(theta0: 0.2, radius: .chi), d: 1_000_000,
                               n: .values([100]), students: [.linear(init: .zero)])
        #expect(e.resolvedSampler == .gram)
        // Bartlett factor of the directions n², embedded points n·(n+2) and their QR n·(n+2);
        // teacher d; the student in the (n+2)-dimensional embedding.
        let gram: Double = 100 * 100 + 2 * 100 * 102
        let gramDoubles: Double = gram + 1_000_000 + 4 * 102 + 2 * 100
        #expect(abs(e.memoryEstimate.bytes - (MemoryEstimate.baselineBytes + 8 * gramDoubles)) < 1)
        // A random start shares the draw's QR.
        e.students.append(.linear(init: .random(scale: 1)))
        #expect(e.resolvedSampler == .gram)
        #expect(abs(e.memoryEstimate.bytes - (MemoryEstimate.baselineBytes + 8 * gramDoubles)) < 1)
        e.students = [.linear(init: .given(file: "w0.csv")), .hardLabel, .wDelta(deltasDegrees: [0, 90])]
        #expect(e.resolvedSampler == .gram)
        e.n = .values([999_999])
        #expect(e.resolvedSampler == .gram)
        e.n = .values([1_000_000])
        #expect(e.resolvedSampler == .ambient)
        e.n = .values([100])
        // A deep student's first layer enters the Gram embedding too (its rest through a Gram matrix).
        e.students.append(.deepLinear(depth: 2, widths: [3], init: .random(scale: 0.01)))
        #expect(e.resolvedSampler == .gram)
        e.students = [.linear(init: .zero)]
        e.geometry = .mixture(GeometrySpec.Mixture(weights: [1], means: [[0]], stds: [1]))
        #expect(e.resolvedSampler == .ambient)
    }

    @Test func deepLinearLayersCount() {
        var e = ExperimentSpec(name: "m", geometry: .gaussian, d: 100, n: .values([10]),
                               students: [.deepLinear(depth: 3, widths: [50, 20], init: .random(scale: 0.1))],
                               sampler: .ambient)
        let parameters: Double = 100 * 50 + 50 * 20 + 20
        let points: Double = 5 * 10 * 100
        let doubles: Double = points + 100 + 3 * parameters + 10 * 50
        #expect(abs(e.memoryEstimate.bytes - (MemoryEstimate.baselineBytes + 8 * doubles)) < 1)
        // In the Gram embedding W_1 is 50 × (n + 2).
        e.sampler = .auto
        #expect(e.resolvedSampler == .gram)
        let gramParameters: Double = 12 * 50 + 50 * 20 + 20
        let gramDoubles: Double = 10 * 10 + 2 * 10 * 12 + 100 + 3 * gramParameters + 10 * 50
        #expect(abs(e.memoryEstimate.bytes - (MemoryEstimate.baselineBytes + 8 * gramDoubles)) < 1)
    }

    @Test func budgetReadsTheLaunchersRankCount() {
        #expect(MemoryBudget.current(environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "4"]).ranksOnNode == 4)
        #expect(MemoryBudget.current(environment: ["SLURM_NTASKS_PER_NODE": "8(x2)"]).ranksOnNode == 8)
        #expect(MemoryBudget.current(environment: [:]).ranksOnNode == 1)
        let machine = MemoryBudget.current(environment: [:])
        #expect(machine.physicalBytes > 1_048_576)
        let budget = MemoryBudget(physicalBytes: 8_000, ranksOnNode: 4)
        #expect(abs(budget.capBytes - 1_000) < 1e-9)
        #expect(MemoryBudget(physicalBytes: 8_000, ranksOnNode: 0).ranksOnNode == 1)
    }
}

/// `"expect"` and an explicit teacher direction (README "Verdicts", docs/EXPERIMENT-SCHEMA.md).
@Suite struct ExpectationAndTeacherDirectionTests {
    @Test func bothReadBackAndRoundTrip() throws {
        let text = """
        {"name": "blobs", "geometry": {"kind": "mixture", "weights": [0.5, 0.5], "means": [[1, 0, 0], [-1, 0, 0]], "stds": [0.1, 0.1]},
         "d": 3, "n": [1, 2], "students": ["linear"], "teacher": {"direction": [0.8, 1, 0.76]}, "expect": {"M3": "fails", "C1": "inconclusive"}}
        """
        let suite = try TestFiles.validator.validate(data: Data(text.utf8))
        let e = try #require(suite.experiments.first)
        #expect(e.teacher.direction == .vector([0.8, 1, 0.76]))
        #expect(e.expect == ["M3": .fails, "C1": .inconclusive])
        let back = try JSONDecoder().decode(ExperimentSuite.self, from: try JSONEncoder().encode(suite))
        #expect(back == suite)
        // Without "expect" every claim is expected to hold.
        #expect(try TestFiles.validator.validate(data: Data(ExperimentDefaultTests.minimal.utf8)).experiments[0].expect.isEmpty)
    }

    /// The problems the validator finds in a file's text (none when it is valid).
    static func problems(_ text: String) -> [ExperimentProblem] {
        do {
            _ = try TestFiles.validator.validate(data: Data(text.utf8), baseDirectory: TestFiles.presets)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func badValuesAreNamed() throws {
        let text = """
        {"suite": "bad", "experiments": [
         {"name": "a", "geometry": "gaussian", "d": 3, "n": [1], "students": ["linear"], "teacher": {"direction": [0, 0, 0]}, "expect": {"M4": "fails", "M3": "maybe"}},
         {"name": "b", "geometry": "gaussian", "d": 3, "n": [1], "students": ["linear"], "teacher": {"direction": [1, 2]}},
         {"name": "c", "geometry": {"kind": "dataset", "file": "../data/digits01.csv", "label_column": "label"}, "d": 64, "n": [1], "students": ["linear"], "teacher": {"direction": "sideways"}}
        ]}
        """
        let found = Dictionary(Self.problems(text).map { ($0.path.description, $0.message) }, uniquingKeysWith: { $0 + " | " + $1 })
        #expect(found["experiments[0].teacher.direction"]?.contains("all entries are 0") == true)
        #expect(found["experiments[0].expect.M4"]?.contains("unknown claim \"M4\"") == true)
        #expect(found["experiments[0].expect.M3"]?.contains("unknown expected status \"maybe\"; known values: holds, fails, inconclusive") == true)
        #expect(found["experiments[1].teacher.direction"]?.contains("give d = 3") == true)
        #expect(found["experiments[2].teacher.direction"]?.contains("\"axis\", \"random\" or a list of d numbers") == true)
        let dataset = """
        {"name": "c", "geometry": {"kind": "dataset", "file": "../data/digits01.csv", "label_column": "label"}, "d": 64, "n": [1], "students": ["linear"], "teacher": {"direction": [\(Array(repeating: "1", count: 64).joined(separator: ", "))]}}
        """
        #expect(Self.problems(dataset).contains { $0.path.description == "teacher.direction" && $0.message.contains("its own teacher") })
    }
}
