import Foundation
import MonteCarlo
import Testing
import Experiments

/// One expected problem: its JSON path and words its message must contain.
struct ExpectedProblem: Sendable {
    var path: String
    var fragments: [String]
}

struct MalformedCase: Sendable, CustomTestStringConvertible {
    var file: String
    var expected: [ExpectedProblem]
    var testDescription: String { file }
}

@Suite struct MalformedExperimentTests {
    static let cases: [MalformedCase] = [
        MalformedCase(file: "missing-field.json", expected: [
            ExpectedProblem(path: "(top level)", fragments: ["missing required field \"d\"", "\"d\": 100"]),
        ]),
        MalformedCase(file: "wrong-type.json", expected: [
            ExpectedProblem(path: "d", fragments: ["found the string \"100\"", "without quotes"]),
            ExpectedProblem(path: "students", fragments: ["expected a list", "found a string \"linear\""]),
            ExpectedProblem(path: "confidence", fragments: ["expected a number", "found a boolean"]),
        ]),
        MalformedCase(file: "negative-size.json", expected: [
            ExpectedProblem(path: "d", fragments: ["-5 is less than 2", "integer ≥ 2"]),
            ExpectedProblem(path: "stopping.trials", fragments: ["-10 is not positive", "trials must be an integer ≥ 1"]),
        ]),
        MalformedCase(file: "zero-size.json", expected: [
            ExpectedProblem(path: "n[0]", fragments: ["0 is not positive"]),
            ExpectedProblem(path: "block_size", fragments: ["0 is not positive", "block_size must be an integer ≥ 1"]),
        ]),
        MalformedCase(file: "n-not-increasing.json", expected: [
            ExpectedProblem(path: "experiments[2].n[3]", fragments: [
                "40 is not greater than the previous value 50; the n grid must be strictly increasing",
            ]),
        ]),
        MalformedCase(file: "unknown-geometry.json", expected: [
            ExpectedProblem(path: "geometry", fragments: [
                "unknown geometry \"gausian\"",
                "known geometries: gaussian, anisotropic, poly-tail, margin, mixture, dataset",
            ]),
        ]),
        MalformedCase(file: "unknown-student.json", expected: [
            ExpectedProblem(path: "students[1].kind", fragments: [
                "unknown student \"cnn\"", "known students: linear, deep-linear, hard-label, w-delta",
            ]),
        ]),
        MalformedCase(file: "kappa-nonpositive.json", expected: [
            ExpectedProblem(path: "geometry.kappa", fragments: ["kappa must be > 0", "got 0"]),
        ]),
        MalformedCase(file: "theta0-out-of-range.json", expected: [
            ExpectedProblem(path: "experiments[0].geometry.theta0", fragments: ["1.6 is outside (0, π/2)", "radians"]),
            ExpectedProblem(path: "experiments[1].geometry.theta0_degrees", fragments: ["radians only", "π/180"]),
            ExpectedProblem(path: "experiments[1].geometry", fragments: ["missing required field \"theta0\""]),
        ]),
        MalformedCase(file: "widths-below-one.json", expected: [
            ExpectedProblem(path: "students[0].widths[1]", fragments: ["0 is not positive", "each width must be an integer ≥ 1"]),
            ExpectedProblem(path: "students[1].widths", fragments: ["1 widths for depth 3", "depth − 1 = 2"]),
        ]),
        MalformedCase(file: "absurd-memory.json", expected: [
            ExpectedProblem(path: "(top level)", fragments: [
                "estimated peak memory per rank 3.6 TiB", "exceeds the cap 4.0 GiB",
                "16.0 GiB physical memory over 2 ranks", "memory_cap_mb",
            ]),
        ]),
        MalformedCase(file: "invalid-syntax.json", expected: [
            ExpectedProblem(path: "(top level)", fragments: ["not valid JSON", "line 4", "missing comma"]),
        ]),
        MalformedCase(file: "confidence-out-of-range.json", expected: [
            ExpectedProblem(path: "confidence", fragments: ["1 is outside (0, 1)", "0.95"]),
        ]),
        MalformedCase(file: "unknown-field.json", expected: [
            ExpectedProblem(path: "stopping.trails", fragments: ["unknown field \"trails\"", "known fields: trials, target_ci"]),
            ExpectedProblem(path: "stopping", fragments: ["missing \"trials\" or \"target_ci\""]),
        ]),
    ]

