import Foundation
import Experiments
import MonteCarlo
import Testing
@testable import Report

/// The SVG figure and the HTML page, on hand-made rows: axes, missing values and escaping.
@Suite struct LogAxisTests {
    @Test func decadeTicksAreLabelledAndMinorsAreNotWhenDecadesSuffice() throws {
        let axis = try #require(LogAxis(covering: [1, 3, 1000]))
        let majors = axis.ticks.filter(\.isMajor)
        #expect(majors.map(\.value) == [1, 10, 100, 1000])
        #expect(majors.map(\.label) == ["1", "10", "100", "1000"])
        #expect(axis.ticks.filter { !$0.isMajor }.allSatisfy { $0.label == nil })
        // The domain covers the data with a little room on both sides.
        #expect(axis.low < 1 && axis.low > 0.8)
        #expect(axis.high > 1000 && axis.high < 1250)
    }

    @Test func withinOneDecadeTheTwoAndFiveTicksAreLabelled() throws {
        let axis = try #require(LogAxis(covering: [0.15, 0.6]))
        let labelled = axis.ticks.filter { $0.label != nil }
        #expect(labelled.map(\.label) == ["0.2", "0.5"])
        #expect(axis.ticks.allSatisfy { $0.value >= axis.low && $0.value <= axis.high })
    }

    @Test func smallAndLargeDecadesArePowersOfTen() throws {
        let axis = try #require(LogAxis(covering: [1e-6, 0.5]))
        let labels = axis.ticks.filter(\.isMajor).compactMap(\.label)
        #expect(labels == ["10^-6", "10^-5", "10^-4", "0.001", "0.01", "0.1"])
        #expect(RiskFigure.tickText("10^-6") == "10<tspan dy=\"-5\" font-size=\"9\">−6</tspan>")
        #expect(LogAxis.label(2e5) == "2·10^5")
    }

    @Test func unusableValuesAreIgnoredAndNoneGivesNoAxis() throws {
        #expect(LogAxis(covering: [0, -1, .nan, .infinity, -.infinity]) == nil)
        #expect(LogAxis(covering: []) == nil)
        let axis = try #require(LogAxis(covering: [0, .nan, 0.01, -3, 0.1, .infinity]))
        #expect(axis.low < 0.01 && axis.low > 0.008)
        #expect(axis.high > 0.1 && axis.high < 0.125)
    }

    @Test func roundingResidueDoesNotStretchTheAxis() throws {
        // 1e-17 where the theory says 0 would otherwise add sixteen empty decades.
        let axis = try #require(LogAxis(covering: [0.3, 0.2, 1e-17]))
        #expect(axis.low > 0.1)
        #expect(!axis.contains(1e-17))
    }

    @Test func resolvedSmallValuesStretchTheAxisAndManyDecadesAreLabelledSparsely() throws {
        // An estimate at 1e-30 whose interval stays above 0 is drawn; residue at 1e-17 is not.
        let axis = try #require(LogAxis(covering: [0.3, 1e-17, 1e-30], resolved: [1e-30]))
        #expect(axis.contains(1e-30) && axis.low > 1e-31)
        let residue = try #require(LogAxis(covering: [0.3, 1e-17, 1e-30], resolved: []))
        #expect(!residue.contains(1e-17))
        // Past `maximumResolvedDecades` even a resolved value stays below the axis.
        let far = try #require(LogAxis(covering: [0.3, 1e-50], resolved: [1e-50]))
        #expect(!far.contains(1e-50))
        // Thirty decades: at most about ten labels, no minor ticks; eight decades: every one.
        let labels = axis.ticks.compactMap(\.label)
        #expect(labels.count >= 5 && labels.count <= LogAxis.labelledDecades + 1)
        #expect(axis.ticks.allSatisfy { abs(log10($0.value) - log10($0.value).rounded()) < 1e-9 })
        let eight = try #require(LogAxis(covering: [1, 1e-8]))
        #expect(eight.ticks.filter(\.isMajor).count == 9)
    }

    @Test func aSingleValueGetsHalfADecade() throws {
        let axis = try #require(LogAxis(covering: [5]))
        #expect(axis.contains(5))
        #expect(log10(axis.high / axis.low) > 0.5)
    }
}

