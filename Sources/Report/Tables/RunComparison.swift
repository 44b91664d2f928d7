import Foundation
import Numerics

/// Two runs' curves point by point: for every (experiment, student, n) in both, the difference
/// of the means A − B with its interval. The runs are taken as independent samples (Welch's
/// interval: the standard errors add in quadrature, Welch–Satterthwaite degrees of freedom).
/// Runs that share their draws (same experiment and seed) are positively correlated, and the
/// interval is then wider than a paired one would be: conservative, never too narrow.
package struct RunComparison: Sendable, Equatable {
    package struct Point: Sendable, Equatable {
        package var experiment: String
        package var student: String
        package var n: Int
        package var a: CurveRow
        package var b: CurveRow
        package var difference: Double
        package var low: Double
        package var high: Double

        /// The interval excludes 0.
        package var isSignificant: Bool { low > 0 || high < 0 }
    }

    package var points: [Point]
    /// (experiment, student, n) found in one run only, as "experiment / student / n = …".
    package var onlyInA: [String]
    package var onlyInB: [String]
    package var confidence: Double

    package init(a: [CurveRow], b: [CurveRow], confidence: Double = 0.95) {
        precondition(confidence > 0 && confidence < 1, "confidence must lie in (0, 1)")
        func key(_ r: CurveRow) -> String { "\(r.experiment) / \(r.student) / n = \(r.n)" }
        let rowsB = Dictionary(b.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let keysA = Set(a.map(key))
        var points: [Point] = []
        var onlyInA: [String] = []
        for row in a {
            guard let other = rowsB[key(row)] else { onlyInA.append(key(row)); continue }
            let (low, high) = Self.interval(row, other, confidence: confidence)
            points.append(Point(experiment: row.experiment, student: row.student, n: row.n, a: row, b: other,
                                difference: row.mean - other.mean, low: low, high: high))
        }
        self.points = points
        self.onlyInA = onlyInA
        self.onlyInB = b.map(key).filter { !keysA.contains($0) }
        self.confidence = confidence
    }

    /// Welch's interval of mean(a) − mean(b); infinite when either side has fewer than two
    /// trials, and the bare difference when neither has any spread.
    static func interval(_ a: CurveRow, _ b: CurveRow, confidence: Double) -> (Double, Double) {
        let d = a.mean - b.mean
        guard a.trials > 1, b.trials > 1 else { return (-.infinity, .infinity) }
        let va = a.sd * a.sd / Double(a.trials), vb = b.sd * b.sd / Double(b.trials)
        let v = va + vb
        guard v > 0 else { return (d, d) }
        let nu = v * v / (va * va / Double(a.trials - 1) + vb * vb / Double(b.trials - 1))
        let t = SpecialFunctions.studentTQuantile(0.5 + confidence / 2, degreesOfFreedom: nu.isFinite ? nu : .infinity)
        let half = t * v.squareRoot()
        return (d - half, d + half)
    }

    package static let csvHeader = "experiment,student,n,trials_a,mean_a,trials_b,mean_b,difference,ci_low,ci_high,significant"

    /// `compare.csv`: one row per common point.
    package func csv() -> String {
        var out = Self.csvHeader + "\n"
        for p in points {
            out += [CurvesCSV.quote(p.experiment), CurvesCSV.quote(p.student), String(p.n), String(p.a.trials),
                    p.a.mean.description, String(p.b.trials), p.b.mean.description, p.difference.description,
                    p.low.description, p.high.description, p.isSignificant ? "yes" : "no"].joined(separator: ",") + "\n"
        }
        return out
    }

    /// The table for the terminal.
    package func table(nameA: String, nameB: String) -> String {
        let level = String(format: "%g", confidence * 100)
        var lines = ["A = \(nameA)", "B = \(nameB)",
                     "experiment / student / n: mean A, mean B, A − B [\(level)% interval]"]
        for p in points {
            let mark = p.isSignificant ? "  *" : ""
            lines.append("\(p.experiment) / \(p.student) / n = \(p.n): \(Self.format(p.a.mean)), \(Self.format(p.b.mean)), \(Self.format(p.difference)) [\(Self.format(p.low)), \(Self.format(p.high))]\(mark)")
        }
        let significant = points.filter(\.isSignificant).count
        lines.append("\(points.count) common points; \(significant) with an interval that excludes 0 (marked *)")
        if !onlyInA.isEmpty { lines.append("only in A: \(onlyInA.count) points (\(onlyInA.prefix(3).joined(separator: "; "))\(onlyInA.count > 3 ? "; …" : ""))") }
        if !onlyInB.isEmpty { lines.append("only in B: \(onlyInB.count) points (\(onlyInB.prefix(3).joined(separator: "; "))\(onlyInB.count > 3 ? "; …" : ""))") }
        return lines.joined(separator: "\n")
    }

    static func format(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : (x > 0 ? "inf" : x < 0 ? "-inf" : "nan") }
}
