import ArgumentParser
import Foundation
import Report

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the curves of two finished runs point by point: A − B with its interval.",
        discussion: """
        Matches the rows of the two runs' curves.csv by experiment, student and n, prints one \
        line per common point (both means, A − B and its interval, * when the interval excludes 0) \
        and writes compare.csv and compare.html (both runs' figures side by side and the \
        differences) into the output folder. The runs are treated as independent samples \
        (Welch's interval); docs/OUTPUTS.md describes the files.
        """
    )

    @Argument(help: ArgumentHelp("The first run's output folder (A).", valueName: "run-a"))
    var runA: String

    @Argument(help: ArgumentHelp("The second run's output folder (B).", valueName: "run-b"))
    var runB: String

    @Option(name: .customLong("out"), help: ArgumentHelp("Folder for compare.csv and compare.html (default: compare-<A>-<B> beside A).", valueName: "dir"))
    var outputFolder: String?

    @Option(help: "Level of the intervals of A − B, in (0, 1).")
    var confidence: Double = 0.95

    func validate() throws {
        guard confidence > 0 && confidence < 1 else {
            throw ValidationError("--confidence \(confidence) is outside (0, 1); write e.g. --confidence 0.95")
        }
    }

    func run() throws {
        let a = URL(fileURLWithPath: runA), b = URL(fileURLWithPath: runB)
        let contentA = try Self.finished(a), contentB = try Self.finished(b)
        let comparison = RunComparison(a: contentA.rows, b: contentB.rows, confidence: confidence)
        guard !comparison.points.isEmpty else {
            throw CommandFailure("compare: \(a.path) and \(b.path) have no (experiment, student, n) in common; compare runs of the same experiments")
        }
        let out = outputFolder.map { URL(fileURLWithPath: $0) }
            ?? a.standardized.deletingLastPathComponent().appendingPathComponent(
                "compare-\(a.standardized.lastPathComponent)-\(b.standardized.lastPathComponent)")
        do {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try RunFolder.atomicWrite(Data(comparison.csv().utf8), to: out.appendingPathComponent(ComparisonPage.tableName))
            let page = ComparisonPage.build(comparison, a: contentA, b: contentB, nameA: a.path, nameB: b.path)
            try RunFolder.atomicWrite(Data(page.utf8), to: out.appendingPathComponent(ComparisonPage.fileName))
        } catch {
            throw CommandFailure("compare: cannot write into \(out.path): \(error)")
        }
        print(comparison.table(nameA: a.path, nameB: b.path))
        print("comparison: \(out.appendingPathComponent(ComparisonPage.fileName).path)")
    }

    /// A finished run's rows and summary; a stopped run is refused (its curves are not final).
    static func finished(_ folder: URL) throws -> ReportContent {
        do {
            guard try RunFolder.kind(of: folder) == .complete else {
                throw CommandFailure("compare: \(folder.path) is a stopped run (no curves.csv); finish it with kdmc run … --resume first")
            }
            return try RunFolder.completeContent(folder)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("compare: \(error)")
        }
    }
}