@Suite struct RiskFigureTests {
    func row(_ n: Int, _ mean: Double, student: String = "linear", trials: Int = 100, half: Double = 0.01,
             exact: Double? = nil, bound: Double? = nil, certificate: Double? = nil) -> CurveRow {
        CurveRow(experiment: "e", student: student, n: n, trials: trials, mean: mean, sd: 0.1,
                 ciLow: mean - half, ciHigh: mean + half, exact: exact, bound: bound, certificate: certificate)
    }

    func attributeValues(_ svg: String) -> [String] {
        svg.matches(of: /[a-z-]+="([^"]*)"/).map { String($0.output.1) }
    }

    func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func everyPartIsDrawnForAUsableCurve() {
        let rows = [row(1, 0.4, exact: 0.41, bound: 0.9, certificate: 0.6),
                    row(4, 0.2, exact: 0.2, bound: 0.7, certificate: 0.4),
                    row(16, 0.05, exact: 0.049, bound: 0.5, certificate: 0.2)]
        let fit = SummaryDocument.Fit(experiment: "e", student: "linear",
                                      fit: DecayFit(model: .polynomial, rate: 1, rateLow: 0.9, rateHigh: 1.1,
                                                    logScale: log(0.4), points: 3, confidence: 0.95),
                                      predicted: 1)
        let figure = RiskFigure.render(experiment: "e", rows: rows, fits: [fit], confidence: 0.95)
        #expect(figure.notes.isEmpty)
        #expect(count("class=\"marker\"", in: figure.svg) == 3)
        #expect(count("class=\"band\"", in: figure.svg) == 1)
        for part in ["class=\"mean\"", "class=\"exact\"", "class=\"bound\"", "class=\"certificate\"", "class=\"fit\""] {
            #expect(count(part, in: figure.svg) == 1, "\(part)")
        }
        #expect(figure.svg.contains("linear: mean and 95% CI"))
        #expect(figure.svg.contains("linear: fit κ = 1 (theory 1)"))
        #expect(figure.svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    }

    @Test func pointsALogAxisCannotShowAreSkippedAndNamed() {
        let rows = [row(1, 0.4), row(2, .nan), row(3, 0.1, half: 0.3), row(5, 0, half: 0), row(8, -1e-3),
                    row(13, 0.01, trials: 0), row(21, 0.02), row(34, 0.015, trials: 1, half: .infinity)]
        let figure = RiskFigure.render(experiment: "e", rows: rows)
        // No attribute (coordinates, point lists) carries a NaN or an infinity; the notes may
        // say "NaN" in words.
        let values = attributeValues(figure.svg)
        #expect(values.count > 50)
        #expect(values.allSatisfy { !$0.lowercased().contains("nan") && !$0.lowercased().contains("inf") })
        // Markers at n = 1, 3, 21 and 34 only; the mean line breaks at the gaps.
        #expect(count("class=\"marker\"", in: figure.svg) == 4)
        #expect(count("<polyline class=\"mean\"", in: figure.svg) == 1)
        let notes = figure.notes.joined(separator: "\n")
        #expect(notes.contains("mean risk is 0 at n = 5"))
        #expect(notes.contains("negative at n = 8"))
        #expect(notes.contains("no value at n = 2, 13"))
        #expect(notes.contains("lower end is ≤ 0 at n = 3"))
        #expect(notes.contains("one trial only at n = 34"))
        #expect(figure.svg.contains(Markup.escape(figure.notes[0])))
    }

    @Test func aCurveWithNothingPositiveGivesAnEmptyFrameThatSaysWhy() {
        let figure = RiskFigure.render(experiment: "e", rows: [row(1, 0, half: 0), row(2, .nan)])
        #expect(figure.svg.contains("class=\"empty\""))
        #expect(!figure.svg.contains("class=\"marker\""))
        #expect(attributeValues(figure.svg).allSatisfy { !$0.lowercased().contains("nan") })
        #expect(figure.notes == ["no positive finite values to draw on log axes (all means are 0, negative or missing)"])
    }

    @Test func namesAreEscaped() {
        let name = "a<b>&\"c'"
        let rows = [row(1, 0.4, student: "<script>alert(1)</script>"), row(2, 0.3, student: "<script>alert(1)</script>")]
        let figure = RiskFigure.render(experiment: name, rows: rows)
        #expect(!figure.svg.contains("<script>"))
        #expect(!figure.svg.contains(name))
        #expect(figure.svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(figure.svg.contains("data-experiment=\"a&lt;b&gt;&amp;&quot;c&#39;\""))
        #expect(Markup.escape("<&>\"'") == "&lt;&amp;&gt;&quot;&#39;")
    }

    @Test func twoStudentsGetTwoSeriesInTwoColours() {
        let rows = [row(1, 0.4), row(2, 0.3), row(1, 0.5, student: "hard-label"), row(2, 0.45, student: "hard-label")]
        let figure = RiskFigure.render(experiment: "e", rows: rows)
        #expect(count("<g class=\"series\"", in: figure.svg) == 2)
        #expect(figure.svg.contains(RiskFigure.palette[0]) && figure.svg.contains(RiskFigure.palette[1]))
    }
}

