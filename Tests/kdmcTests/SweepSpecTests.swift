import Experiments
import Foundation
import MonteCarlo
import Testing

/// The `"sweep"` member: expansion into points, their seeds, and validation of every point.
@Suite struct SweepSpecTests {
    static let twoAxes = """
    {"name": "pt", "geometry": {"kind": "poly-tail"}, "n": {"from": 5, "to": 60, "count": 8},
     "students": ["linear"], "solver": "closed", "sampler": "gram", "stopping": {"trials": 2000}, "seed": 3,
     "sweep": {"geometry.kappa": [1, 2], "d": [100, 1000, 10000]}}
    """

    func suite(_ text: String) throws -> ExperimentSuite {
        try TestFiles.validator.validate(data: Data(text.utf8))
    }

    func problems(_ text: String) -> [ExperimentProblem] {
        do {
            _ = try TestFiles.validator.validate(data: Data(text.utf8))
            return []
        } catch {
            return error.problems
        }
    }

    /// Seeds from the derivation as docs/EXPERIMENT-SCHEMA.md writes it in Python, run on
    /// the labels below with S = 3 (the values are that script's output).
    static let documentedSeeds: [String: UInt64] = [
        "pt[d=100,kappa=1]": 5_136_139_093_076_588_799,
        "pt[d=100,kappa=2]": 3_980_825_582_587_799_716,
        "pt[d=1000,kappa=1]": 3_346_704_036_160_825_953,
        "pt[d=1000,kappa=2]": 4_707_496_977_585_949_630,
        "pt[d=10000,kappa=1]": 8_834_606_004_730_491_244,
        "pt[d=10000,kappa=2]": 4_813_190_395_376_181_580,
    ]

