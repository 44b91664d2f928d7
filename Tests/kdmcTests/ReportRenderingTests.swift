import Foundation
import Testing

/// Headless Chromium, as a reader's browser: renders report.html, dumps the DOM after layout
/// and takes a screenshot. Missing Chromium is a failure, not a skip (make deps installs it).
enum HeadlessChromium {
    static let artifacts = TestFiles.packageRoot.appendingPathComponent(".build/test-artifacts")

    static func executable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        throw Missing()
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "headless Chromium is needed to check report.html and was not found on PATH; install it with `make deps` (Debian package chromium)"
        }
    }

    struct Page {
        var dom: String
        /// Lines Chromium logs for the page's console (script errors, console.error, …).
        var consoleLines: [String]
    }

    /// Loads the page once with console logging on and returns the serialized DOM.
    static func dumpDOM(_ page: URL) throws -> Page {
        let result = try run(["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString])
        try #require(result.status == 0, "chromium --dump-dom failed (\(result.status)): \(result.stderr.suffix(2000))")
        let console = result.stderr.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
        return Page(dom: result.stdout, consoleLines: console)
    }

    static func screenshot(_ page: URL, to png: URL, width: Int = 1280, height: Int = 3000) throws {
        try FileManager.default.createDirectory(at: png.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: png)
        let result = try run(["--hide-scrollbars", "--screenshot=\(png.path)", "--window-size=\(width),\(height)", page.absoluteString])
        try #require(result.status == 0, "chromium --screenshot failed (\(result.status)): \(result.stderr.suffix(2000))")
    }

    /// Each call gets its own profile folder, so parallel or leftover Chromium processes never
    /// hand the page to one another; `timeout` keeps a hung browser from hanging the tests.
    static func run(_ arguments: [String]) throws -> Outcome {
        let chromium = try executable()
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        return try launch(URL(fileURLWithPath: "/usr/bin/env"),
                          ["timeout", "180", chromium.path, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--user-data-dir=\(profile.path)"] + arguments)
    }
}

@Suite(.serialized) struct ReportRenderingTests {
    struct Summary: Decodable {
        struct Entry: Decodable {
            var claim: String
            var experiment: String
            var student: String?
            var holds: Bool
            /// null for a number that is not finite.
            var numbers: [String: Double?]
        }
        struct Experiment: Decodable {
            var seed: UInt64
            var trials: Int
        }
        var verdicts: [Entry]
        var experiments: [String: Experiment]
        var ranks: Int
        var trials: [String: Int] { experiments.mapValues(\.trials) }
    }

    @Test func theReportOfASmallRunRendersInHeadlessChromium() throws {
        _ = try HeadlessChromium.executable()
        let out = try ReportCommandTests.finishedRun("render")
        let page = out.appendingPathComponent("report.html")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        let rendered = try HeadlessChromium.dumpDOM(page)
        let dom = rendered.dom

        // No console errors (the page has no scripts; any console line is a failure), and
        // nothing that would be fetched.
        #expect(rendered.consoleLines.isEmpty, "console: \(rendered.consoleLines)")
        #expect(!dom.contains("<script"))
        #expect(!dom.contains("<link"))
        #expect(!dom.contains(" src="))
        #expect(dom.contains("<title>kdmc report: report-check</title>"))

        // One figure per experiment, in run order, each inside its experiment's section.
        let figures = dom.matches(of: /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="risk-figure" data-experiment="([^"]*)"/)
            .map { String($0.output.1) }
        #expect(figures == ["gauss", "poly"])
        for name in ["gauss", "poly"] {
            let section = try #require(dom.firstMatch(of: try Regex("<section class=\"experiment\" id=\"experiment-\\d\" data-experiment=\"\(name)\">(?s:.*?)</section>")))
            #expect(String(section.output[0].substring ?? "").contains("class=\"marker\""), "\(name) has markers")
        }
        #expect(dom.components(separatedBy: "class=\"band\"").count - 1 >= 2)

        // A colour per quantity (Okabe–Ito): the exact expectation, the bound and the
        // certificate are drawn in their own colours, not in the student's.
        let gaussSection = try #require(dom.firstMatch(of: /<section class="experiment" id="experiment-1" data-experiment="gauss">(?s:.*?)<\/section>/))
        let gauss = String(gaussSection.output)
        #expect(gauss.contains("<polyline class=\"mean\" fill=\"none\" stroke=\"#0072B2\""))
        #expect(gauss.contains("<polyline class=\"exact\" fill=\"none\" stroke=\"#000000\""))
        #expect(gauss.contains("<polyline class=\"bound\" fill=\"none\" stroke=\"#D55E00\""))
        #expect(gauss.contains("<polyline class=\"certificate\" fill=\"none\" stroke=\"#009E73\""))
        #expect(dom.contains("<polyline class=\"fit\" fill=\"none\" stroke=\"#CC79A7\""))
        // The legend fits: every entry lies inside its figure (text width at most 6.2 px a
        // character at 11 px, measured against the SVG's own width and height).
        for figure in dom.matches(of: /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="risk-figure"[^>]* width="([0-9.]+)" height="([0-9.]+)"(?s:.*?)<\/svg>/) {
            let width = try #require(Double(figure.output.1)), height = try #require(Double(figure.output.2))
            let entries = String(figure.output.0).matches(of: /<text class="legend-entry" data-kind="[a-z]+" x="([0-9.]+)" y="([0-9.]+)"><title>[^<]*<\/title>([^<]*)<\/text>/)
            #expect(entries.count >= 2)
            for entry in entries {
                let x = try #require(Double(entry.output.1)), y = try #require(Double(entry.output.2))
                let shown = String(entry.output.3).replacingOccurrences(of: "&amp;", with: "&")
                #expect(x + Double(shown.count) * 6.2 <= width, "legend entry '\(shown)' runs past the figure")
                #expect(y <= height - 4, "legend entry '\(shown)' below the figure")
            }
        }
        // The glossary explains every claim code of the verdict table and every curve name.
        let glossary = try #require(dom.firstMatch(of: /<section id="glossary">(?s:.*?)<\/section>/))
        for claim in Set(summary.verdicts.map(\.claim)) {
            #expect(glossary.output.contains("<dt data-claim=\"\(claim)\">"), "glossary lacks \(claim)")
        }
        for curve in ["mean and CI", "exact E[R]", "bound B", "certificate p(γ)", "fit"] {
            #expect(glossary.output.contains("<dt>\(curve)</dt>"))
        }
        // The distribution panel of each experiment: three n, and per (student, n) the bar
        // counts add up to the trials (every trial's risk falls in exactly one bin).
        for (name, trials) in summary.trials {
            let panel = try #require(dom.firstMatch(of: try Regex("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"distribution-figure\" data-experiment=\"\(name)\"(?s:.*?)</svg>")))
            let text = String(panel.output[0].substring ?? "")
            let ns = text.matches(of: /<g class="distribution-panel" data-n="(\d+)">/).map { String($0.output.1) }
            #expect(ns.count == 3, "\(name): \(ns)")
            for group in text.matches(of: /<g class="distribution-panel" data-n="\d+">(?s:.*?)<\/g>/) {
                var perStudent: [String: Int] = [:]
                for bar in String(group.output).matches(of: /<rect class="bar" data-student="([^"]*)" data-count="(\d+)"/) {
                    perStudent[String(bar.output.1), default: 0] += Int(bar.output.2)!
                }
                #expect(!perStudent.isEmpty && perStudent.values.allSatisfy { $0 == trials }, "\(name): \(perStudent)")
            }
            // The running estimate: three n, a mean line per student that ends at the final
            // mean (its last point lies on the dashed line), over block counts 50…trials.
            let running = try #require(dom.firstMatch(of: try Regex("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"running-figure\" data-experiment=\"\(name)\"(?s:.*?)</svg>")))
            let runningText = String(running.output[0].substring ?? "")
            #expect(runningText.matches(of: /<g class="running-panel" data-n="\d+">/).count == 3)
            for group in runningText.matches(of: /<polyline class="running-mean" data-student="[^"]*" fill="none" stroke="#[0-9A-F]+" stroke-width="1.5" points="([^"]*)"\/>\n<line class="final-mean" x1="[0-9.]+" y1="([0-9.]+)"/) {
                let lastY = try #require(String(group.output.1).split(separator: " ").last?.split(separator: ",").last.flatMap { Double($0) })
                #expect(abs(lastY - Double(group.output.2)!) < 0.01)
            }
        }
        // running.csv: trial counts are whole blocks of 50, increasing, ending at the total.
        let runningRows = try String(contentsOf: out.appendingPathComponent("running.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(runningRows.count >= 6)
        #expect(runningRows.allSatisfy { Int($0.split(separator: ",")[3])! % 50 == 0 })
        #expect(dom.contains("class=\"exact\"") && dom.contains("class=\"bound\"") && dom.contains("class=\"fit\""))

        // The description is markup given as text: it shows as text, not as elements.
        #expect(dom.contains("&lt;i&gt;not italic&lt;/i&gt; &amp; &lt;script&gt;console.error(\"injected\")&lt;/script&gt;"))
        #expect(!dom.contains("<i>not italic</i>"))

        // The verdict table: one row per verdict of summary.json, in order, with its numbers.
        let rows = dom.matches(of: /<tr class="verdict (holds|fails)" data-experiment="([^"]*)" data-claim="([^"]*)">(.*?)<\/tr>/)
        #expect(rows.count == summary.verdicts.count)
        #expect(summary.verdicts.count >= 6)
        // M3 judges the soft-label students only; the hard-label curve is a comparison.
        #expect(summary.verdicts.contains { $0.claim == "M3" && $0.student == "linear" })
        #expect(!summary.verdicts.contains { $0.claim == "M3" && $0.student == "hard-label" })
        for (row, verdict) in zip(rows, summary.verdicts) {
            #expect(String(row.output.1) == (verdict.holds ? "holds" : "fails"))
            #expect(String(row.output.2) == verdict.experiment)
            #expect(String(row.output.3) == verdict.claim)
            let cells = String(row.output.4)
            #expect(cells.contains(verdict.holds ? "✓ holds" : "✗ fails"))
            for (key, number) in verdict.numbers {
                let value = number ?? .nan
                let shown = value.isFinite ? String(format: "%.6g", value) : (value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞"))
                #expect(cells.contains("<span class=\"key\">\(key)</span> = <span class=\"value\">\(shown)</span>"),
                        "\(verdict.experiment) \(verdict.claim): \(key) = \(shown)")
            }
        }
        let held = summary.verdicts.filter(\.holds).count
        #expect(dom.contains(">\(held) of \(summary.verdicts.count) verdicts hold</p>"))

        // The run's metadata.
        // Each experiment has its own seed (5 and 7 here): the run's line says so, and each
        // experiment's row gives its seed.
        #expect(Set(summary.experiments.values.map(\.seed)) == [5, 7])
        #expect(dom.contains("<td id=\"meta-seed\">per experiment, below</td>"))
        for (name, experiment) in summary.experiments {
            #expect(dom.contains("data-experiment=\"\(name)\"><td>\(name)</td><td>\(experiment.seed)</td>"))
        }
        #expect(dom.contains("<td id=\"meta-ranks\">\(summary.ranks)</td>"))
        #expect(dom.contains("<td id=\"meta-trials\">\(summary.trials.values.reduce(0, +)) in total</td>"))
        for (name, trials) in summary.trials {
            #expect(dom.contains("data-experiment=\"\(name)\"><td>\(name)</td><td>") && dom.contains("<td class=\"trials\">\(trials)</td>"))
        }
        #expect(!dom.contains("partial-marker"))

        // The screenshot is kept as an artifact for people to look at.
        let png = HeadlessChromium.artifacts.appendingPathComponent("report.png")
        try HeadlessChromium.screenshot(page, to: png)
        let bytes = try Data(contentsOf: png)
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(bytes.count > 20_000, "a rendered page, not a blank one")
        print("report screenshot: \(png.path)")
    }

    /// An exponential claim (a margin geometry) is drawn on semilog axes: n linear, evenly
    /// spaced ticks, the fitted law a straight line. Its screenshot is kept beside the first.
    @Test func anExponentialClaimIsDrawnOnSemilogAxes() throws {
        _ = try HeadlessChromium.executable()
        let folder = try ReportCommandTests.scratch("semilog")
        let file = folder.appendingPathComponent("margin.json")
        try """
        {"name": "margin", "geometry": {"kind": "margin", "theta0": 0.1}, "d": 50, "n": {"from": 1, "to": 40, "count": 9, "spacing": "linear"},
         "students": ["linear"], "solver": "closed", "stopping": {"trials": 400}, "block_size": 50, "seed": 3}
        """.write(to: file, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        let run = try kdmc(["run", file.path, "--out", out.path])
        try #require(run.status == 0, "\(run.stderr)")
        let page = out.appendingPathComponent("report.html")
        let dom = try HeadlessChromium.dumpDOM(page).dom
        let figure = try #require(dom.firstMatch(of: /<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="risk-figure"(?s:.*?)<\/svg>/))
        let svg = String(figure.output)
        #expect(svg.contains("n (transfer set size, linear scale)"))
        // The x ticks are evenly spaced in pixels (a log axis would crowd them to the right).
        let ticks = svg.matches(of: /<text class="x-tick" x="([0-9.]+)"/).compactMap { Double($0.output.1) }
        #expect(ticks.count >= 4)
        let gaps = zip(ticks.dropFirst(), ticks).map { $0 - $1 }
        #expect(gaps.allSatisfy { abs($0 - gaps[0]) < 0.05 }, "\(gaps)")
        // Control: the polynomial experiment of the other test is on log axes.
        #expect(!svg.contains("log scale)</text>") || svg.contains("transfer risk (log scale)"))
        let png = HeadlessChromium.artifacts.appendingPathComponent("report-semilog.png")
        try HeadlessChromium.screenshot(page, to: png, height: 1400)
        #expect(try Data(contentsOf: png).starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    /// The console check must be able to fail: the same page with a broken script and a
    /// console.error injected is caught.
    @Test func theConsoleCheckCatchesABrokenScript() throws {
        _ = try HeadlessChromium.executable()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-broken-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let page = folder.appendingPathComponent("report.html")
        try """
        <!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title></head>
        <body><p>page</p><script>notDefinedAnywhere();</script><script>console.error("reported")</script></body></html>
        """.write(to: page, atomically: true, encoding: .utf8)
        let rendered = try HeadlessChromium.dumpDOM(page)
        #expect(rendered.consoleLines.count == 2, "\(rendered.consoleLines)")
        #expect(rendered.consoleLines.contains { $0.contains("notDefinedAnywhere") })
        #expect(rendered.consoleLines.contains { $0.contains("reported") })
    }
}