@Suite struct ReportPageTests {
    func content(partial: String? = nil, description: String = "checks <b>B</b> & more") -> ReportContent {
        let first: [CurveRow] = [1, 2, 4].map { (n: Int) -> CurveRow in
            let x = Double(n)
            return CurveRow(experiment: "first", student: "linear", n: n, trials: 50, mean: 0.4 / x, sd: 0.1,
                            ciLow: 0.35 / x, ciHigh: 0.45 / x, bound: 0.9)
        }
        let second: [CurveRow] = [1, 3].map { (n: Int) -> CurveRow in
            let x = Double(n)
            return CurveRow(experiment: "second", student: "linear", n: n, trials: 60, mean: 0.2 / x, sd: 0.1,
                            ciLow: 0.15 / x, ciHigh: 0.25 / x)
        }
        let rows = first + second
        let verdicts = [
            Verdict(claim: "B", experiment: "first", student: "linear", holds: true,
                    numbers: ["points": 3, "max_mean_minus_bound": -0.5], detail: "below <B>", rule: "the <rule>"),
            Verdict(claim: "M3", experiment: "second", student: "linear", holds: false,
                    numbers: ["violations": 1, "largest_mean_step": 0.0123456789], detail: "one increase", rule: "r"),
        ]
        let configuration: JSONValue = .object([
            "suite": .string("demo"),
            "experiments": .array([
                .object(["name": .string("first"), "description": .string(description), "seed": .integer(3), "confidence": .number(0.9)]),
                .object(["name": .string("second"), "seed": .integer(4)]),
            ]),
        ])
        let experiments: [String: SummaryDocument.Experiment] = [
            "first": .init(seed: 3, trials: 50, trialsRequested: 50, trialsPlanned: 50, blockSize: 10,
                  confidence: 0.9, stopReason: "fixedCountReached", sampler: "gram"),
            "second": .init(seed: 4, trials: 60, trialsRequested: 50, trialsPlanned: 60, blockSize: 20,
                  confidence: 0.95, stopReason: "fixedCountReached", sampler: "ambient"),
        ]
        let summary = SummaryDocument(version: "0.1.0", ranks: 2, partial: partial != nil, configuration: configuration,
                                      experiments: experiments, fits: [],
                                      verdicts: verdicts, timings: ["total_seconds": 1.5, "first.seconds": 1])
        var content = ReportContent(rows: rows, summary: summary)
        content.partial = partial
        return content
    }

