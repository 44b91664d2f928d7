import ArgumentParser
import Foundation
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild report.html and figures/*.svg from a run folder.",
        discussion: """
        A finished run is rebuilt from its curves.csv and summary.json. A run that was stopped \
        (exit status 3) and not resumed is rebuilt from its checkpoints, and the page is marked \
        partial. Prints the path of report.html.
        """
    )

    @Argument(help: ArgumentHelp("The run's output folder (the --out of kdmc run).", valueName: "dir"))
    var folder: String

    func run() throws {
        let url = URL(fileURLWithPath: folder)
        do {
            let content: ReportContent
            switch try RunFolder.kind(of: url) {
            case .complete:
                content = try RunFolder.completeContent(url)
            case .partial:
                content = try RunFolder.partialContent(url)
            }
            try RunFolder.write(ReportPage.build(content), to: url)
            let path = url.appendingPathComponent(ReportPage.fileName).path
            print(content.partial != nil ? "report (partial run): \(path)" : "report: \(path)")
        } catch {
            throw CommandFailure("report: \(error)")
        }
    }
}
