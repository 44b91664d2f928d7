import Foundation
import Testing

/// `kdmc run` with `"estimator": "importance"`: the same bytes for 1, 2 and 3 ranks and after a
/// stop and --resume, C1 fitted on the weighted curve, and a refusal (exit status 2, one line
/// naming the field) where the estimator does not apply.
@Suite(.serialized) struct ImportanceRunTests {
    static let experiment = """
    {"name": "is", "geometry": {"kind": "margin", "theta0": 0.2, "radius": "chi"}, "d": 100, "n": [1, 4, 8, 12, 16],
     "students": ["linear"], "solver": "closed", "estimator": "importance",
     "stopping": {"trials": 600}, "block_size": 50, "seed": 18}
    """

    func scratch(_ name: String) throws -> URL { try RunChecks.scratch("is", name) }

    func write(_ text: String, in folder: URL) throws -> String { try RunChecks.writeExperiment(text, in: folder) }

    @Test func sameBytesForOneTwoAndThreeRanks() throws {
        let folder = try scratch("ranks")
        let file = try write(Self.experiment, in: folder)
        let tables = try RunChecks.tablesForOneTwoAndThreeRanks(file, in: folder) { out in
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
            let experiment = (summary["experiments"] as! [String: Any])["is"] as! [String: Any]
            #expect(experiment["estimator"] as? String == "importance")
            // Every point of the weighted curve is positive, down to E[R_16] far below 1/trials,
            // so C1 is decided by a fitted rate, not by an all-zero rule.
            let curves = try String(contentsOf: out.appendingPathComponent("curves.csv"), encoding: .utf8)
            let means = curves.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[4])! }
            #expect(means.count == 5 && means.allSatisfy { $0 > 0 })
            #expect(means.last! < 1e-10)
            let verdicts = summary["verdicts"] as! [[String: Any]]
            let c1 = try #require(verdicts.first { $0["claim"] as? String == "C1" })
            #expect((c1["detail"] as? String ?? "").contains("fitted rate"), "\(c1)")
        }
        #expect(tables[1] == tables[0])
        #expect(tables[2] == tables[0])
    }

    @Test func stopAndResumeGiveTheBytesOfAnUninterruptedRun() throws {
        let folder = try scratch("resume")
        let file = try write(Self.experiment.replacingOccurrences(of: "\"trials\": 600", with: "\"trials\": 20000"), in: folder)
        try RunChecks.stopAndResumeMatchesAWholeRun(file, in: folder)
    }

    @Test(arguments: [
        (#""geometry": {"kind": "poly-tail", "kappa": 2}"#, "margin geometry"),
        (#""sampler": "ambient""#, "gram sampler"),
    ])
    func refusedWhereItDoesNotApply(change: String, reason: String) throws {
        let folder = try scratch("refused")
        var text = Self.experiment
        if change.hasPrefix(#""geometry""#) {
            text = text.replacingOccurrences(of: #""geometry": {"kind": "margin", "theta0": 0.2, "radius": "chi"}"#, with: change)
        } else {
            text = text.replacingOccurrences(of: #""seed": 18"#, with: #""seed": 18, "#+change)
        }
        try RunChecks.estimatorIsRefused(try write(text, in: folder), in: folder, reason: reason)
    }
}
