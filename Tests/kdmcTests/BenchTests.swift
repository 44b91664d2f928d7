import Foundation
import MonteCarlo
import Testing
import Experiments

/// `kdmc bench`'s own logic (not timed): its workloads are valid experiments that match the
/// comparator's, and its result line has the shape bench/run.py reads.
@Suite(.serialized) struct BenchTests {
    static let workloads = ["W1", "W2", "W3", "W4", "S1", "V4", "V6"]
    static let python = URL(fileURLWithPath: "/usr/bin/env")

    struct Workload: Decodable { var d: Int; var n: [Int] }

    /// The comparator's workload table, read by Python from bench/comparator.py.
    func comparatorWorkloads() throws -> [String: Workload] {
        let script = "import json, sys; sys.path.insert(0, 'bench'); import comparator; print(json.dumps(comparator.WORKLOADS))"
        let outcome = try launch(Self.python, ["python3", "-c", script])
        try #require(outcome.status == 0, "python3 could not read bench/comparator.py: \(outcome.stderr)")
        return try JSONDecoder().decode([String: Workload].self, from: Data(outcome.stdout.utf8))
    }

    @Test func everyWorkloadIsAValidExperimentWithTheComparatorsDimensionAndGrid() throws {
        let comparator = try comparatorWorkloads()
        #expect(Set(comparator.keys) == Set(Self.workloads))
        for name in Self.workloads {
            for solver in ["closed", "flow"] {
                let outcome = try kdmc(["bench", name, "--solver", solver, "--trials", "16", "--spec"])
                try #require(outcome.status == 0, "kdmc bench \(name) --spec: \(outcome.stderr)")
                let suite = try TestFiles.validator.validate(data: Data(outcome.stdout.utf8))
                let spec = try #require(suite.experiments.first)
                #expect(spec.d == comparator[name]?.d, "\(name): d differs from the comparator's")
                #expect(spec.n.values == comparator[name]?.n, "\(name): n grid differs from the comparator's")
                #expect(spec.stopping == .fixed(trials: 16))
                #expect(spec.solver.kind == (solver == "flow" ? .flow : .closed))
                // The flow rows stop by the default rule, what an experiment without tolerances runs.
                if solver == "flow" {
                    #expect(spec.solver.tolerance == SolverSpec.defaultTolerance)
                    #expect(spec.solver.fitTolerance == SolverSpec.defaultFitTolerance)
                }
            }
        }
    }

