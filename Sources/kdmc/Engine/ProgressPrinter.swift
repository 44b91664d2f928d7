import Foundation
import MonteCarlo

/// Progress of rank 0 on stderr: a line rewritten in place on a terminal, plain lines at most
/// every few seconds in batch logs.
struct ProgressPrinter {
    let experiment: String
    let index: Int
    let count: Int
    /// Sequential stopping: show how far the widest curve interval is from its target.
    let showsHalfWidth: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = Date.distantPast
    private var last: RunProgress?

    init(experiment: String, index: Int, count: Int, showsHalfWidth: Bool) {
        self.experiment = experiment
        self.index = index
        self.count = count
        self.showsHalfWidth = showsHalfWidth
    }

    mutating func report(_ progress: RunProgress) {
        last = progress
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= (terminal ? 0.2 : 5) else { return }
        lastPrint = now
        emit(progress, final: false)
    }

    mutating func finish() {
        guard let last else { return }
        emit(last, final: true)
    }

    private func emit(_ p: RunProgress, final: Bool) {
        let eta = p.estimatedSecondsRemaining.map { String(format: "ETA %.0f s", $0) } ?? "ETA ?"
        let width = showsHalfWidth && p.maxHalfWidth.isFinite ? String(format: ", max half-width %.3g", p.maxHalfWidth) : ""
        let text = "[\(index + 1)/\(count)] \(experiment): \(p.trialsDone)/\(p.trialsPlanned) trials, "
            + String(format: "%.1f trials/s", p.trialsPerSecond)
            + (final ? String(format: ", done in %.1f s", p.elapsedSeconds) : ", \(eta)") + width
        if terminal {
            Diagnostics.raw("\r\u{1B}[K" + text + (final ? "\n" : ""))
        } else {
            Diagnostics.line(text)
        }
    }
}
