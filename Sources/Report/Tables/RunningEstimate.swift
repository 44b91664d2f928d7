import Foundation
import Experiments
import MonteCarlo

/// The running estimate of the risk at the probes of a `RiskDistribution` (every student at
/// three n): mean and interval after each merged block, so a reader can see whether the
/// estimate has settled. Blocks are merged in order, so the trace is the same for any rank
/// count; a resumed run traces from the block it resumed at (checkpoints keep no history).
package struct RunningEstimate: Sendable {
    package let experiment: String
    package let probes: [RiskDistribution.Probe]
    package let confidence: Double
    package private(set) var rows: [RunningRow] = []
    private var critical: StudentCriticalValues

    package init(experiment: String, distribution: RiskDistribution, confidence: Double) {
        self.experiment = experiment
        self.probes = distribution.probes
        self.confidence = confidence
        self.critical = StudentCriticalValues(level: confidence)
    }

    /// Records the statistics after one more merged block.
    package mutating func record(_ merged: MergedStatistics) {
        for probe in probes {
            let interval = critical.interval(for: merged.points[probe.riskIndex])
            rows.append(RunningRow(experiment: experiment, student: probe.student, n: probe.n,
                                   trials: interval.count, mean: interval.mean, ciLow: interval.low, ciHigh: interval.high))
        }
    }

    /// At most `maximum` rows per probe, at geometrically spaced block counts (so early blocks,
    /// where the estimate moves most, are all kept), the last block always among them.
    package func thinned(maximum: Int = 60) -> [RunningRow] {
        precondition(maximum >= 2, "keep at least the first and the last row")
        var out: [RunningRow] = []
        for probe in probes {
            let mine = rows.filter { $0.student == probe.student && $0.n == probe.n }
            guard !mine.isEmpty else { continue }
            var kept = Set<Int>()
            for j in 0..<maximum {
                let position = pow(Double(mine.count), Double(j) / Double(maximum - 1))
                kept.insert(min(mine.count, max(1, Int(position.rounded()))) - 1)
            }
            out += kept.sorted().map { mine[$0] }
        }
        return out
    }
}

/// One row of running.csv.
package struct RunningRow: Sendable, Equatable {
    package var experiment: String
    package var student: String
    package var n: Int
    package var trials: Int
    package var mean: Double
    package var ciLow: Double
    package var ciHigh: Double
}

/// `running.csv`: the running estimate at three n per student after merged blocks.
package enum RunningCSV {
    package static let fileName = "running.csv"
    package static let header = "experiment,student,n,trials,mean,ci_low,ci_high"

    package static func render(_ rows: [RunningRow]) -> String {
        var out = header + "\n"
        for r in rows {
            out += [CurvesCSV.quote(r.experiment), CurvesCSV.quote(r.student), String(r.n), String(r.trials),
                    r.mean.description, r.ciLow.description, r.ciHigh.description].joined(separator: ",") + "\n"
        }
        return out
    }

    package static func parse(_ text: String) throws(CurvesCSVError) -> [RunningRow] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard lines.first == header else { throw .badHeader(found: lines.first ?? "") }
        var rows: [RunningRow] = []
        for (index, line) in lines.dropFirst().enumerated() {
            let c = CurvesCSV.splitCells(line)
            guard c.count == 7, let n = Int(c[2]), let trials = Int(c[3]), let mean = Double(c[4]),
                  let low = Double(c[5]), let high = Double(c[6]) else {
                throw .badLine(line: index + 2, reason: "expected 7 cells: experiment, student, n, trials, mean, ci_low, ci_high")
            }
            rows.append(RunningRow(experiment: c[0], student: c[1], n: n, trials: trials, mean: mean, ciLow: low, ciHigh: high))
        }
        return rows
    }
}
