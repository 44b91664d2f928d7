import Foundation
import MPI
import Testing
@testable import MonteCarlo

/// The engine over the real MPI collective: the parent test (a plain `swift test`) launches
/// this test binary under `mpirun -np 2` and `-np 3`, where the child test runs the engine and
/// rank 0 writes the merged bit patterns to a file. The suite's name avoids "MPITests", so the
/// Makefile's mpirun pass does not run it a second time.
@Suite(.serialized) struct EngineUnderMPIRun {
    static let environment = ProcessInfo.processInfo.environment
    static let childMode = environment["KDMC_ENGINE_MPI_CHILD"]
    static let isParent = childMode == nil && environment["OMPI_COMM_WORLD_SIZE"] == nil

    static let configuration = Support.configuration(.fixed(trials: 200), blocksPerRank: 2)

    /// What the child runs; rank 0 writes the bits as hex, one per line.
    @Test(.enabled(if: childMode != nil))
    func child() throws {
        try MPIRuntime.initialize()
        let engine = try TrialEngine(configuration: Self.configuration)
        let failing = Self.childMode == "throw"
        let outcome = try engine.run(on: MPICollective(), interruptRequested: { false }) { t in
            if failing && t == 37 { throw TrialEngineTests.Boom() }
            return Support.trial(t)
        }
        if let stats = outcome.statistics, let path = Self.environment["KDMC_ENGINE_MPI_OUT"] {
            let text = Support.bits(stats).map { String($0, radix: 16) }.joined(separator: "\n") + "\n"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    @Test(.enabled(if: isParent), arguments: [2, 3])
    func sameBitsAsInProcess(ranks: Int) async throws {
        let expected = try #require(try TrialEngineTests.rootOutcome(TrialEngineTests.run(Self.configuration, ranks: 1)).statistics)
        let out = Support.temporaryPath("mpi-\(ranks).bits")
        unlink(out)
        let run = try await Self.mpirun(ranks: ranks, mode: "bits", out: out)
        #expect(run.status == 0, "mpirun failed: \(run.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let bits = text.split(separator: "\n").compactMap { UInt64($0, radix: 16) }
        #expect(bits == Support.bits(expected))
    }

    @Test(.enabled(if: isParent))
    func throwingTrialAbortsTheJobWithOneLine() async throws {
        let run = try await Self.mpirun(ranks: 3, mode: "throw", out: Support.temporaryPath("mpi-throw.bits"))
        #expect(!run.hung)
        #expect(run.status != 0)
        #expect(run.stderr.contains("kdmc: rank 2: trial 37 (block 2) failed: solver did not converge"), "stderr: \(run.stderr)")
    }

    static func mpirun(ranks: Int, mode: String, out: String) async throws -> (status: Int32, hung: Bool, stderr: String) {
        let binary = try #require([Bundle.main.executablePath, CommandLine.arguments.first].compactMap { $0 }
            .first { FileManager.default.isExecutableFile(atPath: $0) })
        var env = environment.filter { key, _ in !["OMPI_", "PMIX_", "PMI_", "OPAL_"].contains { key.hasPrefix($0) } }
        env["KDMC_ENGINE_MPI_CHILD"] = mode
        env["KDMC_ENGINE_MPI_OUT"] = out
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OPENBLAS_NUM_THREADS"] = "1"
        let errPath = out + ".stderr"
        #expect(FileManager.default.createFile(atPath: errPath, contents: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["mpirun", "--oversubscribe", "-np", "\(ranks)", binary,
                             "--testing-library", "swift-testing", "--filter", "EngineUnderMPIRun/child"]
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        // A guard against a hang, not a speed requirement.
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        let hung = process.isRunning
        if hung { process.terminate(); process.waitUntilExit() }
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, hung, stderr)
    }
}