    @Test("each malformed file gives the expected paths and messages", arguments: cases)
    func malformedFile(_ testCase: MalformedCase) throws {
        let problems = TestFiles.problems(in: testCase.file)
        #expect(!problems.isEmpty, "\(testCase.file) was accepted")
        for expected in testCase.expected {
            let atPath = problems.filter { $0.path.description == expected.path }
            let match = atPath.first { problem in expected.fragments.allSatisfy(problem.message.contains) }
            #expect(match != nil, "no problem at \(expected.path) containing \(expected.fragments); got: \(problems)")
        }
        #expect(problems.count == testCase.expected.count, "unexpected extra problems: \(problems)")
    }

    @Test func everyCorpusFileIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestFiles.malformed.path)
            .filter { $0.hasSuffix(".json") }
        let covered = Set(Self.cases.map(\.file) + ["many-problems.json"])
        #expect(Set(files) == covered)
    }

    @Test func everyProblemOfAFileIsReportedAtOnce() {
        let problems = TestFiles.problems(in: "many-problems.json")
        let paths = Set(problems.map(\.path.description))
        for path in ["experiments[0].name", "experiments[0].d", "experiments[0].n[1]",
                     "experiments[0].students[0].deltas[1]", "experiments[0].solver",
                     "experiments[0].sampler", "experiments[0].geometry.stds",
                     "experiments[0].geometry.weights", "experiments[1].stopping",
                     "experiments[2].name"] {
            #expect(paths.contains(path), "no problem at \(path); got: \(problems)")
        }
        let duplicate = problems.first { $0.path.description == "experiments[2].name" }
        #expect(duplicate?.message.contains("already the name of experiments[1]") == true)
        let solver = problems.first { $0.path.description == "experiments[0].solver" }
        #expect(solver?.message.contains("known solvers: flow, gd, newton, closed") == true)
    }

    @Test func memoryCapFromTheFileOverridesTheMachineBudget() throws {
        let base = """
        {"name": "m", "geometry": "gaussian", "d": 10000, "n": [1, 1000], "students": ["linear"],
         "sampler": "ambient" CAP}
        """
        // 5·1000·10000 doubles = 381 MiB of points, QR and reduced system, plus the 40 MiB
        // baseline: about 422 MiB, well below the 4 GiB of the test budget, but above a cap of
        // 100 MiB.
        _ = try TestFiles.validator.validate(data: Data(base.replacingOccurrences(of: "CAP", with: "").utf8))
        do {
            _ = try TestFiles.validator.validate(data: Data(base.replacingOccurrences(of: "CAP", with: ", \"memory_cap_mb\": 100").utf8))
            Issue.record("217 MiB passed a cap of 100 MiB")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.message.contains("421.") == true)
            #expect(error.problems.first?.message.contains("the cap 100.0 MiB set by memory_cap_mb") == true)
        }
    }

    @Test func missingDatasetFileIsReportedWithItsResolvedPath() throws {
        let json = """
        {"name": "data", "geometry": {"kind": "dataset", "file": "nowhere.csv", "label_column": "label"},
         "d": 4, "n": [1, 2], "students": ["linear"]}
        """
        do {
            _ = try TestFiles.validator.validate(data: Data(json.utf8), baseDirectory: TestFiles.malformed)
            Issue.record("a missing data file was accepted")
        } catch {
            #expect(error.problems.map(\.path.description) == ["geometry.file"])
            #expect(error.problems.first?.message.contains("Malformed/nowhere.csv") == true)
        }
    }

    @Test func datasetDimensionMustMatchTheFile() throws {
        let json = """
        {"name": "data", "geometry": {"kind": "dataset", "file": "../data/digits01.csv", "label_column": "digit"},
         "d": 50, "n": [1, 2], "students": ["linear"]}
        """
        do {
            _ = try TestFiles.validator.validate(data: Data(json.utf8), baseDirectory: TestFiles.presets)
            Issue.record("a wrong label column was accepted")
        } catch {
            #expect(error.problems.map(\.path.description) == ["geometry.label_column"])
        }
        let wrongD = json.replacingOccurrences(of: "\"digit\"", with: "\"label\"")
        do {
            _ = try TestFiles.validator.validate(data: Data(wrongD.utf8), baseDirectory: TestFiles.presets)
            Issue.record("a wrong d was accepted")
        } catch {
            #expect(error.problems.first?.message.contains("set d to 64") == true)
        }
    }
}

