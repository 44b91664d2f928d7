import Foundation
import Testing

/// summary.json against its JSON Schema (docs/summary.schema.json, checked by
/// scripts/validate_summary.py with Python's jsonschema): the real output of every preset
/// validates, and documents that break the schema's rules are refused.
@Suite(.serialized) struct SummarySchemaTests {
    static let schema = TestFiles.packageRoot.appendingPathComponent("docs/summary.schema.json")
    static let validator = TestFiles.packageRoot.appendingPathComponent("scripts/validate_summary.py")

    /// Runs the validator on `files`: its exit status and the problems it printed.
    static func validate(_ files: [URL]) throws -> Outcome {
        try launch(URL(fileURLWithPath: "/usr/bin/env"), ["python3", validator.path] + files.map(\.path))
    }

    /// A preset as shipped except for its budget, so that a debug build runs all of them in
    /// reasonable time: blocks of 2 and 2 trials (a sequential rule keeps its kind, with a
    /// target met at once), data files found from the preset's folder, and (but for the default
    /// suite, which keeps its grids and so its fits) n up to 10.
    static func quickCopy(of preset: URL, into folder: URL) throws -> URL {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: preset)) as? [String: Any])
        let trimGrid = preset.deletingPathExtension().lastPathComponent != "default"
        func shrink(_ e: [String: Any]) -> [String: Any] {
            var e = e
            e["block_size"] = 2
            if trimGrid, let grid = e["n"] as? [Int] {
                let small = grid.filter { $0 <= 10 }
                e["n"] = small.isEmpty ? [grid[0]] : small
            } else if trimGrid, var grid = e["n"] as? [String: Any], let to = grid["to"] as? Int, to > 10 {
                grid["to"] = 10
                grid["count"] = min(grid["count"] as? Int ?? 10, 5)
                e["n"] = grid
            }
            if let stopping = e["stopping"] as? [String: Any], stopping["target_ci"] != nil {
                e["stopping"] = ["target_ci": ["absolute": 0.9], "min_trials": 2, "max_trials": 4]
            } else {
                e["stopping"] = ["trials": 2]
            }
            if var geometry = e["geometry"] as? [String: Any], let file = geometry["file"] as? String, !file.hasPrefix("/") {
                geometry["file"] = preset.deletingLastPathComponent().appendingPathComponent(file).standardized.path
                e["geometry"] = geometry
            }
            return e
        }
        if let experiments = object["experiments"] as? [[String: Any]] {
            object["experiments"] = experiments.map(shrink)
        } else {
            object = shrink(object)
        }
        let copy = folder.appendingPathComponent(preset.lastPathComponent)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: copy)
        return copy
    }

    @Test func theSummaryOfEveryPresetValidates() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var summaries: [URL] = []
        let presets = try TestFiles.presetFiles()
        #expect(presets.count >= 10)
        for preset in presets {
            let file = try Self.quickCopy(of: preset, into: folder)
            let out = folder.appendingPathComponent("out-" + preset.deletingPathExtension().lastPathComponent)
            let run = try kdmc(["run", file.path, "--out", out.path])
            #expect(run.status == 0, "\(preset.lastPathComponent): \(run.stderr)")
            summaries.append(out.appendingPathComponent("summary.json"))
        }
        let checked = try Self.validate(summaries)
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
        #expect(checked.stdout.isEmpty, "\(checked.stdout)")
        // Both stopping kinds were covered: a sequential preset has no trials_requested.
        let reasons = try summaries.flatMap { url -> [String] in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let experiments = try #require(object["experiments"] as? [String: [String: Any]])
            return experiments.values.compactMap { $0["stop_reason"] as? String }
        }
        #expect(Set(reasons) == ["trials", "target"])
    }

    /// Control: the validator refuses what the schema forbids, each for its own reason.
    @Test func documentsThatBreakTheSchemaAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-schema-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let file = folder.appendingPathComponent("experiment.json")
        try RunTests.experiment.write(to: file, atomically: true, encoding: .utf8)
        let run = try kdmc(["run", file.path, "--out", out.path, "--trials", "100"])
        #expect(run.status == 0, "\(run.stderr)")
        let good = try String(contentsOf: out.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(try Self.validate([out.appendingPathComponent("summary.json")]).status == 0)

        let object = try #require(try JSONSerialization.jsonObject(with: Data(good.utf8)) as? [String: Any])
        func variant(_ name: String, _ change: (inout [String: Any]) -> Void) throws -> URL {
            var copy = object
            change(&copy)
            let url = folder.appendingPathComponent(name + ".json")
            try JSONSerialization.data(withJSONObject: copy).write(to: url)
            return url
        }
        let experimentName = try #require((object["experiments"] as? [String: Any])?.keys.first)
        let cases: [(URL, String)] = [
            (try variant("configuration-as-string") { $0["configuration"] = "{\"suite\": \"s\"}" }, "$['configuration']"),
            (try variant("nan-as-string") { doc in
                var verdicts = doc["verdicts"] as! [[String: Any]]
                var numbers = verdicts[0]["numbers"] as! [String: Any]
                numbers["x"] = "nan"
                verdicts[0]["numbers"] = numbers
                doc["verdicts"] = verdicts
            }, "$['verdicts'][0]['numbers']['x']"),
            (try variant("no-schema-version") { $0["schema_version"] = nil }, "'schema_version' is a required property"),
            (try variant("top-level-seed") { $0["seed"] = 1 }, "'seed' was unexpected"),
            (try variant("unknown-sampler") { doc in
                var experiments = doc["experiments"] as! [String: [String: Any]]
                experiments[experimentName]!["sampler"] = "auto"
                doc["experiments"] = experiments
            }, "$['experiments']['\(experimentName)']['sampler']"),
        ]
        for (url, expected) in cases {
            let checked = try Self.validate([url])
            #expect(checked.status == 1, "\(url.lastPathComponent) passed")
            #expect(checked.stdout.contains(expected), "\(url.lastPathComponent): \(checked.stdout)")
        }
        // A bare NaN literal (what some JSON writers emit) is not JSON.
        let literal = folder.appendingPathComponent("nan-literal.json")
        try good.replacingOccurrences(of: "\"partial\" : false", with: "\"partial\" : false, \"nanny\" : NaN")
            .write(to: literal, atomically: true, encoding: .utf8)
        let checked = try Self.validate([literal])
        #expect(checked.status == 1)
        #expect(checked.stdout.contains("NaN is not a JSON number"), "\(checked.stdout)")
    }
}
