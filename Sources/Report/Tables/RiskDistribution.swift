import Experiments
import MonteCarlo

/// The distribution of the per-trial risk at a few n, as fixed-bin counts. A confidence
/// interval of the mean hides how the risk is spread over the draws (at a margin most draws
/// have risk exactly 0 and a few a large one); the counts show it.
///
/// The counts are kept by the engine itself: each bin is one more entry of the trial's vector,
/// an indicator (1 when the risk falls in the bin, 0 otherwise), so its merged mean times its
/// trial count is the bin's count, merged per block in block order like every other point and
/// therefore the same for any rank count and across a resume.
package struct RiskDistribution: Sendable, Equatable {
    /// One (student, n) whose risk is binned, and where that risk sits in the trial's vector.
    package struct Probe: Sendable, Equatable {
        package var student: String
        package var n: Int
        package var riskIndex: Int
    }

    /// Upper edges of the bins after the first: bin 0 holds risk 0 (up to rounding, ≤ 10⁻¹²);
    /// bin k ≥ 1 holds (edges[k − 1], edges[k]], with edges[0] = 10⁻¹². Decades near 0 where
    /// rare events live, tenths above.
    package static let upperEdges: [Double] = [1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1]
    package static let zeroTolerance = 1e-12
    package static var binCount: Int { upperEdges.count + 1 }

    /// Lower and upper end of bin `k` (bin 0 is [0, 0]).
    package static func bounds(ofBin k: Int) -> (low: Double, high: Double) {
        precondition(k >= 0 && k < binCount, "bin \(k) out of range")
        if k == 0 { return (0, 0) }
        return (k == 1 ? 0 : upperEdges[k - 2], upperEdges[k - 1])
    }

    package static func bin(of risk: Double) -> Int? {
        guard risk.isFinite else { return nil }
        if risk <= zeroTolerance { return 0 }
        for (k, edge) in upperEdges.enumerated() where risk <= edge { return k + 1 }
        return binCount - 1
    }

    package let probes: [Probe]
    /// Where the indicators start in the engine's vector (the curve layout's length).
    package let offset: Int

    /// Probes every student's risk at the first, the last and a middle n of the grid (the one
    /// nearest the geometric mean of the two).
    package init(layout: CurveLayout) {
        var students: [String] = []
        var grid: [Int] = []
        for key in layout.keys where key.quantity == .risk {
            if !students.contains(key.student) { students.append(key.student) }
            if !grid.contains(key.n) { grid.append(key.n) }
        }
        grid.sort()
        var chosen: [Int] = []
        if let first = grid.first, let last = grid.last {
            let middle = (Double(first) * Double(last)).squareRoot()
            let nearest = grid.min { abs(Double($0) - middle) < abs(Double($1) - middle) }!
            for n in [first, nearest, last] where !chosen.contains(n) { chosen.append(n) }
        }
        var probes: [Probe] = []
        for student in students {
            for n in chosen {
                if let index = layout.index(student, n, .risk) { probes.append(Probe(student: student, n: n, riskIndex: index)) }
            }
        }
        self.probes = probes
        self.offset = layout.count
    }

    /// Entries this adds to the trial's vector.
    package var count: Int { probes.count * Self.binCount }

    /// The indicators of one trial's vector (NaN for every bin of a probe whose risk is missing).
    package func indicators(_ values: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        for (p, probe) in probes.enumerated() {
            if let k = Self.bin(of: values[probe.riskIndex]) {
                out[p * Self.binCount + k] = 1
            } else {
                for k in 0..<Self.binCount { out[p * Self.binCount + k] = .nan }
            }
        }
        return out
    }

    /// The rows of distributions.csv from the intervals of the whole vector (curve layout
    /// first, then these indicators).
    package func rows(experiment: String, intervals: [ConfidenceInterval]) -> [DistributionRow] {
        precondition(intervals.count == offset + count, "one interval per entry of the vector")
        var rows: [DistributionRow] = []
        for (p, probe) in probes.enumerated() {
            for k in 0..<Self.binCount {
                let interval = intervals[offset + p * Self.binCount + k]
                let (low, high) = Self.bounds(ofBin: k)
                let counted = interval.count > 0 ? Int((interval.mean * Double(interval.count)).rounded()) : 0
                rows.append(DistributionRow(experiment: experiment, student: probe.student, n: probe.n,
                                            binLow: low, binHigh: high, trials: interval.count, count: counted))
            }
        }
        return rows
    }
}

/// One bin of one (experiment, student, n) in distributions.csv.
package struct DistributionRow: Sendable, Equatable {
    package var experiment: String
    package var student: String
    package var n: Int
    /// [0, 0] for the bin of risk 0; otherwise the bin is (binLow, binHigh].
    package var binLow: Double
    package var binHigh: Double
    /// Trials with a risk at this (student, n).
    package var trials: Int
    package var count: Int

    package init(experiment: String, student: String, n: Int, binLow: Double, binHigh: Double, trials: Int, count: Int) {
        self.experiment = experiment
        self.student = student
        self.n = n
        self.binLow = binLow
        self.binHigh = binHigh
        self.trials = trials
        self.count = count
    }
}

/// `distributions.csv`: per-trial risk counts in fixed bins at a few n (see `RiskDistribution`).
package enum DistributionsCSV {
    package static let fileName = "distributions.csv"
    package static let header = "experiment,student,n,bin_low,bin_high,trials,count"

    package static func render(_ rows: [DistributionRow]) -> String {
        var out = header + "\n"
        for r in rows {
            out += [CurvesCSV.quote(r.experiment), CurvesCSV.quote(r.student), String(r.n), r.binLow.description,
                    r.binHigh.description, String(r.trials), String(r.count)].joined(separator: ",") + "\n"
        }
        return out
    }

    package static func parse(_ text: String) throws(CurvesCSVError) -> [DistributionRow] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard lines.first == header else { throw .badHeader(found: lines.first ?? "") }
        var rows: [DistributionRow] = []
        for (index, line) in lines.dropFirst().enumerated() {
            let cells = CurvesCSV.splitCells(line)
            guard cells.count == 7, let n = Int(cells[2]), let low = Double(cells[3]), let high = Double(cells[4]),
                  let trials = Int(cells[5]), let count = Int(cells[6]) else {
                throw .badLine(line: index + 2, reason: "expected 7 cells: experiment, student, n, bin_low, bin_high, trials, count")
            }
            rows.append(DistributionRow(experiment: cells[0], student: cells[1], n: n, binLow: low, binHigh: high,
                                        trials: trials, count: count))
        }
        return rows
    }
}
