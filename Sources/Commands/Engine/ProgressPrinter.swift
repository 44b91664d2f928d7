import Foundation
import MonteCarlo

/// Progress of rank 0 on stderr: trials done, trials per second, ETA and, under sequential
/// stopping, the widest curve intervals against their target. On a terminal one line is
/// rewritten in place; otherwise (batch logs) plain lines at most every
/// `KDMC_PROGRESS_SECONDS` seconds (default 5; 0 prints after every round). Each experiment
/// ends with a line saying "done" (or "stopped" when interrupted).
struct ProgressPrinter {
    let experiment: String
    let index: Int
    let count: Int
    /// Names of the curve points (for the half-widths of sequential stopping).
    let pointNames: [String]
    private let terminal: Bool
    private let interval: Double
    private var lastPrint = Date.distantPast
    private var last: RunProgress?

    static let intervalVariable = "KDMC_PROGRESS_SECONDS"
    /// Plain lines name at most this many of the widest intervals; the live line one.
    static let widestShown = 3

    init(experiment: String, index: Int, count: Int, pointNames: [String],
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.experiment = experiment
        self.index = index
        self.count = count
        self.pointNames = pointNames
        self.terminal = isatty(STDERR_FILENO) != 0
        self.interval = Self.interval(environment: environment, terminal: terminal)
    }

    /// Seconds between two lines: 0.2 on a terminal, else KDMC_PROGRESS_SECONDS or 5.
    static func interval(environment: [String: String], terminal: Bool) -> Double {
        if terminal { return 0.2 }
        if let text = environment[intervalVariable], let seconds = Double(text), seconds >= 0, seconds.isFinite {
            return seconds
        }
        return 5
    }

    mutating func report(_ progress: RunProgress) {
        last = progress
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        emit(line(progress, ending: nil))
    }

    /// The experiment's last line. A resumed experiment whose checkpoint already met its rule
    /// runs no round; `trials` (from the outcome) stands in for the progress it never had.
    mutating func finish(trials: Int?) {
        if let last {
            emit(line(last, ending: String(format: "done in %.1f s", last.elapsedSeconds)), final: true)
        } else if let trials {
            emit("\(prefix)\(trials) trials, done (from the checkpoint)", final: true)
        }
    }

    /// Interrupted: end the live line so the stop message starts on its own line.
    mutating func stop() {
        guard let last else { return }
        emit(line(last, ending: "stopped"), final: true)
    }

    private var prefix: String { "[\(index + 1)/\(count)] \(experiment): " }

    func line(_ p: RunProgress, ending: String?) -> String {
        var text = prefix + "\(p.trialsDone)/\(p.trialsPlanned) trials, " + String(format: "%.1f trials/s", p.trialsPerSecond)
        if let ending {
            text += ", " + ending
        } else {
            text += p.estimatedSecondsRemaining.map { ", ETA " + Self.duration($0) } ?? ", ETA ?"
        }
        text += halfWidthText(p.halfWidths)
        return text
    }

    /// "half-width above target at 3/12 points: linear n=2 risk 0.031 > 0.005, …" (widest
    /// relative to target first), or "all 12 half-widths at target".
    func halfWidthText(_ widths: [RunProgress.PointHalfWidth]) -> String {
        guard !widths.isEmpty else { return "" }
        let open = widths.filter { !$0.isMet }
        if open.isEmpty { return "; all \(widths.count) half-widths at target" }
        let ratio: (RunProgress.PointHalfWidth) -> Double = { $0.target > 0 ? $0.halfWidth / $0.target : .infinity }
        let widest = open.sorted { ratio($0) > ratio($1) }.prefix(terminal ? 1 : Self.widestShown)
        let shown = widest.map { w in
            let name = w.point < pointNames.count ? pointNames[w.point] : "point \(w.point)"
            return name + " " + Self.number(w.halfWidth) + " > " + Self.number(w.target)
        }
        return "; half-width above target at \(open.count)/\(widths.count) points: " + shown.joined(separator: ", ")
    }

    static func number(_ x: Double) -> String {
        x.isFinite ? String(format: "%.3g", x) : "∞"
    }

    /// "42 s", "12 min 5 s", "3 h 20 min".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s % 3600) / 60) min"
    }

    private func emit(_ text: String, final: Bool = false) {
        if terminal {
            Diagnostics.raw("\r\u{1B}[K" + text + (final ? "\n" : ""))
        } else {
            Diagnostics.line(text)
        }
    }
}
