import Experiments
import Foundation
import MonteCarlo

/// `sweeps.csv` (runs with a sweep): one `point` row per (sweep, claim, student, point) with the
/// point's fitted rate, interval, predicted rate and status, then one `across` row per
/// across-sweep verdict with the drift's slope and interval (predicted slope 0) and its status.
/// Every sweep parameter has its own column, empty where it is not swept (or, on an `across`
/// row, is the axis the slope runs along).
package enum SweepsCSV {
    package static let fileName = "sweeps.csv"
    package static let parameterColumns = SweepParameter.allCases.map(\.shortName)
    package static let header = (["row", "sweep", "experiment", "claim", "student"] + parameterColumns
        + ["fitted", "fitted_low", "fitted_high", "predicted", "resolution", "points", "status"]).joined(separator: ",")

    package static func render(_ summaries: [SweepSummary]) -> String {
        var out = header + "\n"
        func cell(_ x: Double?) -> String { x.map { $0.description } ?? "" }
        func parameters(_ coordinates: [SweepCoordinate]) -> [String] {
            SweepParameter.allCases.map { p in
                coordinates.first { $0.parameter == p }.map { SweepCoordinate.format($0.value) } ?? ""
            }
        }
        for summary in summaries {
            for row in summary.rows {
                let cells = ["point", CurvesCSV.quote(row.sweep), CurvesCSV.quote(row.experiment), row.claim,
                             CurvesCSV.quote(row.student)] + parameters(row.coordinates)
                    + [cell(row.fitted), cell(row.fittedLow), cell(row.fittedHigh), cell(row.predicted), "", "",
                       row.status.rawValue]
                out += cells.joined(separator: ",") + "\n"
            }
            for trend in summary.trends {
                let cells = ["across", CurvesCSV.quote(trend.sweep), CurvesCSV.quote(trend.experiment), trend.claim,
                             CurvesCSV.quote(trend.student)] + parameters(trend.fixed)
                    + [cell(trend.slope), cell(trend.slopeLow), cell(trend.slopeHigh), "0", cell(trend.resolution),
                       String(trend.points), trend.status.rawValue]
                out += cells.joined(separator: ",") + "\n"
            }
        }
        return out
    }
}
