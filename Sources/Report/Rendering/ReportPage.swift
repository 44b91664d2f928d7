import Foundation

/// `report.html`: one self-contained page (inline CSS and SVG, no scripts, no fonts, nothing
/// fetched), so it reads the same offline, attached to an e-mail or years later. The figures
/// are also returned as stand-alone SVG documents for `figures/`.
package enum ReportPage {
    package struct Built: Sendable, Equatable {
        package var html: String
        /// (file name inside figures/, SVG document), one per experiment, in page order.
        package var figures: [(name: String, svg: String)]

        package static func == (a: Built, b: Built) -> Bool {
            a.html == b.html && a.figures.map(\.name) == b.figures.map(\.name) && a.figures.map(\.svg) == b.figures.map(\.svg)
        }
    }

    package static let fileName = "report.html"
    package static let figuresFolder = "figures"

    package static func build(_ content: ReportContent) -> Built {
        let summary = content.summary
        let held = summary.verdicts.filter(\.holds).count
        let unexpected = summary.verdicts.filter(\.isUnexpected).count
        let undecided = summary.verdicts.filter { $0.status == .inconclusive }.count
        let failed = summary.verdicts.filter { $0.status == .fails }.count
        var figures: [(name: String, svg: String)] = []
        var usedNames: Set<String> = []

        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(content.partial != nil ? "[partial] " : "")kdmc report: \(Markup.escape(content.suite))</title>\n"
        h += "<style>\n\(style)</style>\n</head>\n<body>\n"
        h += "<header>\n<h1>kdmc report: <span id=\"suite-name\">\(Markup.escape(content.suite))</span></h1>\n"
        if let partial = content.partial {
            h += "<div id=\"partial-marker\" class=\"partial\" role=\"alert\"><strong>PARTIAL RUN.</strong> "
            h += "This run was stopped before the end and not resumed; the curves and verdicts below come from the last checkpoint "
            h += "of each experiment and are provisional. \(Markup.escape(partial))</div>\n"
        }
        h += "<p id=\"verdict-count\" class=\"\(unexpected == 0 && undecided == 0 ? "all-hold" : "some-fail")\">"
        h += "\(summary.verdicts.count) verdicts: \(held) hold, \(failed) fail, \(undecided) inconclusive; "
        h += unexpected == 0 ? "all as expected</p>\n</header>\n" : "\(unexpected) not as expected</p>\n</header>\n"

        // Run metadata.
        h += "<section id=\"metadata\">\n<h2>Run</h2>\n<table class=\"metadata\">\n"
        func meta(_ key: String, _ id: String, _ value: String) {
            h += "<tr><th scope=\"row\">\(key)</th><td id=\"meta-\(id)\">\(value)</td></tr>\n"
        }
        meta("Status", "status", content.partial != nil ? "partial (stopped, not resumed)" : "complete")
        meta("Tool", "tool", "\(Markup.escape(summary.tool)) \(Markup.escape(summary.version))")
        let seeds = Set(content.experiments.compactMap(\.seed))
        meta("Seed", "seed", seeds.count == 1 ? "\(seeds.first!)\(content.experiments.count > 1 ? " (every experiment)" : "")"
             : seeds.isEmpty ? "—" : "per experiment, below")
        meta("Ranks", "ranks", String(summary.ranks))
        meta("Trials", "trials", String(content.experiments.compactMap(\.trials).reduce(0, +)) + " in total")
        if let total = summary.timings["total_seconds"] {
            meta("Wall time", "wall-time", "\(Markup.number(total)) s")
        }
        h += "</table>\n"
        h += "<table class=\"experiments\">\n<thead><tr><th>Experiment</th><th>Seed</th><th>Trials</th><th>Status</th><th>Stop reason</th><th>Target met</th><th>Seconds</th><th>Parallel efficiency</th></tr></thead>\n<tbody>\n"
        for e in content.experiments {
            let t = { (key: String) in summary.timings["\(e.name).\(key)"].map(Markup.number) ?? "—" }
            h += "<tr class=\"experiment-row\" data-experiment=\"\(Markup.escape(e.name))\"><td>\(Markup.escape(e.name))</td>"
            h += "<td>\(e.seed.map(String.init) ?? "—")</td><td class=\"trials\">\(e.trials.map(String.init) ?? "—")</td>"
            h += "<td class=\"\(e.isComplete ? "complete" : "incomplete")\">\(Markup.escape(e.status))</td>"
            let stop = summary.experiments[e.name]
            h += "<td class=\"stop-reason\">\(Markup.escape(stop?.stopReason ?? "—"))</td>"
            h += "<td class=\"target-met\">\(stop.map { $0.targetMet.map { $0 ? "yes" : "no" } ?? "no target" } ?? "—")</td>"
            h += "<td>\(t("seconds"))</td><td>\(t("efficiency"))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        h += "<details><summary>Configuration (as run)</summary>\n<pre class=\"configuration\">\(Markup.escape(summary.configurationText))</pre>\n</details>\n"
        h += "</section>\n"

        // One figure per experiment.
        h += "<section id=\"figures\">\n<h2>Risk curves</h2>\n"
        h += "<p class=\"legend-note\">Risk against n: log–log axes for polynomial laws, semilog axes (linear n) for the exponential law of a margin geometry. Each quantity has its own colour and dash; the glossary below names them.</p>\n"
        for (index, e) in content.experiments.enumerated() {
            let rows = content.rows.filter { $0.experiment == e.name }
            let fits = summary.fits.filter { $0.experiment == e.name }
            let exponential = e.geometry == "margin" || fits.contains { $0.fit.model == .exponential }
            let figure = RiskFigure.render(experiment: e.name, rows: rows, fits: fits, confidence: e.confidence,
                                           xScale: exponential ? .linear : .log)
            var file = Markup.fileName(e.name)
            if usedNames.contains(file) { file += "-\(index + 1)" }
            usedNames.insert(file)
            file += ".svg"
            figures.append((file, figure.svg))

            h += "<section class=\"experiment\" id=\"experiment-\(index + 1)\" data-experiment=\"\(Markup.escape(e.name))\">\n"
            h += "<h3>\(Markup.escape(e.name))</h3>\n"
            if let d = e.description { h += "<p class=\"description\">\(Markup.escape(d))</p>\n" }
            h += "<p class=\"status\">\(e.trials.map { "\($0) trials" } ?? "no trials"); \(Markup.escape(e.status))</p>\n"
            h += "<figure>\n\(figure.svg)<figcaption>\n"
            for fit in fits {
                let f = fit.fit
                let symbol = f.model == .exponential ? "rate q" : "exponent κ"
                h += "<p class=\"fit\">\(Markup.escape(fit.student)): fitted \(f.model.rawValue) \(symbol) = \(Markup.number(f.rate)) "
                h += "[\(Markup.number(f.rateLow)), \(Markup.number(f.rateHigh))] (\(Markup.number(f.confidence * 100))%, \(f.points) points)"
                if let p = fit.predicted { h += "; the theory predicts \(Markup.number(p))" }
                h += "</p>\n"
            }
            for note in figure.notes { h += "<p class=\"note\">\(Markup.escape(note))</p>\n" }
            h += "<p class=\"file\">Also as <a href=\"\(figuresFolder)/\(Markup.escape(file))\">\(figuresFolder)/\(Markup.escape(file))</a></p>\n"
            h += "</figcaption>\n</figure>\n"
            if let panel = DistributionFigure.render(experiment: e.name, rows: content.distributions) {
                h += "<figure class=\"distribution\">\n\(panel)<figcaption><p>How the per-trial risk is spread (distributions.csv): "
                h += "the share of trials in each risk bin at the first, a middle and the last n, with the count above each bar.</p></figcaption>\n</figure>\n"
            }
            if let panel = RunningFigure.render(experiment: e.name, rows: content.running) {
                h += "<figure class=\"running\">\n\(panel)<figcaption><p>Has the estimate converged? The mean risk and its interval "
                h += "after each merged block (running.csv), against the trials so far.</p></figcaption>\n</figure>\n"
            }
            h += "</section>\n"
        }
        h += "</section>\n"
        let sweeps = SweepSection.render(content)
        h += sweeps.html
        figures += sweeps.figures

        // The verdicts, with the numbers behind each.
        h += "<section id=\"verdicts\">\n<h2>Verdicts</h2>\n"
        if content.partial != nil {
            h += "<p class=\"partial-note\">Provisional: computed from the checkpointed trials only.</p>\n"
        }
        h += "<table class=\"verdicts\">\n<thead><tr><th>Experiment</th><th>Student</th><th>Claim</th><th>Result</th><th>Numbers</th><th>Detail</th></tr></thead>\n<tbody>\n"
        for v in summary.verdicts {
            h += "<tr class=\"verdict \(v.status.rawValue)\(v.isUnexpected ? " unexpected" : "")\" data-experiment=\"\(Markup.escape(v.experiment))\" data-claim=\"\(Markup.escape(v.claim))\">"
            h += "<td>\(Markup.escape(v.experiment))</td><td>\(Markup.escape(v.student ?? "—"))</td>"
            h += "<td class=\"claim\">\(Markup.escape(v.claim))</td><td class=\"result\">\(Self.statusText(v))</td><td><ul class=\"numbers\">"
            for key in v.numbers.keys.sorted() {
                h += "<li><span class=\"key\">\(Markup.escape(key))</span> = <span class=\"value\">\(Markup.number(v.numbers[key]!))</span></li>"
            }
            h += "</ul></td><td class=\"detail\">\(Markup.escape(v.detail))"
            h += "<p class=\"rule\">Rule: \(Markup.escape(v.rule))</p></td></tr>\n"
        }
        if summary.verdicts.isEmpty {
            h += "<tr><td colspan=\"6\">No verdicts.</td></tr>\n"
        }
        h += "</tbody>\n</table>\n</section>\n"
        h += glossary
        h += "<footer>Written by \(Markup.escape(summary.tool)) \(Markup.escape(summary.version)). Beside this page: "
        h += content.partial != nil ? "checkpoints/ (resume with kdmc run … --resume)" : "curves.csv, summary.json"
        h += " and \(figuresFolder)/.</footer>\n</body>\n</html>\n"
        return Built(html: h, figures: figures)
    }

    /// The result cell: the status, and the expectation when it is not "holds" or not met.
    static func statusText(_ v: Verdict) -> String {
        let mark = switch v.status {
        case .holds: "✓ holds"
        case .fails: "✗ fails"
        case .inconclusive: "? inconclusive"
        }
        if v.status != v.expected { return "\(mark) (expected \(v.expected.rawValue))" }
        return v.expected == .holds ? mark : "\(mark) (as expected)"
    }

    /// What the codes of the verdict table and the names of the curves mean, on the page
    /// itself (docs/THEORY.md has the proofs and the rules in full).
    static let glossary: String = {
        let claims: [(String, String)] = [
            ("L1", "the linear student's flow ends at P w* + (I − P) w(0), the closed form (relative distance ≤ 10⁻⁶)"),
            ("L2", "a balanced deep linear student's end-to-end vector ends at P w* (≤ 10⁻⁴)"),
            ("converged", "every solve met the solver's stopping rule"),
            ("identification", "for n ≥ d the student is the teacher: risk 0"),
            ("exact-gaussian", "the Monte Carlo mean agrees with the exact E[R_n] of the isotropic Gaussian (Beta law of cos²γ)"),
            ("B", "E[R_n] ≤ min over θ of p(θ) + p(π/2 − θ)^n, the bound of the paper"),
            ("C1", "under an angular margin θ₀ the risk decays exponentially, at least at the bound's rate −log(1 − q)"),
            ("C2", "under a polynomial tail p(θ) ≤ (2θ/π)^κ the risk decays like n^−κ (up to logarithms)"),
            ("M1", "the angle γ between student and teacher never grows when a point is added (every trial)"),
            ("M2", "the certificate p(γ) never grows when a point is added (every trial)"),
            ("M3", "the expected risk never grows with n (paired differences over the same trials)"),
            ("soft-vs-hard", "training on soft labels is never significantly worse than on hard labels"),
        ]
        let curves: [(String, String)] = [
            ("mean and CI", "the Monte Carlo mean of the transfer risk over the trials (line and markers, the student's colour) inside its confidence band"),
            ("exact E[R]", "the exact expected risk, where the theory gives it (black, dashed)"),
            ("bound B", "min over θ of p(θ) + p(π/2 − θ)^n (vermillion, dash-dot)"),
            ("certificate p(γ)", "the mean over trials of p(γ), the per-draw bound R ≤ p(γ) (bluish green, dotted)"),
            ("fit", "the fitted decay law C·e^(−qn) or C·n^(−κ), with the theory's rate in brackets (reddish purple, long dashes)"),
        ]
        var h = "<section id=\"glossary\">\n<h2>Glossary</h2>\n"
        h += "<p>A verdict <strong>holds</strong> when the data support the claim at the stated level, <strong>fails</strong> when they contradict it, and is <strong>inconclusive</strong> when the run's precision cannot decide. The rules and proofs are in docs/THEORY.md of kdmc (§8 for the rules).</p>\n"
        h += "<dl class=\"claims\">\n"
        for (code, meaning) in claims { h += "<dt data-claim=\"\(code)\">\(Markup.escape(code))</dt><dd>\(Markup.escape(meaning))</dd>\n" }
        h += "</dl>\n<dl class=\"curves\">\n"
        for (name, meaning) in curves { h += "<dt>\(Markup.escape(name))</dt><dd>\(Markup.escape(meaning))</dd>\n" }
        h += "</dl>\n</section>\n"
        return h
    }()

    static let style = """
    body { font-family: sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; color: #222; }
    h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
    .partial { background: #fff3cd; border: 2px solid #c77c00; padding: 0.8em 1em; margin: 1em 0; }
    #verdict-count { font-size: 1.15em; font-weight: bold; }
    .all-hold { color: #1b6e1b; } .some-fail { color: #a11; }
    table { border-collapse: collapse; margin: 0.8em 0; }
    th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
    th { background: #f3f3f3; }
    tr.holds .result { color: #1b6e1b; font-weight: bold; }
    tr.fails .result { color: #a11; font-weight: bold; }
    tr.inconclusive .result { color: #a15c00; font-weight: bold; }
    p.rule { font-size: 0.85em; color: #555; margin: 0.3em 0 0; }
    td.incomplete { color: #a15c00; font-weight: bold; }
    ul.numbers { margin: 0; padding-left: 1.1em; font-family: monospace; font-size: 0.9em; }
    figure { margin: 0.5em 0; } figcaption { font-size: 0.9em; color: #444; }
    figcaption p { margin: 0.2em 0; } p.note { color: #7a4a00; }
    pre.configuration { white-space: pre-wrap; word-break: break-all; font-size: 0.8em; background: #f7f7f7; padding: 0.6em; }
    svg.risk-figure, svg.distribution-figure, svg.running-figure { max-width: 100%; height: auto; border: 1px solid #eee; }
    dl.claims, dl.curves { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; }
    dl dt { font-weight: bold; font-family: monospace; } dl dd { margin: 0; }

    """ + SweepSection.style
}