@Suite struct SpecialValueTests {
    static func problems(_ json: String) -> [ExperimentProblem] {
        do {
            _ = try TestFiles.validator.validate(data: Data(json.utf8))
            return []
        } catch {
            return error.problems
        }
    }

    static func experiment(d: String = "20", theta0: String = "0.2", seed: String = "1", extra: String = "") -> String {
        """
        {"name": "x", "geometry": {"kind": "margin", "theta0": \(theta0)}, "d": \(d), "n": [1, 2],
         "students": ["linear"], "seed": \(seed)\(extra)}
        """
    }

    @Test func numbersBeyondDoubleRangeAreNamed() {
        let problems = Self.problems(Self.experiment(d: "1e400"))
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("out of range") == true)
    }

    @Test func hugeAndTinyMagnitudes() {
        let huge = Self.problems(Self.experiment(d: "1e300"))
        #expect(huge.map(\.path.description) == ["d"])
        #expect(huge.first?.message.contains("too large") == true)
        let tiny = Self.problems(Self.experiment(d: "1e-320"))
        #expect(tiny.first?.message.contains("not a whole number") == true)
        // A tiny positive margin is a margin; the largest admissible one is just below π/2.
        #expect(Self.problems(Self.experiment(theta0: "1e-300")).isEmpty)
        #expect(Self.problems(Self.experiment(theta0: "1.5707963267948963")).isEmpty)
        #expect(Self.problems(Self.experiment(theta0: "1.5707963267948966")).map(\.path.description) == ["geometry.theta0"])
    }

    @Test func signedZeroIsZero() {
        let problems = Self.problems(Self.experiment(d: "-0", theta0: "-0.0"))
        #expect(Set(problems.map(\.path.description)) == ["d", "geometry.theta0"])
        #expect(problems.first { $0.path.description == "d" }?.message.contains("0 is less than 2") == true)
    }

    @Test func seedsKeepAllSixtyThreeBits() throws {
        let suite = try TestFiles.validator.validate(data: Data(Self.experiment(seed: "9223372036854775807").utf8))
        #expect(suite.experiments.first?.seed == UInt64(Int64.max))
        #expect(Self.problems(Self.experiment(seed: "-1")).map(\.path.description) == ["seed"])
        #expect(Self.problems(Self.experiment(seed: "1.5")).map(\.path.description) == ["seed"])
    }

    @Test func nullMeansDefaultForOptionalAndMissingForRequired() throws {
        let suite = try TestFiles.validator.validate(data: Data(Self.experiment(extra: ", \"confidence\": null").utf8))
        #expect(abs((suite.experiments.first?.confidence ?? 0) - 0.95) < 1e-15)
        let problems = Self.problems(Self.experiment(d: "null"))
        #expect(problems.first?.message.contains("missing required field \"d\"") == true)
    }
}

