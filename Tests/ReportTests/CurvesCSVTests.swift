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
