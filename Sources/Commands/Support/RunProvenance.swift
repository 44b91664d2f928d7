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
