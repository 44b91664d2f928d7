import Foundation
import Testing

/// `kdmc run` with `"estimator": "control-variate"`: the same bytes for 1, 2 and 3 ranks and
/// after a stop and --resume, the estimator and its variance reductions in summary.json, and a
/// refusal (exit status 2, one line naming the field) where it does not apply.
@Suite(.serialized) struct ControlVariateRunTests {
    static let experiment = """
    {"name": "cv", "geometry": {"kind": "poly-tail", "kappa": 2}, "d": 1000, "n": [2, 5, 12, 30],
     "students": ["linear"], "solver": "closed", "estimator": "control-variate", "limit_term": "sampled", "limit_samples": 4,
     "stopping": {"trials": 600}, "block_size": 50, "seed": 18}
    """

    /// The same experiment with the limit term by quadrature (the default).
    static let quadratureExperiment = experiment.replacingOccurrences(of: #""limit_term": "sampled", "limit_samples": 4, "#, with: "")

    static func experiment(_ limitTerm: String) -> String { limitTerm == "sampled" ? experiment : quadratureExperiment }

    func scratch(_ name: String) throws -> URL { try RunChecks.scratch("cv", name) }

    func write(_ text: String, in folder: URL) throws -> String { try RunChecks.writeExperiment(text, in: folder) }

    @Test(arguments: ["sampled", "quadrature"])
    func sameBytesForOneTwoAndThreeRanks(limitTerm: String) throws {
        let folder = try scratch("ranks")
        let file = try write(Self.experiment(limitTerm), in: folder)
        let tables = try RunChecks.tablesForOneTwoAndThreeRanks(file, in: folder) { out in
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json"))) as! [String: Any]
            let experiment = (summary["experiments"] as! [String: Any])["cv"] as! [String: Any]
            #expect(experiment["estimator"] as? String == "control-variate")
            let reductions = try #require(experiment["variance_reduction"] as? [[String: Any]])
            #expect(reductions.count == 4)
            // At d = 1000 the trial term's variance is far below the plain risk's.
            #expect(reductions.allSatisfy { ($0["trial_term"] as? Double ?? 0) > 10 })
            #expect(reductions.allSatisfy { ($0["estimate"] as? Double ?? 0) > 1 })
        }
        #expect(tables[1] == tables[0])
        #expect(tables[2] == tables[0])
    }

    @Test(arguments: ["sampled", "quadrature"])
    func stopAndResumeGiveTheBytesOfAnUninterruptedRun(limitTerm: String) throws {
        let folder = try scratch("resume")
        let file = try write(Self.experiment(limitTerm).replacingOccurrences(of: "\"trials\": 600", with: "\"trials\": 6000"), in: folder)
        try RunChecks.stopAndResumeMatchesAWholeRun(file, in: folder)
    }

    @Test(arguments: [
        (#""geometry": "gaussian""#, "poly-tail or margin"),
        (#""solver": "flow""#, "closed"),
        (#""sampler": "ambient""#, "gram sampler"),
    ])
    func refusedWhereItDoesNotApply(change: String, reason: String) throws {
        let folder = try scratch("refused")
        var text = Self.experiment
        if change.hasPrefix(#""geometry""#) {
            text = text.replacingOccurrences(of: #""geometry": {"kind": "poly-tail", "kappa": 2}"#, with: change)
        } else if change.hasPrefix(#""solver""#) {
            text = text.replacingOccurrences(of: #""solver": "closed""#, with: change)
        } else {
            text = text.replacingOccurrences(of: #""seed": 18"#, with: #""seed": 18, "#+change)
        }
        try RunChecks.estimatorIsRefused(try write(text, in: folder), in: folder, reason: reason)
    }

    @Test func limitSamplesWithoutTheControlVariateIsRefused() throws {
        let folder = try scratch("limit")
        let file = try write(Self.experiment.replacingOccurrences(of: #""estimator": "control-variate", "limit_term": "sampled", "#, with: ""), in: folder)
        let result = try kdmc(["validate", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("limit_samples"), "\(result.stderr)")
    }

    /// limit_samples with the quadrature (the default limit term) draws nothing: refused.
    @Test func limitSamplesWithTheQuadratureIsRefused() throws {
        let folder = try scratch("limit-quadrature")
        let file = try write(Self.experiment.replacingOccurrences(of: #""limit_term": "sampled", "#, with: ""), in: folder)
        let result = try kdmc(["validate", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("limit_samples") && result.stderr.contains("limit_term"), "\(result.stderr)")
        let valid = try write(Self.quadratureExperiment, in: folder)
        #expect(try kdmc(["validate", valid]).status == 0)
    }
}