    @Test func onePageWithAFigurePerExperimentAndEveryVerdict() {
        let built = ReportPage.build(content())
        #expect(built.figures.map(\.name) == ["first.svg", "second.svg"])
        #expect(built.html.components(separatedBy: "<svg ").count - 1 == 2)
        for figure in built.figures { #expect(built.html.contains(figure.svg)) }
        #expect(built.html.contains("<tr class=\"verdict holds\" data-experiment=\"first\" data-claim=\"B\">"))
        #expect(built.html.contains("<tr class=\"verdict fails unexpected\" data-experiment=\"second\" data-claim=\"M3\">"))
        #expect(built.html.contains("Rule: the &lt;rule&gt;"))
        #expect(built.html.contains("<span class=\"key\">largest_mean_step</span> = <span class=\"value\">0.0123457</span>"))
        #expect(built.html.contains("2 verdicts: 1 hold, 1 fail, 0 inconclusive; 1 not as expected"))
        #expect(built.html.contains("<td id=\"meta-ranks\">2</td>"))
        #expect(built.html.contains("<td id=\"meta-trials\">110 in total</td>"))
        #expect(!built.html.contains("partial-marker"))
        // The 90% level of the first experiment reaches its legend.
        #expect(built.figures[0].svg.contains("mean and 90% CI"))
    }

    @Test func nothingIsFetchedAndTextIsEscaped() {
        let html = ReportPage.build(content()).html
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("src="))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").count - 1
            == html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1)
        #expect(html.contains("checks &lt;b&gt;B&lt;/b&gt; &amp; more"))
        #expect(html.contains("below &lt;B&gt;"))
        #expect(!html.contains("<b>B</b>"))
    }

    @Test func aPartialRunIsMarkedVisibly() {
        let html = ReportPage.build(content(partial: "1 of 2 experiments complete.")).html
        #expect(html.contains("<div id=\"partial-marker\""))
        #expect(html.contains("PARTIAL RUN."))
        #expect(html.contains("<title>[partial] kdmc report: demo</title>"))
        #expect(html.contains("Provisional"))
    }

    @Test func clashingFileNamesAreKeptApart() {
        var c = content()
        c.experiments = [ReportContent.Experiment(name: "a/b", status: "complete", isComplete: true),
                         ReportContent.Experiment(name: "a_b", status: "complete", isComplete: true)]
        #expect(ReportPage.build(c).figures.map(\.name) == ["a_b.svg", "a_b-2.svg"])
    }
}

@Suite struct LinearAxisTests {
    @Test func ticksAreEvenlySpacedRoundNumbersInsideTheDomain() throws {
        let axis = try #require(LinearAxis(covering: [1, 80]))
        let ticks = axis.ticks
        // Eight steps would be 10.5 wide: the step is the next round number, 20.
        #expect(ticks.map(\.value) == [0, 20, 40, 60, 80])
        #expect(ticks.map(\.label) == ["0", "20", "40", "60", "80"])
        #expect(axis.low < 1 && axis.high > 80)
        #expect(abs(axis.fraction(axis.low)) < 1e-15 && abs(axis.fraction(axis.high) - 1) < 1e-15)
    }

    @Test func aTinySpanStillGetsDistinctLabels() throws {
        let axis = try #require(LinearAxis(covering: [1e-17, 5e-17]))
        let labels = axis.ticks.compactMap(\.label)
        #expect(labels.count >= 3)
        #expect(Set(labels).count == labels.count, "\(labels)")
        #expect(LinearAxis(covering: [.nan, .infinity]) == nil)
    }

    /// An exponential claim is drawn with a linear n axis; the same rows on the default axis are
    /// log–log (control).
    @Test func theFigureNamesItsScale() {
        let rows = (1...5).map { n in
            CurveRow(experiment: "e", student: "linear", n: n * 10, trials: 100, mean: exp(-0.1 * Double(n * 10)), sd: 0.01,
                     ciLow: exp(-0.1 * Double(n * 10)) * 0.9, ciHigh: exp(-0.1 * Double(n * 10)) * 1.1)
        }
        let semilog = RiskFigure.render(experiment: "e", rows: rows, xScale: .linear)
        let loglog = RiskFigure.render(experiment: "e", rows: rows)
        #expect(semilog.svg.contains("n (transfer set size, linear scale)"))
        #expect(loglog.svg.contains("n (transfer set size, log scale)"))
        let ticks = semilog.svg.matches(of: /<text class="x-tick" x="([0-9.]+)"/).compactMap { Double($0.output.1) }
        let gaps = zip(ticks.dropFirst(), ticks).map { $0 - $1 }
        #expect(gaps.count >= 3 && gaps.allSatisfy { abs($0 - gaps[0]) < 0.02 })
    }
}