    /// D30 is the deep-linear preset's experiment (same d, grid, students, solver, sampler), so the
    /// D1 row's speed-up is measured against the preset itself; D1 is the large-d Gram row.
    @Test func deepWorkloadsAreThePresetAndALargeDGramRow() throws {
        let preset = try #require(try TestFiles.validator.validate(
            contentsOf: TestFiles.presets.appendingPathComponent("deep-linear.json")).experiments.first)
        func spec(_ name: String, _ extra: [String] = []) throws -> ExperimentSpec {
            let outcome = try kdmc(["bench", name, "--solver", "flow", "--trials", "16", "--spec"] + extra)
            try #require(outcome.status == 0, "kdmc bench \(name) --spec: \(outcome.stderr)")
            return try #require(try TestFiles.validator.validate(data: Data(outcome.stdout.utf8)).experiments.first)
        }
        let d30 = try spec("D30")
        #expect(d30.d == preset.d)
        #expect(d30.n == preset.n)
        #expect(d30.students == preset.students)
        #expect(d30.solver == preset.solver)
        #expect(d30.geometry == preset.geometry)
        #expect(d30.resolvedSampler == .ambient)
        let d1 = try spec("D1")
        #expect(d1.d == 100_000 && d1.n.maximum <= 50 && d1.resolvedSampler == .gram)
        #expect(d1.students.allSatisfy {
            if case .deepLinear(3, [32, 32], _) = $0 { true } else { false }
        })
        #expect(d1.solver == preset.solver)
        #expect(try kdmc(["bench", "D1", "--solver", "closed", "--spec"]).status == 64)
        // D1m: the same students on the stiff margin geometry (unit radius), n ≤ 40.
        let d1m = try spec("D1m")
        #expect(d1m.d == 100_000 && d1m.n.maximum <= 40 && d1m.resolvedSampler == .gram)
        #expect(d1m.students == d1.students)
        #expect(d1m.geometry != d1.geometry)
        // `--integrator cvode` changes only the preset solver's integrator (rows D30/D1 flow cvode).
        var cvode = preset.solver
        cvode.integrator = .cvode
        #expect(try spec("D30", ["--integrator", "cvode"]).solver == cvode)
        #expect(try spec("D1", ["--integrator", "cvode"]).solver == cvode)
        #expect(cvode != preset.solver)
    }

    @Test func unknownWorkloadsAndEulerWithoutTheFlowAreRefused() throws {
        #expect(try kdmc(["bench", "W9"]).status == 64)
        #expect(try kdmc(["bench", "S1", "--euler-draws", "2"]).status == 64)
    }

    /// `--tolerance` and `--limit-tolerance` reach the flow's experiment file; values outside
    /// (0, 1) are refused with a message naming the option.
    @Test func stoppingAndLimitTolerancesReachTheExperiment() throws {
        let outcome = try kdmc(["bench", "W1", "--solver", "flow", "--tolerance", "1e-8", "--limit-tolerance", "3e-4",
                                "--spec"])
        try #require(outcome.status == 0, "\(outcome.stderr)")
        let spec = try #require(try TestFiles.validator.validate(data: Data(outcome.stdout.utf8)).experiments.first)
        #expect(spec.solver.tolerance == 1e-8 && spec.solver.fitTolerance == 1e-8)
        #expect(spec.solver.limitTolerance == 3e-4)
        let deep = try kdmc(["bench", "D1", "--solver", "flow", "--tolerance", "1e-8", "--spec"])
        #expect(deep.status == 64 && deep.stderr.contains("--tolerance"), "\(deep.stderr)")
        for (option, value) in [("--tolerance", "0"), ("--limit-tolerance", "1"), ("--integration-tolerance", "-1e-8")] {
            let refused = try kdmc(["bench", "W1", "--solver", "flow", option, value, "--spec"])
            #expect(refused.status == 64 && refused.stderr.contains(option), "\(option) \(value): \(refused.stderr)")
        }
    }

    /// A real (small) run: one JSON line that bench/run.py's parser accepts, whose numbers hang
    /// together, and a run.py parser that rejects output without a result.
    @Test func aRunPrintsOneResultLineThatTheDriverParses() throws {
        let outcome = try kdmc(["bench", "S1", "--trials", "16"])
        try #require(outcome.status == 0, "kdmc bench S1: \(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count == 1)
        struct Point: Decodable { var n: Int; var mean: Double; var ci_low: Double; var ci_high: Double }
        struct Result: Decodable {
            var tool: String; var workload: String; var ranks: Int; var trials: Int
            var trials_per_second: Double; var seconds_per_trial: Double; var wall_seconds: Double
            var peak_rss_mb: [Double]; var curve: [Point]
        }
        let result = try JSONDecoder().decode(Result.self, from: Data(String(lines[0]).utf8))
        #expect(result.tool == "kdmc" && result.workload == "S1" && result.ranks == 1 && result.trials == 16)
        #expect(result.curve.map(\.n) == [50, 100, 150, 190, 198])
        #expect(result.peak_rss_mb.count == 1 && result.peak_rss_mb[0] > 1)
        #expect(abs(result.trials_per_second * result.wall_seconds - 16) < 1e-6 * 16)
        #expect(abs(result.seconds_per_trial * 16 - result.wall_seconds) < 1e-9 * result.wall_seconds + 1e-12)
        for p in result.curve {
            #expect(p.ci_low <= p.mean && p.mean <= p.ci_high)
            #expect(p.mean > 0 && p.mean < 0.5)
        }
        // Risk falls as n grows towards d (docs/THEORY.md §5, M2 holds pathwise for the Gaussian).
        #expect(zip(result.curve, result.curve.dropFirst()).allSatisfy { $0.mean > $1.mean })

        let parse = """
        import sys; sys.path.insert(0, 'bench'); import run
        r = run.parse_result(sys.stdin.read())
        print(r['workload'], r['trials'])
        try:
            run.parse_result('kdmc: warning only\\n')
        except ValueError:
            print('rejected')
        """
        let driver = try launchWithInput(Self.python, ["python3", "-c", parse], input: outcome.stdout)
        #expect(driver.status == 0, "\(driver.stderr)")
        #expect(driver.stdout == "S1 16\nrejected\n")
    }

    func launchWithInput(_ executable: URL, _ arguments: [String], input: String) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = TestFiles.packageRoot
        let inPipe = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = inPipe
        process.standardOutput = out
        process.standardError = err
        try process.run()
        inPipe.fileHandleForWriting.write(Data(input.utf8))
        try inPipe.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }
}