    @Test func aSweepExpandsToOneExperimentPerPointWithTheDocumentedSeeds() throws {
        let s = try suite(Self.twoAxes)
        #expect(s.experiments.count == 1)
        let points = s.points
        // d comes first whatever the file's order; the first axis is outermost.
        #expect(points.map(\.name) == ["pt[d=100,kappa=1]", "pt[d=100,kappa=2]", "pt[d=1000,kappa=1]",
                                       "pt[d=1000,kappa=2]", "pt[d=10000,kappa=1]", "pt[d=10000,kappa=2]"])
        #expect(points.map(\.d) == [100, 100, 1000, 1000, 10000, 10000])
        #expect(points.map(\.geometry) == [1.0, 2, 1, 2, 1, 2].map { .polyTail(kappa: $0, radius: .chi) })
        for p in points {
            #expect(p.seed == Self.documentedSeeds[p.name], "\(p.name)")
            #expect(p.sweep == nil && p.sweepPoint?.sweep == "pt" && p.sweepPoint?.baseSeed == 3)
            #expect(p.stopping == .fixed(trials: 2000) && p.sampler == .gram && p.n == s.experiments[0].n)
        }
        #expect(Set(points.map(\.seed)).count == points.count)
    }

    @Test func addingAValueLeavesTheOtherPointsSeedsAlone() throws {
        let wider = try suite(Self.twoAxes.replacingOccurrences(of: "[100, 1000, 10000]", with: "[100, 300, 1000, 10000]")).points
        #expect(wider.count == 8)
        for p in wider where Self.documentedSeeds[p.name] != nil {
            #expect(p.seed == Self.documentedSeeds[p.name])
        }
        // --seed replaces the experiment's seed, and every point's seed follows it.
        let reseeded = try suite(Self.twoAxes).overriding(seed: 4).points
        #expect(zip(reseeded, try suite(Self.twoAxes).points).allSatisfy { $0.seed != $1.seed })
        #expect(reseeded[0].seed == SweepSeed.derive(base: 4, label: "d=100,kappa=1"))
    }

    @Test func generatedAxesAndOtherMembers() throws {
        let text = """
        {"name": "g", "geometry": {"kind": "margin", "theta0": 0.2}, "n": [1, 2, 5, 10], "students": ["linear"],
         "solver": "closed", "sweep": {"d": {"from": 1000, "to": 1000000, "count": 4},
                                       "geometry.theta0": {"from": 0.1, "to": 0.3, "count": 3, "spacing": "linear"}}}
        """
        let points = try suite(text).points
        #expect(points.count == 12)
        #expect(Array(Set(points.map(\.d))).sorted() == [1000, 10000, 100_000, 1_000_000])
        let thetas = points.compactMap { p -> Double? in if case .margin(let t, _) = p.geometry { t } else { nil } }
        #expect(thetas.count == 12 && abs(thetas[1] - 0.2) < 1e-15 && thetas[2] == 0.3)
        #expect(points[1].name == "g[d=1000,theta0=0.2]")

        let teacher = """
        {"name": "t", "geometry": "gaussian", "d": 20, "n": [1, 5], "students": ["linear"], "solver": "closed",
         "sweep": {"teacher.norm": [1, 4], "teacher.temperature": [0.5, 2]}}
        """
        let tp = try suite(teacher).points
        #expect(tp.map(\.name) == ["t[norm=1,temperature=0.5]", "t[norm=1,temperature=2]",
                                   "t[norm=4,temperature=0.5]", "t[norm=4,temperature=2]"])
        #expect(tp.map(\.teacher.norm) == [1, 1, 4, 4] && tp.map(\.teacher.temperature) == [0.5, 2, 0.5, 2])
    }

    @Test func expectNamesAcrossSweepClaims() throws {
        let expecting = try suite(Self.twoAxes.replacingOccurrences(of: "\"seed\": 3,", with: "\"seed\": 3, \"expect\": {\"C2-vs-d\": \"fails\"},"))
        #expect(expecting.experiments[0].expect == ["C2-vs-d": .fails])
        #expect(expecting.points.allSatisfy { $0.expect == ["C2-vs-d": .fails] })
        let unknown = problems(Self.twoAxes.replacingOccurrences(of: "\"seed\": 3,", with: "\"seed\": 3, \"expect\": {\"C2-vs-n\": \"fails\"},"))
        #expect(unknown.count == 1 && unknown.first?.path.description == "expect.C2-vs-n", "\(unknown)")
    }

    @Test func aSweepReadsBackEqualFromItsJSON() throws {
        let s = try suite(Self.twoAxes)
        let again = try JSONDecoder().decode(ExperimentSuite.self, from: try JSONEncoder().encode(s))
        #expect(again == s)
        #expect(again.points == s.points)
        #expect(s.experiments[0].sweep?.resolution == SweepSpec.defaultResolution)
    }

    @Test func badSweepsNameTheField() {
        func only(_ text: String) -> ExperimentProblem? {
            let found = problems(text)
            #expect(found.count == 1, "\(found)")
            return found.first
        }
        let base = Self.twoAxes
        let negative = only(base.replacingOccurrences(of: "[1, 2]", with: "[1, -2]"))
        #expect(negative?.path.description == "sweep.geometry.kappa[1]")
        #expect(negative?.message.contains("kappa must be > 0") == true)

        let repeated = only(base.replacingOccurrences(of: "[1, 2]", with: "[2, 2]"))
        #expect(repeated?.path.description == "sweep.geometry.kappa[1]")

        let short = only(base.replacingOccurrences(of: "\"geometry.kappa\"", with: "\"kappa\""))
        #expect(short?.path.description == "sweep.kappa")
        #expect(short?.message.contains("\"geometry.kappa\"") == true)

        let wrongGeometry = only(base.replacingOccurrences(of: "\"geometry.kappa\"", with: "\"geometry.theta0\"")
            .replacingOccurrences(of: "\"poly-tail\"}", with: "\"poly-tail\", \"kappa\": 2}")
            .replacingOccurrences(of: "[1, 2]", with: "[0.1, 0.2]"))
        #expect(wrongGeometry?.path.description == "sweep.geometry.theta0")
        #expect(wrongGeometry?.message.contains("margin geometry") == true)

        let three = only(base.replacingOccurrences(of: "\"d\": [100, 1000, 10000]", with: "\"d\": [100, 1000], \"teacher.norm\": [1, 2]"))
        #expect(three?.path.description == "sweep")
        #expect(three?.message.contains("at most two") == true)

        // Without an axis the experiment must be complete on its own; the sweep's problem comes first.
        let empty = problems(base.replacingOccurrences(of: "\"geometry.kappa\": [1, 2], \"d\": [100, 1000, 10000]", with: "\"resolution\": 0.1"))
        #expect(empty.first?.path.description == "sweep" && empty.first?.message.hasPrefix("the sweep has no axis") == true, "\(empty)")
    }

    /// Each point goes through the experiment's own checks: the gram sampler's n ≤ d − 1 fails
    /// at the small-d points only, and says which; memory at d = 10^6 in R^d exceeds the cap.
    @Test func everyPointIsCheckedAsAnExperiment() {
        let small = problems(Self.twoAxes.replacingOccurrences(of: "[100, 1000, 10000]", with: "[50, 1000]"))
        #expect(small.count == 1, "\(small)")
        #expect(small.first?.path.description == "sampler")
        #expect(small.first?.message.hasPrefix("at sweep points pt[d=50,kappa=1], pt[d=50,kappa=2]: the gram sampler draws at most d − 1 = 49 points") == true)

        let ambient = Self.twoAxes.replacingOccurrences(of: "\"gram\"", with: "\"ambient\"")
            .replacingOccurrences(of: "[100, 1000, 10000]", with: "[1000, 100000000]")
            .replacingOccurrences(of: "\"to\": 60", with: "\"to\": 2000")
        let memory = problems(ambient)
        #expect(memory.count == 1, "\(memory)")
        #expect(memory.first?.path.description == "(top level)")
        #expect(memory.first?.message.hasPrefix("at sweep points pt[d=100000000,kappa=1], pt[d=100000000,kappa=2]: estimated peak memory per rank") == true)

        // A problem every point shares is reported once, without the point names.
        let all = problems(Self.twoAxes.replacingOccurrences(of: "{\"trials\": 2000}", with: "{\"target_ci\": {\"absolute\": 0.01}, \"min_trials\": 10}"))
        #expect(all.count == 1 && all.first?.path.description == "stopping.min_trials"
                && all.first?.message.hasPrefix("10 is less than block_size 64") == true, "\(all)")
        // One that differs from point to point (here the largest allowed n) names each group.
        let each = problems(Self.twoAxes.replacingOccurrences(of: "[100, 1000, 10000]", with: "[10, 20]"))
        #expect(each.count == 2 && each.allSatisfy { $0.message.hasPrefix("at sweep points pt[d=") }, "\(each)")

        let dataset = problems("""
        {"name": "x", "geometry": {"kind": "anisotropic", "spectrum": [1, 0.5, 0.25]}, "d": 3, "n": [1, 2],
         "students": ["linear"], "sweep": {"d": [3, 4]}}
        """)
        #expect(dataset.contains { $0.path.description == "sweep.d" && $0.message.contains("cannot be swept") }, "\(dataset)")
    }
}
