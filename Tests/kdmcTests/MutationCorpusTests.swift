import Foundation
import Testing

/// Invalid files made from every preset by one mutation each (a bad value, a missing field, a
/// limit exceeded, a duplicate key, a data file that is a FIFO, a device or a directory),
/// each run through `kdmc run` at 1 and 2 ranks: every one must exit 2 on every rank, with
/// problem lines that name the mutated field, no MPI abort or backtrace, and no output folder.
///
/// The files are run in one batch per rank count: one mpirun whose ranks each loop over all
/// files (validation ends each kdmc before MPI starts, so the loop needs no MPI of its own).
@Suite(.serialized) struct MutationCorpusTests {
    /// One mutation: what it does to an experiment object, and the path (relative to the
    /// experiment) of the problem it must cause.
    struct Mutation {
        var label: String
        var path: String
        var apply: (inout [String: Any]) -> Void
    }

    static let fifo: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-mutation-fifo-\(getpid())")
        unlink(url.path)
        mkfifo(url.path, 0o644)
        return url
    }()

    static func mutations(_ experiment: [String: Any]) -> [Mutation] {
        func set(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void { { $0[key] = value } }
        var list: [Mutation] = [
            Mutation(label: "d-negative", path: "d", apply: set("d", -5)),
            Mutation(label: "d-one", path: "d", apply: set("d", 1)),
            Mutation(label: "d-string", path: "d", apply: set("d", "100")),
            Mutation(label: "d-huge", path: "d", apply: set("d", 1e300)),
            Mutation(label: "d-fraction", path: "d", apply: set("d", 2.5)),
            Mutation(label: "no-name", path: "", apply: { $0["name"] = nil }),
            Mutation(label: "no-students", path: "", apply: { $0["students"] = nil }),
            Mutation(label: "name-long", path: "name", apply: set("name", String(repeating: "a", count: 10_000))),
            Mutation(label: "name-space", path: "name", apply: set("name", "a b")),
            Mutation(label: "n-empty", path: "n", apply: set("n", [Int]())),
            Mutation(label: "n-zero", path: "n[0]", apply: set("n", [0, 2])),
            Mutation(label: "n-decreasing", path: "n[1]", apply: set("n", [5, 3])),
            Mutation(label: "n-generator-huge", path: "n.count",
                     apply: set("n", ["from": 1, "to": 5, "count": 1_000_000_000])),
            Mutation(label: "n-too-long", path: "n", apply: set("n", Array(1...1001))),
            Mutation(label: "block-zero", path: "block_size", apply: set("block_size", 0)),
            Mutation(label: "block-huge", path: "block_size", apply: set("block_size", 1_000_000_000_000)),
            Mutation(label: "trials-zero", path: "stopping.trials", apply: set("stopping", ["trials": 0])),
            Mutation(label: "trials-huge", path: "stopping.trials", apply: set("stopping", ["trials": 1e13])),
            Mutation(label: "students-empty", path: "students", apply: set("students", [String]())),
            Mutation(label: "student-unknown", path: "students[0].kind", apply: set("students", [["kind": "cnn"]])),
            Mutation(label: "depth-huge", path: "students[0].depth",
                     apply: set("students", [["kind": "deep-linear", "depth": 1_000_000_000]])),
            Mutation(label: "confidence", path: "confidence", apply: set("confidence", 1.5)),
            Mutation(label: "seed", path: "seed", apply: set("seed", -1)),
            Mutation(label: "unknown-field", path: "bogus", apply: set("bogus", 1)),
            Mutation(label: "sampler", path: "sampler", apply: set("sampler", "bogus")),
            Mutation(label: "teacher-norm", path: "teacher.norm", apply: set("teacher", ["norm": 0])),
            Mutation(label: "init-device", path: "students[0].init.file",
                     apply: set("students", [["kind": "linear", "init": ["kind": "given", "file": "/dev/zero"]]])),
            // A teacher given as d numbers cannot follow d to 10^12, and a sweep's axes belong to
            // the geometry it replaces: the mutation drops both.
            Mutation(label: "memory", path: "", apply: { $0["d"] = 1_000_000_000_000; $0["sampler"] = "ambient"
                $0["geometry"] = "gaussian"; $0["n"] = [1, 100_000]; $0["teacher"] = nil; $0["sweep"] = nil }),
        ]
        if var geometry = experiment["geometry"] as? [String: Any], geometry["kind"] as? String == "dataset" {
            for (label, file) in [("data-fifo", fifo.path), ("data-device", "/dev/zero"), ("data-folder", "/tmp"),
                                  ("data-missing", "/nonexistent/data.csv")] {
                geometry["file"] = file
                let changed = geometry
                list.append(Mutation(label: label, path: "geometry.file", apply: { $0["geometry"] = changed }))
            }
        }
        return list
    }

    struct Case {
        var file: URL
        var path: String
    }

    /// Writes every mutated file (dataset paths made absolute, so the files can live anywhere),
    /// and returns them with the path each must report. Also writes each preset unmutated, to
    /// show the generator makes valid files too.
    static func corpus(in folder: URL) throws -> (invalid: [Case], valid: [URL]) {
        var invalid: [Case] = []
        var valid: [URL] = []
        for preset in try TestFiles.presetFiles() {
            let stem = preset.deletingPathExtension().lastPathComponent
            let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: preset)) as? [String: Any])
            let absolute = absolutized(root, base: preset.deletingLastPathComponent())
            let experiments = absolute["experiments"] as? [[String: Any]]
            let target = experiments?.first ?? absolute
            let prefix = experiments == nil ? "" : "experiments[0]"
            func write(_ object: [String: Any], _ name: String) throws -> URL {
                let url = folder.appendingPathComponent("\(stem)-\(name).json")
                try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: url)
                return url
            }
            valid.append(try write(absolute, "unmutated"))
            for mutation in mutations(target) {
                var experiment = target
                mutation.apply(&experiment)
                var file = absolute
                if var list = experiments {
                    list[0] = experiment
                    file["experiments"] = list
                } else {
                    file = experiment
                }
                let path = [prefix, mutation.path].filter { !$0.isEmpty }.joined(separator: ".")
                invalid.append(Case(file: try write(file, mutation.label), path: path.isEmpty ? "(top level)" : path))
            }
            // A repeated key, written as text: JSON objects in Foundation cannot hold one.
            let text = String(decoding: try Data(contentsOf: valid.last!), as: UTF8.self)
            let key = experiments == nil ? "name" : "suite"
            let duplicated = "{\"\(key)\":\"again\"," + text.dropFirst()
            let url = folder.appendingPathComponent("\(stem)-duplicate-key.json")
            try Data(duplicated.utf8).write(to: url)
            invalid.append(Case(file: url, path: key))
        }
        return (invalid, valid)
    }

    static func absolutized(_ object: [String: Any], base: URL) -> [String: Any] {
        var copy = object
        for (key, value) in object {
            if key == "file", let path = value as? String, !path.hasPrefix("/") {
                copy[key] = base.appendingPathComponent(path).standardizedFileURL.path
            } else if let nested = value as? [String: Any] {
                copy[key] = absolutized(nested, base: base)
            } else if let list = value as? [Any] {
                copy[key] = list.map { ($0 as? [String: Any]).map { absolutized($0, base: base) } ?? $0 }
            }
        }
        return copy
    }

    /// Runs `kdmc run FILE --out FILE.out` for every file on every rank of one mpirun, keeping
    /// each rank's stderr and exit status beside the file.
    static func runBatch(_ files: [URL], ranks: Int) throws {
        let script = """
        for f in "$@"; do
          "\(TestFiles.executable.path)" run "$f" --out "$f.out" 2>"$f.err.$OMPI_COMM_WORLD_RANK" >/dev/null
          echo $? >"$f.rc.$OMPI_COMM_WORLD_RANK"
        done
        """
        let result = try launch(URL(fileURLWithPath: "/usr/bin/env"),
                                ["timeout", "600", "mpirun", "--oversubscribe", "-np", String(ranks),
                                 "sh", "-c", script, "sh"] + files.map(\.path),
                                environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"])
        try #require(result.status == 0, "mpirun: \(result.stderr)")
    }

    @Test(arguments: [1, 2])
    func everyMutatedPresetIsRefusedWithExitTwoAndNothingWritten(ranks: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-mutations-\(ranks)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (invalid, valid) = try Self.corpus(in: folder)
        #expect(invalid.count > 250)
        try Self.runBatch(invalid.map(\.file), ranks: ranks)
        var refused = 0
        for testCase in invalid {
            let name = testCase.file.lastPathComponent
            for rank in 0..<ranks {
                let status = try? String(contentsOf: URL(fileURLWithPath: testCase.file.path + ".rc.\(rank)"), encoding: .utf8)
                #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(name) rank \(rank): exit \(status ?? "?")")
            }
            let stderr = (try? String(contentsOf: URL(fileURLWithPath: testCase.file.path + ".err.0"), encoding: .utf8)) ?? ""
            let lines = stderr.split(separator: "\n").map(String.init)
            let problemLines = lines.filter { $0.hasPrefix(testCase.file.path + ": ") }
            let summary = lines.filter { $0.hasPrefix("kdmc: ") }
            #expect(problemLines.count + summary.count == lines.count && summary.count == 1,
                    "\(name): every line is a problem or the summary: \(stderr)")
            #expect(problemLines.contains { $0.hasPrefix(testCase.file.path + ": " + testCase.path + ": ") },
                    "\(name): no problem at \(testCase.path): \(stderr)")
            #expect(!stderr.contains("MPI_ABORT") && !stderr.contains("Fatal error"), "\(name): \(stderr)")
            for rank in 1..<max(ranks, 1) {
                let other = (try? String(contentsOf: URL(fileURLWithPath: testCase.file.path + ".err.\(rank)"), encoding: .utf8)) ?? "?"
                #expect(other.isEmpty, "\(name): rank \(rank) spoke: \(other)")
            }
            #expect(!FileManager.default.fileExists(atPath: testCase.file.path + ".out"), "\(name) wrote its folder")
            if status(testCase, ranks: ranks) { refused += 1 }
        }
        #expect(refused == invalid.count, "\(refused) of \(invalid.count) refused cleanly")
        // The control: the same generator, without a mutation, makes files kdmc accepts.
        for file in valid where ranks == 1 {
            let result = try kdmc(["validate", file.path])
            #expect(result.status == 0, "\(file.lastPathComponent): \(result.stderr)")
        }
    }

    private func status(_ testCase: Case, ranks: Int) -> Bool {
        (0..<ranks).allSatisfy { rank in
            (try? String(contentsOf: URL(fileURLWithPath: testCase.file.path + ".rc.\(rank)"), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == "2"
        } && !FileManager.default.fileExists(atPath: testCase.file.path + ".out")
    }
}
