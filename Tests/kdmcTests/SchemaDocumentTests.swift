import Foundation
import MonteCarlo
import Testing
import Experiments

@Suite struct SchemaDocumentTests {
    /// The ```json blocks of docs/EXPERIMENT-SCHEMA.md.
    static func examples() throws -> [String] {
        let url = TestFiles.packageRoot.appendingPathComponent("docs/EXPERIMENT-SCHEMA.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "```json" {
                current = []
            } else if line == "```", let lines = current {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func everyExampleOfTheSchemaDocumentValidates() throws {
        let blocks = try Self.examples()
        #expect(blocks.count >= 7)
        var kinds: Set<String> = []
        for block in blocks {
            do {
                // Relative paths in the examples are written as seen from jobs/experiments.
                let suite = try TestFiles.validator.validate(data: Data(block.utf8), baseDirectory: TestFiles.presets)
                kinds.formUnion(suite.experiments.map(\.geometry.kind))
            } catch {
                Issue.record("example does not validate: \(error)\n\(block)")
            }
        }
        #expect(kinds == Set(GeometrySpec.kinds), "geometries without an example: \(Set(GeometrySpec.kinds).subtracting(kinds))")
    }

    @Test func theFullyWrittenExampleEqualsTheDefaults() throws {
        let full = try #require(try Self.examples().first)
        let written = try #require(try TestFiles.validator.validate(data: Data(full.utf8)).experiments.first)
        let minimal = ExperimentSpec(name: written.name, geometry: .gaussian, d: 100, n: written.n,
                                     students: [.linear(init: .zero)])
        #expect(written == minimal)
    }
}
