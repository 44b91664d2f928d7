import Testing
@testable import Report

@Suite struct CurvesCSVTests {
    let rows = [
        CurveRow(experiment: "gauss", student: "linear", n: 10, trials: 400, mean: 0.39968, sd: 0.05,
                 ciLow: 0.395, ciHigh: 0.404, exact: 0.39968, bound: 0.9, certificate: 0.7),
        CurveRow(experiment: "tail, κ=2", student: "deep \"2\"", n: 20, trials: 400, mean: 1e-300,
                 sd: 0, ciLow: 0, ciHigh: 0.1 + 0.2, exact: nil, bound: nil, certificate: nil),
    ]

    @Test func headerIsTheDocumentedOne() {
        let text = CurvesCSV.render(rows)
        #expect(text.hasPrefix("experiment,student,n,trials,mean,sd,ci_low,ci_high,exact,bound,certificate\n"))
    }

    @Test func emptyCellsWhereValuesDoNotApply() {
        let lines = CurvesCSV.render(rows).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[2].hasSuffix(",,,"))
        #expect(lines[2].hasPrefix("\"tail, κ=2\",\"deep \"\"2\"\"\",20,400,"))
    }

    @Test func roundTripKeepsEveryBit() throws {
        let parsed = try CurvesCSV.parse(CurvesCSV.render(rows))
        #expect(parsed == rows)
        #expect(parsed[1].ciHigh.bitPattern == (0.1 + 0.2).bitPattern)
    }

    @Test func badInputIsNamed() {
        #expect(throws: CurvesCSVError.badHeader(found: "a,b")) { try CurvesCSV.parse("a,b\n1,2\n") }
        let text = CurvesCSV.header + "\ngauss,linear,ten,1,0,0,0,0,,,\n"
        #expect(throws: CurvesCSVError.badLine(line: 2, reason: "cell 3 'ten' is not an integer")) {
            try CurvesCSV.parse(text)
        }
    }
}

@Suite struct RunComparisonTests {
    func row(_ n: Int, mean: Double, sd: Double, trials: Int, experiment: String = "e") -> CurveRow {
        CurveRow(experiment: experiment, student: "linear", n: n, trials: trials, mean: mean, sd: sd,
                 ciLow: mean, ciHigh: mean)
    }

    /// Welch's interval by hand: se² = 0.04/100 + 0.09/50 = 0.0022, ν = 0.0022² /
    /// ((0.0004²/99) + (0.0018²/49)) = 71.451…, t_{0.975, ν} = 1.993725… (scipy.stats.t.ppf).
    @Test func theIntervalIsWelchs() throws {
        let comparison = RunComparison(a: [row(1, mean: 0.3, sd: 0.2, trials: 100)], b: [row(1, mean: 0.25, sd: 0.3, trials: 50)])
        let p = try #require(comparison.points.first)
        let se = (0.04 / 100 + 0.09 / 50).squareRoot()
        let nu = 0.0022 * 0.0022 / (0.0004 * 0.0004 / 99 + 0.0018 * 0.0018 / 49)
        #expect(abs(nu - 71.45113) < 1e-3)
        let t = (p.high - p.difference) / se
        #expect(abs(t - 1.9937252) < 1e-5, "\(t)")
        #expect(abs(p.difference - 0.05) < 1e-15)
        #expect(abs((p.difference - p.low) - (p.high - p.difference)) < 1e-15)
        #expect(p.isSignificant == (p.low > 0))
    }

    @Test func unmatchedPointsAreListedAndSingleTrialsGiveNoInterval() {
        let comparison = RunComparison(a: [row(1, mean: 0.3, sd: 0, trials: 1), row(2, mean: 0.2, sd: 0.1, trials: 10)],
                                       b: [row(1, mean: 0.2, sd: 0.1, trials: 10), row(3, mean: 0.1, sd: 0.1, trials: 10)])
        #expect(comparison.points.count == 1)
        #expect(comparison.points[0].low == -.infinity && comparison.points[0].high == .infinity)
        #expect(!comparison.points[0].isSignificant)
        #expect(comparison.onlyInA == ["e / linear / n = 2"])
        #expect(comparison.onlyInB == ["e / linear / n = 3"])
    }
}
