import Foundation
import Testing

/// The library's example program (Examples/GaussianCurve), built with the package, run as a
/// user would run it.
@Suite struct ExampleProgramTests {
    /// Its Monte Carlo curve agrees with the exact Gaussian expectation: |z| below the
    /// Bonferroni critical value 3.14 for a family-wise level of 0.5 % over its three n.
    @Test func theGaussianExampleAgreesWithTheExactExpectation() throws {
        let binary = TestFiles.packageRoot.appendingPathComponent(".build/debug/GaussianCurveExample")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path),
                     "build it first: swift build (looked for \(binary.path))")
        let outcome = try launch(binary, [])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let rows = outcome.stdout.split(separator: "\n").dropFirst().filter { $0.first?.isNumber == true }
        #expect(rows.count == 3)
        let last = try #require(outcome.stdout.split(separator: "\n").last)
        #expect(last.hasPrefix("trials: 1024,"))
        let z = try #require(Double(last.split(separator: " ").last ?? ""))
        #expect(z < 3.14)
        for row in rows {
            let cells = row.split(separator: "\t")
            let mean = try #require(Double(cells[1])), exact = try #require(Double(cells[3]))
            #expect(abs(mean - exact) < 0.01)
        }
    }
}
