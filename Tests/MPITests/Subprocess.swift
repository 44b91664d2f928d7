import Foundation
import Testing

/// Runs a command to its end (or 20 s, a guard against a hang rather than a speed requirement)
/// with output in files, so a full pipe can never block it.
func runToEnd(_ command: [String], environment: [String: String]) async throws
    -> (status: Int32, hung: Bool, stdout: String, stderr: String)
{
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("kdmc-abort-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let stdoutURL = directory.appendingPathComponent("stdout")
    let stderrURL = directory.appendingPathComponent("stderr")
    #expect(FileManager.default.createFile(atPath: stdoutURL.path, contents: nil))
    #expect(FileManager.default.createFile(atPath: stderrURL.path, contents: nil))

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    process.environment = environment
    process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    process.standardError = try FileHandle(forWritingTo: stderrURL)
    try process.run()
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning, Date() < deadline {
        try await Task.sleep(nanoseconds: 100_000_000)
    }
    let hung = process.isRunning
    if hung {
        process.terminate()
        process.waitUntilExit()
    }
    let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
    let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
    return (process.terminationStatus, hung, stdout, stderr)
}

/// The running test binary, which the subprocess tests run again.
func testBinaryPath() -> String? {
    let candidates = [Bundle.main.executablePath, CommandLine.arguments.first].compactMap { $0 }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// The parent's environment without the variables of its own MPI job (a singleton still gets
/// some), so the child starts a fresh job; plus `extra` and Open MPI's permission to run as root.
func childEnvironment(adding extra: [String: String]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
        !["OMPI_", "PMIX_", "PMI_", "OPAL_", "ORTE_"].contains { key.hasPrefix($0) }
    }
    environment.merge(extra) { _, new in new }
    environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    return environment
}
