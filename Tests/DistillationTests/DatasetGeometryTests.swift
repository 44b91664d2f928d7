import Foundation
import LinearAlgebra
import Testing
@testable import Distillation
import Numerics

@Suite struct DatasetGeometryTests {
    /// A CSV of `rows` Gaussian points in R^3 with a last column labelled by the sign of
    /// w_true·x (so logistic regression should recover the direction of w_true).
    static func writeDataset(rows: Int, header: Bool = true) throws -> String {
        var stream = RandomStream(seed: 99, trial: 0, stream: .geometry)
        var text = header ? "x1,x2,x3,label\n" : ""
        for _ in 0..<rows {
            let x = stream.normals(count: 3)
            let label = 1.0 * x[0] - 2.0 * x[1] + 0.5 * x[2] >= 0 ? 1 : 0
            text += x.map { "\($0)" }.joined(separator: ",") + ",\(label)\n"
        }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kdmc-dataset-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func splitSamplingAndRisk() throws {
        let path = try Self.writeDataset(rows: 400)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let g = try DatasetGeometry(path: path, hasHeader: true, labelColumn: 3,
                                    teacher: .weights([1, -2, 0.5]), heldOutFraction: 0.25)
        #expect(g.dimension == 3)
        #expect(g.heldOut.count == 100 && g.pool.count == 300)
        // Transfer sets are distinct pool rows.
        var stream = RandomStream(seed: 1, trial: 4, stream: .transferSet)
        let points = g.sampleTransferSet(count: 300, using: &stream)
        let rows = Set((0..<300).map { points.row($0) })
        #expect(rows.count == 300)
        #expect(rows == Set(g.pool))
        // The teacher has risk 0 on held-out rows; the opposite student risk 1.
        #expect(g.risk(of: [1, -2, 0.5]).value == 0)
        #expect(g.risk(of: [-1, 2, -0.5]).value == 1)
        let r = g.risk(of: [1, 0, 0])
        #expect(!r.isExact && r.value > 0 && r.value < 1)
        #expect(abs(r.standardError - (r.value * (1 - r.value) / 100).squareRoot()) < 1e-15)
        // p is the exact CDF over the pool rows.
        let u = g.teacherDirection
        let beta = g.pool.map { VectorAngle.boundaryAngle($0, axis: u) }
        for theta in [0.05, 0.3, 1.0] {
            let fraction = Double(beta.filter { $0 <= theta }.count) / 300
            #expect(abs(g.boundaryMass(theta) - fraction) < 1e-15)
        }
        #expect(g.boundaryMass(.pi / 2) == 1 && g.boundaryMass(-1) == 0)
    }

    /// Held-out risk agrees with the disagreement rate on the pool within 4 standard errors.
    @Test func heldOutRiskAgreesWithPool() throws {
        let path = try Self.writeDataset(rows: 2000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let g = try DatasetGeometry(path: path, hasHeader: true, labelColumn: 3,
                                    teacher: .weights([1, -2, 0.5]), heldOutFraction: 0.5)
        let student = [1.0, -1, 1]
        let held = g.risk(of: student)
        let pool = GeometryTestSupport.disagreement(Matrix(rowMajor: g.pool), student: student,
                                                    teacher: g.teacher)
        let se = (held.standardError * held.standardError + pool.standardError * pool.standardError).squareRoot()
        #expect(abs(held.value - pool.value) <= 4 * se)
    }

    @Test func teacherFromFileAndLogisticFit() throws {
        let path = try Self.writeDataset(rows: 600, header: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let teacherPath = path + ".teacher"
        try "1\n-2\n0.5\n".write(toFile: teacherPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: teacherPath) }
        let fromFile = try DatasetGeometry(path: path, labelColumn: 3, teacher: .file(teacherPath))
        #expect(fromFile.teacher == [1, -2, 0.5])
        try "1,-2,0.5\n".write(toFile: teacherPath, atomically: true, encoding: .utf8)
        #expect(try DatasetGeometry(path: path, labelColumn: 3, teacher: .file(teacherPath)).teacher == [1, -2, 0.5])
        // Separable labels: the ridge-regularised fit points along w_true.
        let fitted = try DatasetGeometry(path: path, labelColumn: 3, teacher: .logisticRegression(ridge: 1e-3))
        let angle = VectorAngle.between(fitted.teacher, [1, -2, 0.5])
        #expect(angle < 0.1, "fitted teacher at \(angle) rad from the labelling direction")
        #expect(fitted.risk(of: [1, -2, 0.5]).value < 0.05)
    }
}
