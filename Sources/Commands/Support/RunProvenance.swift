import Foundation
import LinearAlgebra
import MPI
import Report

/// The provenance block of summary.json, filled in from the build (version, commit, compiler),
/// the libraries loaded, the launch (ranks, hosts, command line) and the clock.
enum RunProvenance {
    static func make(ranks: Int, hosts: [String], started: Date, ended: Date, seeds: [String: UInt64]) -> SummaryDocument.Provenance {
        SummaryDocument.Provenance(
            kdmcVersion: kdmcVersion, gitCommit: buildGitCommit, swiftVersion: swiftVersion,
            mpiLibrary: MPIRuntime.libraryVersion, blas: BLASThreads.buildConfiguration,
            ranks: ranks, hosts: hosts, commandLine: CommandLine.arguments,
            started: timestamp(started), ended: timestamp(ended), seeds: seeds)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// The compiler that built kdmc, to the patch level this list knows.
    static var swiftVersion: String {
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}

/// The provenance of one `kdmc run --part K/M`, kept beside its checkpoints (a part writes no
/// summary of its own) so that `kdmc merge` can say which ranks, hosts and times made the run.
enum PartRecord {
    static let fileName = "part.json"

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The record in a part's checkpoint folder; nil when that part was made by a kdmc that
    /// wrote none.
    static func read(checkpoints: URL) throws -> SummaryDocument.Provenance.Part? {
        let url = checkpoints.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(SummaryDocument.Provenance.Part.self, from: Data(contentsOf: url))
        } catch {
            throw CommandFailure("merge: cannot read \(url.path): \(error)")
        }
    }

    /// The merge's provenance: its own build and command, the parts' ranks and hosts together,
    /// from the first part's start to the merge's end. Parts without a record count as one rank
    /// on an unknown host.
    static func merged(_ parts: [SummaryDocument.Provenance.Part?], counts: [Int], merge: SummaryDocument.Provenance)
        -> SummaryDocument.Provenance {
        let known = parts.compactMap { $0 }
        var result = merge
        result.ranks = zip(parts, counts).map { $0?.ranks ?? $1 }.reduce(0, +)
        result.hosts = zip(parts, counts).flatMap { $0?.hosts ?? Array(repeating: "unknown", count: $1) }
        if let first = known.map(\.started).min(), first < merge.started { result.started = first }
        result.parts = known.sorted { partIndex($0.part) < partIndex($1.part) }
        return result
    }

    private static func partIndex(_ label: String) -> Int {
        Int(label.split(separator: "/").first ?? "") ?? 0
    }
}
