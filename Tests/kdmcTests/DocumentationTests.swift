import Foundation
import Testing

/// A reader can follow every link and citation without leaving the repository: relative links
/// in the Markdown files resolve, every "THEORY.md §N" names a section that exists, and no
/// file points at documents the repository does not hold.
@Suite struct DocumentationTests {
    static let root = TestFiles.packageRoot

    /// The repository's own files (as git lists them), by extension.
    static func files(_ extensions: Set<String>) throws -> [URL] {
        let listed = try launch(URL(fileURLWithPath: "/usr/bin/env"), ["git", "ls-files"], in: root)
        try #require(listed.status == 0, "git ls-files: \(listed.stderr)")
        return listed.stdout.split(separator: "\n").map { root.appendingPathComponent(String($0)) }
            .filter { extensions.contains($0.pathExtension) }
    }

    @Test func relativeLinksInTheMarkdownFilesResolve() throws {
        let markdown = try Self.files(["md"])
        #expect(markdown.contains { $0.path.hasSuffix("docs/THEORY.md") })
        #expect(markdown.contains { $0.path.hasSuffix("docs/OUTPUTS.md") })
        var checked = 0
        for file in markdown {
            let text = try String(contentsOf: file, encoding: .utf8)
            for link in text.matches(of: /\]\(([^)\s]+)\)/) {
                let target = String(link.output.1)
                if target.hasPrefix("http") || target.hasPrefix("#") || target.hasPrefix("mailto:") { continue }
                let path = String(target.split(separator: "#", maxSplits: 1)[0])
                let url = file.deletingLastPathComponent().appendingPathComponent(path).standardized
                #expect(FileManager.default.fileExists(atPath: url.path), "\(file.lastPathComponent): link to \(target) does not resolve")
                checked += 1
            }
        }
        #expect(checked >= 10)
    }

    @Test func everyCitedSectionOfTheTheoryExists() throws {
        let theory = try String(contentsOf: Self.root.appendingPathComponent("docs/THEORY.md"), encoding: .utf8)
        let heading = try Regex("(?m)^## ([0-9]+)\\. ")
        let sections = Set(theory.matches(of: heading).compactMap { $0.output[1].substring.flatMap { Int($0) } })
        #expect(sections == Set(1...10))
        var cited = 0
        for file in try Self.files(["md", "swift", "json", "py", "sh"]) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for citation in text.matches(of: /THEORY\.md\)? §(\d+)/) {
                cited += 1
                #expect(sections.contains(Int(citation.output.1)!), "\(file.lastPathComponent) cites §\(citation.output.1)")
            }
        }
        #expect(cited >= 20)
    }

    /// Control for the link check: a document the repository does not hold is named nowhere.
    @Test func noFileNamesADocumentOutsideTheRepository() throws {
        for file in try Self.files(["md", "swift", "json", "py", "sh"]) where !file.path.hasSuffix("DocumentationTests.swift") {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(!text.contains("DESIGN.md"), "\(file.lastPathComponent) names DESIGN.md")
            #expect(!text.contains("shared/docs"), "\(file.lastPathComponent) names a path outside the repository")
        }
    }
}
