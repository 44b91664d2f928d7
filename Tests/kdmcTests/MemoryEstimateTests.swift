import Experiments
import Foundation
import Glibc
import Testing

/// The memory estimate against what a run really holds: each experiment runs as a child
/// `kdmc run` and its peak resident set (ru_maxrss of the child, see `peakResidentBytes`) must lie within
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
    ///
    /// A child's ru_maxrss starts from the resident set of the image it was exec'ed from, and
    /// posix_spawn execs from (a vfork of) this test process, which holds hundreds of MiB by
    /// the time the suite reaches here. So a small python3 process spawns kdmc and reports the
    /// child's own maximum (resource.RUSAGE_CHILDREN); python3's few MiB are far below every
    /// case's estimate.
    static func peakResidentBytes(_ arguments: [String]) throws -> (bytes: Double, status: Int32) {
        let script = """
        import resource, subprocess, sys
        status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, status)
        """
        // `launch` removes the MPI launcher's variables, as for every child kdmc here.
        let outcome = try launch(URL(fileURLWithPath: "/usr/bin/env"),
                                 ["python3", "-c", script, TestFiles.executable.path] + arguments)
        let fields = outcome.stdout.split(whereSeparator: \.isWhitespace)
        let kib = try #require(fields.first.flatMap { Double($0) }, "no peak from python3: \(outcome.stdout) \(outcome.stderr)")
        let status = try #require(fields.dropFirst().first.flatMap { Int32($0) })
        return (kib * 1024, status)
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
            #expect(finishedRunStatuses.contains(measured.status), "\(testCase.label): kdmc run failed")
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