@Suite struct CrossFieldTests {
    static func problems(_ json: String, base: URL? = nil) -> [ExperimentProblem] {
        do {
            _ = try TestFiles.validator.validate(data: Data(json.utf8), baseDirectory: base)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func gramSamplerNeedsAnAxialGeometryAndSpanStudents() {
        let json = """
        {"name": "g", "geometry": {"kind": "mixture", "weights": [1], "means": [[1]], "stds": [1]}, "d": 10, "n": [1, 2],
         "students": [{"kind": "deep-linear", "depth": 2}, {"kind": "linear", "init": {"kind": "given", "file": "w0.csv"}}],
         "sampler": "gram"}
        """
        let messages = Self.problems(json).filter { $0.path.description == "sampler" }.map(\.message)
        #expect(messages.count == 1)
        #expect(messages.contains { $0.contains("axially symmetric geometry") && $0.contains("not mixture") })
        // A deep-linear student has an exact Gram form (its first layer's rest enters by a Gram matrix).
        #expect(!messages.contains { $0.contains("deep-linear") })
        // A given w(0) has an exact Gram form (its parts along and across w*).
        #expect(!messages.contains { $0.contains("given") })
    }

    @Test func gramSamplerDrawsAtMostDMinusOnePoints() {
        let json = """
        {"name": "g", "geometry": "gaussian", "d": 10, "n": [1, 10], "students": ["linear"], "sampler": "gram"}
        """
        let problems = Self.problems(json)
        #expect(problems.map(\.path.description) == ["sampler"])
        #expect(problems.first?.message.contains("at most d − 1 = 9 points") == true)
        #expect(problems.first?.message.contains("largest n is 10") == true)
        #expect(Self.problems(json.replacingOccurrences(of: "[1, 10]", with: "[1, 9]")).isEmpty)
    }

    @Test func closedSolverRefusesRandomDeepLinear() {
        let json = """
        {"name": "c", "geometry": "gaussian", "d": 10, "n": [1, 2], "solver": "closed",
         "students": [{"kind": "deep-linear", "depth": 2, "init": "balanced"}, {"kind": "deep-linear", "depth": 2, "init": "random"}]}
        """
        let problems = Self.problems(json)
        #expect(problems.map(\.path.description) == ["students[1]"])
        #expect(problems.first?.message.contains("no closed-form limit") == true)
    }

    @Test func datasetGridMustFitTheTrainingRows() {
        let json = """
        {"name": "rows", "geometry": {"kind": "dataset", "file": "../data/digits01.csv", "label_column": "label"},
         "d": 64, "n": [1, 10, 300], "students": ["linear"]}
        """
        let problems = Self.problems(json, base: TestFiles.presets)
        #expect(problems.map(\.path.description) == ["n"])
        #expect(problems.first?.message.contains("exceeds the 252 training rows") == true)
        #expect(problems.first?.message.contains("360 rows") == true)
    }

    @Test func sequentialMinimumCoversOneBlock() {
        let json = """
        {"name": "s", "geometry": "gaussian", "d": 10, "n": [1, 2], "students": ["linear"], "block_size": 128,
         "stopping": {"target_ci": {"absolute": 0.01}, "min_trials": 100}}
        """
        let problems = Self.problems(json)
        #expect(problems.map(\.path.description) == ["stopping.min_trials"])
        #expect(problems.first?.message.contains("at least 128") == true)
    }
}

@Suite struct SolverFieldTests {
    @Test func stepIsForGradientDescentOnly() {
        let flow = CrossFieldTests.problems("""
        {"name": "s", "geometry": "gaussian", "d": 10, "n": [1, 2], "students": ["linear"],
         "solver": {"kind": "flow", "step": 0.1, "integration_tolerance": 1, "time_limit": 0}}
        """)
        #expect(Set(flow.map(\.path.description)) == ["solver.step", "solver.integration_tolerance", "solver.time_limit"])
        #expect(flow.first { $0.path.description == "solver.step" }?.message.contains("gd only") == true)
        let gd = CrossFieldTests.problems("""
        {"name": "s", "geometry": "gaussian", "d": 10, "n": [1, 2], "students": ["linear"],
         "solver": {"kind": "gd", "step": 0.1, "time_limit": 100}}
        """)
        #expect(gd.isEmpty)
    }

    @Test func integratorIsAFlowChoice() {
        let base = #"{"name": "s", "geometry": "gaussian", "d": 10, "n": [1, 2], "students": ["linear"], "solver": "#
        #expect(CrossFieldTests.problems(base + #"{"kind": "flow", "integrator": "dormand-prince"}}"#).isEmpty)
        let unknown = CrossFieldTests.problems(base + #"{"kind": "flow", "integrator": "euler"}}"#)
        #expect(unknown.map(\.path.description) == ["solver.integrator"])
        #expect(unknown.first?.message.contains("rosenbrock, dormand-prince") == true)
        let closed = CrossFieldTests.problems(base + #"{"kind": "closed", "integrator": "rosenbrock"}}"#)
        #expect(closed.map(\.path.description) == ["solver.integrator"])
        #expect(closed.first?.message.contains("flow only") == true)
    }

    /// limit_tolerance is read for the flow, refused out of (0, 1) and for other solvers, and
    /// reaches the trial's solver options.
    @Test func limitToleranceIsAFlowSetting() throws {
        let base = #"{"name": "s", "geometry": "gaussian", "d": 10, "n": [1, 2], "students": ["linear"], "solver": "#
        let given = try TestFiles.validator.validate(data: Data((base + #"{"kind": "flow", "limit_tolerance": 1e-6}}"#).utf8))
        #expect(given.experiments[0].solver.limitTolerance == 1e-6)
        #expect(try DistillationTrial(spec: given.experiments[0], baseDirectory: nil).options.limitTolerance == 1e-6)
        let defaulted = try TestFiles.validator.validate(data: Data((base + #"{"kind": "flow"}}"#).utf8))
        #expect(defaulted.experiments[0].solver.limitTolerance == SolverSpec.defaultLimitTolerance)
        let outside = CrossFieldTests.problems(base + #"{"kind": "flow", "limit_tolerance": 1}}"#)
        #expect(outside.map(\.path.description) == ["solver.limit_tolerance"])
        #expect(outside.first?.message.contains("outside (0, 1)") == true)
        let closed = CrossFieldTests.problems(base + #"{"kind": "closed", "limit_tolerance": 1e-4}}"#)
        #expect(closed.map(\.path.description) == ["solver.limit_tolerance"])
        #expect(closed.first?.message.contains("flow only") == true)
    }

    /// The chosen integrator is the one the trial runs: both reach the same student, with
    /// different step counts.
    @Test func theTrialIntegratesWithTheChosenMethod() throws {
        func trialValues(_ integrator: String) throws -> (risk: Double, gradients: Double) {
            let json = #"{"name": "s", "geometry": "gaussian", "d": 20, "n": [15], "students": ["linear"], "sampler": "ambient", "#
                + #""solver": {"kind": "flow", "integrator": "\#(integrator)"}}"#
            let spec = try TestFiles.validator.validate(data: Data(json.utf8)).experiments[0]
            let trial = try DistillationTrial(spec: spec, baseDirectory: nil)
            let values = try trial.evaluate(trial: 3)
            let risk = try #require(trial.layout.index("linear", 15, .risk))
            let gradients = try #require(trial.layout.index("linear", 15, .gradientEvaluations))
            return (values[risk], values[gradients])
        }
        let rosenbrock = try trialValues("rosenbrock")
        let dormandPrince = try trialValues("dormand-prince")
        #expect(abs(rosenbrock.risk - dormandPrince.risk) < 1e-8)
        #expect(rosenbrock.gradients != dormandPrince.gradients)
        let cvode = try trialValues("cvode")
        #expect(abs(rosenbrock.risk - cvode.risk) < 1e-8)
        #expect(cvode.gradients != rosenbrock.gradients && cvode.gradients != dormandPrince.gradients)
    }
}

/// Issue-by-issue checks of the validation limits and the data files it reads.
@Suite struct BoundedValidationTests {
    static func problems(_ json: String, base: URL? = nil) -> [ExperimentProblem] {
        CrossFieldTests.problems(json, base: base)
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func duplicateKeysAreReportedAtTheirPath() {
        let json = """
        {"suite": "s", "experiments": [
          {"name": "a", "geometry": "gaussian", "d": 10, "n": [1, 2], "students": ["linear"]},
          {"name": "b", "geometry": "gaussian", "d": 100, "n": [1, 2], "students": ["linear"], "d": 50,
           "teacher": {"norm": 1, "norm": 2}}]}
        """
        let problems = Self.problems(json)
        #expect(Set(problems.map(\.path.description)) == ["experiments[1].d", "experiments[1].teacher.norm"])
        #expect(problems.allSatisfy { $0.message.contains("duplicate key") })
        // Same keys in different objects are not duplicates.
        #expect(Self.problems(json.replacingOccurrences(of: ", \"d\": 50", with: "")
            .replacingOccurrences(of: "\"norm\": 1, ", with: "")).isEmpty)
    }

    @Test func limitsAreCheckedWithoutExpandingValues() {
        let base = #"{"name": "x", "geometry": "gaussian", "d": 10, "students": ["linear"], "#
        let grid = Self.problems(base + #""n": {"from": 1, "to": 5, "count": 1000000000000}}"#)
        #expect(grid.map(\.path.description) == ["n.count"])
        #expect(Self.problems(base + #""n": {"from": 1, "to": 5, "count": 1000}}"#).isEmpty)
        let depth = Self.problems(#"{"name": "x", "geometry": "gaussian", "d": 10, "n": [1], "students": [{"kind": "deep-linear", "depth": 1000000000}]}"#)
        #expect(depth.map(\.path.description) == ["students[0].depth"])
        let block = Self.problems(base + #""n": [1, 2], "block_size": 1000000000000}"#)
        #expect(block.map(\.path.description) == ["block_size"])
        let trials = Self.problems(base + #""n": [1, 2], "stopping": {"target_ci": {"absolute": 0.01}, "max_trials": 1e14}}"#)
        #expect(trials.map(\.path.description) == ["stopping.max_trials"])
        let name = Self.problems(#"{"name": "\#(String(repeating: "a", count: 201))", "geometry": "gaussian", "d": 10, "n": [1], "students": ["linear"]}"#)
        #expect(name.map(\.path.description) == ["name"])
        #expect(name.first?.message.contains("201 bytes") == true)
        #expect(Self.problems(#"{"name": "\#(String(repeating: "a", count: 200))", "geometry": "gaussian", "d": 10, "n": [1], "students": ["linear"]}"#).isEmpty)
        let hot = Self.problems(base + #""n": [1, 2], "teacher": {"norm": 1e200, "temperature": 1e-200}}"#)
        #expect(hot.map(\.path.description) == ["teacher"])
    }

    @Test func dataFilesAreReadInValidation() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, String, String)] = [
            ("nan.csv", "a,b,label\n1,2,1\nNaN,3,0\n4,5,1\n", "\"NaN\""),
            ("ragged.csv", "a,b,label\n1,2,1\n3,0\n4,5,1\n", "row has 2 columns"),
            ("text.csv", "a,b,label\n1,2,1\n3,x,0\n4,5,1\n", "\"x\""),
            ("huge.csv", "a,b,label\n1,2,1\n3,1e308,0\n4,5,1\n", "beyond ±1e150"),
        ]
        for (name, text, fragment) in cases {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let problems = Self.problems("""
            {"name": "x", "geometry": {"kind": "dataset", "file": "\(name)", "label_column": "label", "holdout": 0.34},
             "d": 2, "n": [1], "students": ["linear"]}
            """, base: folder)
            #expect(problems.map(\.path.description) == ["geometry.file"], "\(name): \(problems)")
            #expect(problems.first?.message.contains(fragment) == true, "\(name): \(problems)")
        }
        let good = "a,b,label\n1,2,1\n3,4,0\n4,5,1\n"
        try good.write(to: folder.appendingPathComponent("good.csv"), atomically: true, encoding: .utf8)
        let control = "{\"name\": \"x\", \"geometry\": {\"kind\": \"dataset\", \"file\": \"good.csv\", \"label_column\": \"label\", \"holdout\": 0.34}, \"d\": 2, \"n\": [1], \"students\": [\"linear\"]}"
        #expect(Self.problems(control, base: folder).isEmpty)
        // The teacher file must hold d finite numbers.
        try "1,2,3\n".write(to: folder.appendingPathComponent("teacher.csv"), atomically: true, encoding: .utf8)
        let teacher = control.replacingOccurrences(of: "\"holdout\"", with: "\"teacher\": {\"file\": \"teacher.csv\"}, \"holdout\"")
        #expect(Self.problems(teacher, base: folder).map(\.path.description) == ["geometry.teacher.file"])
        // A given initialization too.
        try "1, 2, nan".write(to: folder.appendingPathComponent("w0.csv"), atomically: true, encoding: .utf8)
        let initial = Self.problems(#"{"name": "x", "geometry": "gaussian", "d": 3, "n": [1], "students": [{"kind": "linear", "init": {"kind": "given", "file": "w0.csv"}}]}"#, base: folder)
        #expect(initial.map(\.path.description) == ["students[0].init.file"])
        #expect(initial.first?.message.contains("not a finite number") == true)
    }

    @Test func dataFilesMustBeRegularFiles() throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        for (file, kind) in [(fifo.path, "a FIFO"), ("/dev/zero", "a character device"), (folder.path, "a directory")] {
            let problems = Self.problems("""
            {"name": "x", "geometry": {"kind": "dataset", "file": "\(file)", "label_column": "label"},
             "d": 2, "n": [1], "students": ["linear"]}
            """, base: folder)
            #expect(problems.map(\.path.description) == ["geometry.file"], "\(file): \(problems)")
            #expect(problems.first?.message.contains("is \(kind)") == true, "\(file): \(problems)")
        }
    }
}
