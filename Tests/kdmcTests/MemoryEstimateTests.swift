import Experiments
import Foundation
import Glibc
import Testing

/// The memory estimate against what a run really holds: each experiment runs as a child
/// `kdmc run` and its peak resident set (getrusage of the child, ru_maxrss) must lie within
/// 25% of the estimate. The sizes are chosen so that the terms that scale with d and n
/// dominate the runtime's own baseline.
@Suite(.serialized) struct MemoryEstimateTests {
    static let cases: [(label: String, json: String)] = [
        ("gaussian ambient, closed n² Gram", #"{"name": "m", "geometry": "gaussian", "d": 100, "n": [10, 5000], "students": ["linear"], "solver": "closed", "sampler": "ambient""#),
        ("gaussian gram", #"{"name": "m", "geometry": "gaussian", "d": 6000, "n": [10, 2000], "students": ["linear"], "solver": "closed", "sampler": "gram""#),
        ("margin gram", #"{"name": "m", "geometry": {"kind": "margin", "theta0": 0.2}, "d": 4000, "n": [10, 3000], "students": ["linear"], "solver": "closed", "sampler": "gram""#),
        ("poly-tail ambient", #"{"name": "m", "geometry": {"kind": "poly-tail", "kappa": 1}, "d": 3000, "n": [10, 1500], "students": ["linear"], "solver": "closed", "sampler": "ambient""#),
        ("anisotropic reference sample", #"{"name": "m", "geometry": {"kind": "anisotropic", "alpha": 1}, "d": 1000, "n": [10, 50], "students": ["linear"], "solver": "closed""#),
    ]

    /// Peak RSS in bytes of `kdmc arguments…`, and its exit status.
    static func peakResidentBytes(_ arguments: [String]) throws -> (bytes: Double, status: Int32) {
        let argv = ([TestFiles.executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environment = ProcessInfo.processInfo.environment
        removeLauncherVariables(&environment)
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, TestFiles.executable.path, &actions, nil, argv, envp)
        try #require(spawned == 0, "posix_spawn: \(String(cString: strerror(spawned)))")
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        return (Double(usage.ru_maxrss) * 1024, (status >> 8) & 0xff)
    }

    @Test func theEstimateIsWithinAQuarterOfThePeakResidentSet() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-memory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var samplers = Set<SamplerChoice>()
        for (index, testCase) in Self.cases.enumerated() {
            let json = testCase.json + #", "stopping": {"trials": 1}, "block_size": 1}"#
            let file = folder.appendingPathComponent("\(index).json")
            try json.write(to: file, atomically: true, encoding: .utf8)
            let spec = try ExperimentValidator(memory: nil).validate(data: Data(json.utf8)).experiments[0]
            let estimate = spec.memoryEstimate
            samplers.insert(estimate.sampler)
            let measured = try Self.peakResidentBytes(["run", file.path, "--out", folder.appendingPathComponent("out\(index)").path])
            #expect(measured.status == 0, "\(testCase.label): kdmc run failed")
            let ratio = estimate.bytes / measured.bytes
            print("memory \(testCase.label): estimate/peak RSS = \(ratio) (\(estimate.bytes / 1_048_576) / \(measured.bytes / 1_048_576) MiB)")
            #expect(ratio > 0.75 && ratio < 1.25,
                    "\(testCase.label): estimated \(estimate.bytes / 1_048_576) MiB, peak RSS \(measured.bytes / 1_048_576) MiB (\(estimate.breakdown))")
            // The control: an estimate of the points and their QR alone (2·n·d) is refused by
            // the same check on the runs whose memory is in the n² Gram matrix or the
            // reference sample, so the check can fail.
            if index == 0 || index == 4 {
                let pointsOnly = MemoryEstimate.baselineBytes + 8 * 2 * Double(spec.n.maximum * spec.d)
                #expect(pointsOnly / measured.bytes < 0.75, "\(testCase.label): points alone \(pointsOnly / 1_048_576) MiB")
            }
        }
        #expect(samplers == [.gram, .ambient])
    }
}
