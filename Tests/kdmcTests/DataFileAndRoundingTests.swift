import Foundation
import Testing

/// Two things a new user runs into: a data file written with CRLF line endings (Python's csv
/// default) is read, and a trial count that is not a whole number of blocks is rounded up
/// visibly (on stderr and in summary.json), not silently.
@Suite struct DataFileAndRoundingTests {
    /// A folder with a CRLF dataset (no final line break) and an experiment over it.
    static func crlfExperiment() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-crlf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var lines = ["x1,x2,x3,label"]
        for i in 0..<60 {
            let x = [Double(i % 7) - 3.1, Double(i % 5) - 1.9, Double(i % 3) - 0.8]
            lines.append(x.map { "\($0)" }.joined(separator: ",") + ",\(x[0] - x[1] + 0.5 * x[2] >= 0 ? 1 : 0)")
        }
        try Data(lines.joined(separator: "\r\n").utf8).write(to: folder.appendingPathComponent("data.csv"))
        let experiment = """
        {"name": "crlf", "geometry": {"kind": "dataset", "file": "data.csv", "label_column": "label", "teacher": {"file": "w.csv"}, "holdout": 0.25},
         "d": 3, "n": [1, 2, 5, 10], "students": ["linear"], "solver": "closed", "block_size": 2, "stopping": {"trials": 4}}
        """
        try Data(experiment.utf8).write(to: folder.appendingPathComponent("crlf.json"))
        try Data("1\r\n-1\r\n0.5\r\n".utf8).write(to: folder.appendingPathComponent("w.csv"))
        return folder
    }

    static func summary(_ out: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as? [String: Any])
    }

    @Test func aCRLFDatasetValidatesAndRuns() throws {
        let folder = try Self.crlfExperiment()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("crlf.json").path
        let validated = try kdmc(["validate", file])
        #expect(validated.status == 0, "\(validated.stderr)")
        let out = folder.appendingPathComponent("out")
        let run = try kdmc(["run", file, "--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        // 4 trials in blocks of 2: nothing rounded, so nothing said.
        #expect(!run.stderr.contains("rounded up"))
        let experiment = try #require((try Self.summary(out)["experiments"] as? [String: [String: Any]])?["crlf"])
        #expect(experiment["trials"] as? Int == 4)
        #expect(experiment["trials_requested"] as? Int == 4)
        #expect(experiment["trials_planned"] as? Int == 4)
        #expect(experiment["stop_reason"] as? String == "trials")
    }

    @Test func aTrialCountRoundedUpToWholeBlocksIsAnnounced() throws {
        let folder = try Self.crlfExperiment()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let run = try kdmc(["run", folder.appendingPathComponent("crlf.json").path, "--out", out.path, "--trials", "3"])
        #expect(run.status == 0, "\(run.stderr)")
        let notices = run.stderr.split(separator: "\n").filter { $0.contains("rounded up") }
        #expect(notices == ["kdmc: note: experiment 'crlf': 3 trials rounded up to 4 (whole blocks of 2 trials; set block_size to a divisor of 3 to run exactly 3)"])
        let experiment = try #require((try Self.summary(out)["experiments"] as? [String: [String: Any]])?["crlf"])
        #expect(experiment["trials"] as? Int == 4)
        #expect(experiment["trials_requested"] as? Int == 3)
        #expect(experiment["trials_planned"] as? Int == 4)
        #expect(experiment["block_size"] as? Int == 2)
    }
}
