import Foundation
import LinearAlgebra
@testable import Distillation

/// Helpers shared by the geometry, risk and bound tests.
enum GeometryTestSupport {
    /// Rows of a fixture CSV (comments with '#' and the header line skipped).
    static func fixtureRows(_ name: String) throws -> [[Double]] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "csv",
                                                 subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        return lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
    }

    /// β of every row of `points` with respect to the unit axis u.
    static func boundaryAngles(_ points: Matrix, axis u: [Double]) -> [Double] {
        (0..<points.rows).map { VectorAngle.boundaryAngle(points.row($0), axis: u) }
    }

    /// A unit student at angle γ from e_1 in the (e_1, e_2) plane.
    static func student(angle gamma: Double, dimension d: Int) -> [Double] {
        var w = [Double](repeating: 0, count: d)
        w[0] = cos(gamma)
        w[1] = sin(gamma)
        return w
    }

    /// Fraction of rows where sign(wᵀx) and sign(w*ᵀx) differ, with its standard error.
    static func disagreement(_ points: Matrix, student w: [Double], teacher: [Double]) -> RiskEstimate {
        let a = points * w, b = points * teacher
        let count = zip(a, b).filter { ($0 >= 0) != ($1 >= 0) }.count
        return .proportion(count, of: points.rows)
    }
}

// `#require` outside a test needs the Testing module.
import Testing
