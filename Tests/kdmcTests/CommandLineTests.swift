import Foundation
import Testing

/// What one run of the built `kdmc` printed and returned.
struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `.build/debug/kdmc` (build it first with `swift build`).
/// Exit statuses of a run that finished and wrote its outputs: 0, or the verdict statuses 4
/// (some verdict not as the file expects) and 5 (some inconclusive). Tests about the outputs
/// themselves accept all three; the verdict tests check the status.
let finishedRunStatuses: Set<Int32> = [0, 4, 5]

func kdmc(_ arguments: [String], environment extra: [String: String] = [:],
          in folder: URL = TestFiles.packageRoot) throws -> Outcome {
    let binary = TestFiles.executable
    try #require(FileManager.default.isExecutableFile(atPath: binary.path),
                 "build the executable first: swift build (looked for \(binary.path))")
    // Presets come from the package unless a test names a folder.
    var environment: [String: String?] = ["KDMC_PRESETS": nil]
    for (key, value) in extra { environment[key] = value }
    return try launch(binary, arguments, environment: environment, in: folder)
}

/// Runs a program to its end with the test process's environment, less any MPI launcher
/// variables, plus `extra` (a nil value removes a variable).
func launch(_ executable: URL, _ arguments: [String], environment extra: [String: String?] = [:],
            in folder: URL = TestFiles.packageRoot) throws -> Outcome {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    var environment = ProcessInfo.processInfo.environment
    removeLauncherVariables(&environment)
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read before waiting so a full pipe cannot stall the child.
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(status: process.terminationStatus,
                   stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
}

@Suite struct CommandLineTests {
    let malformed = TestFiles.malformed.path
    let presets = TestFiles.presets.path

    @Test func validateListsEveryProblemPrefixedByTheFileAndExitsTwo() throws {
        let file = malformed + "/many-problems.json"
        let result = try kdmc(["validate", file])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count >= 11)
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix(file + ": experiments[") })
        #expect(lines.last?.hasPrefix("kdmc: ") == true)
        #expect(result.stdout.isEmpty)
        #expect(!result.stderr.contains("DecodingError"))
    }

    @Test func validateNamesTheBriefedGridProblem() throws {
        let file = malformed + "/n-not-increasing.json"
        let result = try kdmc(["validate", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file): experiments[2].n[3]: 40 is not greater than the previous value 50; the n grid must be strictly increasing"))
    }

    @Test func validateAcceptsAPresetWithAOneLineSummary() throws {
        let result = try kdmc(["validate", presets + "/poly-tail.json"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("valid: suite poly-tail, 3 experiments") == true)
    }

    @Test func runRefusesAnInvalidFileAndLeavesTheOutputFolderUntouched() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let marker = folder.appendingPathComponent("earlier-run.txt")
        try Data("keep me".utf8).write(to: marker)
        let result = try kdmc(["run", malformed + "/zero-size.json", "--out", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("block_size: 0 is not positive"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["earlier-run.txt"])
        #expect(try String(contentsOf: marker, encoding: .utf8) == "keep me")

        let fresh = folder.appendingPathComponent("new")
        let second = try kdmc(["run", malformed + "/absurd-memory.json", "--out", fresh.path],
                              environment: ["OMPI_COMM_WORLD_LOCAL_SIZE": "2"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("exceeds the cap"))
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
    }

    @Test func runChecksItsOptions() throws {
        let both = try kdmc(["run", presets + "/identification.json", "--trials", "10", "--target-ci", "0.01"])
        #expect(both.status == 64)
        #expect(both.stderr.hasPrefix("kdmc: --trials and --target-ci"))
        let badTarget = try kdmc(["run", presets + "/identification.json", "--target-ci", "150%"])
        #expect(badTarget.status == 64)
        #expect(badTarget.stderr.contains("outside (0, 1)"))
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-none-\(UUID().uuidString)")
        let resume = try kdmc(["run", presets + "/identification.json", "--resume", "--out", nowhere.path])
        #expect(resume.status == 1)
        #expect(resume.stderr.hasPrefix("kdmc: --resume: \(nowhere.path) does not exist"))
        #expect(!FileManager.default.fileExists(atPath: nowhere.path))
        let missing = try kdmc(["run", "/nonexistent/experiment.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("kdmc: no experiment file at /nonexistent/experiment.json"))
    }

    /// A folder named like a preset in the working directory (a run's output folder) does not
    /// hide the preset; a folder with no preset of its name is refused as not a file.
    @Test func aFolderNamedLikeAPresetDoesNotHideIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-shadow-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("default"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("no-such-preset"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let preset = try kdmc(["validate", "default"], environment: ["KDMC_PRESETS": presets], in: folder)
        #expect(preset.status == 0, "\(preset.stderr)")
        #expect(preset.stdout.contains("valid"))
        let plainFolder = try kdmc(["validate", "no-such-preset"], environment: ["KDMC_PRESETS": presets], in: folder)
        #expect(plainFolder.status == 2)
        #expect(plainFolder.stderr.contains("is a directory"), "\(plainFolder.stderr)")
    }

    @Test func listAndShowUseThePresetFolder() throws {
        let list = try kdmc(["list"], environment: ["KDMC_PRESETS": presets])
        #expect(list.status == 0)
        let names = list.stdout.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(names.contains("default") && names.contains("identification") && names.contains("poly-tail"))
        #expect(list.stdout.contains("docs/THEORY.md"))

        let show = try kdmc(["show", "default"], environment: ["KDMC_PRESETS": presets])
        #expect(show.status == 0)
        let shown = try String(contentsOfFile: presets + "/default.json", encoding: .utf8)
        #expect(show.stdout == shown)

        let unknown = try kdmc(["show", "nonsense"], environment: ["KDMC_PRESETS": presets])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no preset named nonsense") && unknown.stderr.contains("identification"))

        let badFolder = try kdmc(["list"], environment: ["KDMC_PRESETS": "/nonexistent"])
        #expect(badFolder.status == 1)
        #expect(badFolder.stderr.hasPrefix("kdmc: KDMC_PRESETS=/nonexistent is not a folder"))
    }

    @Test func presetsAreFoundFromTheExecutableWithoutTheVariable() throws {
        let result = try kdmc(["list"], in: FileManager.default.temporaryDirectory)
        #expect(result.status == 0)
        #expect(result.stdout.contains("identification"))
        let byName = try kdmc(["validate", "default"], in: FileManager.default.temporaryDirectory)
        #expect(byName.status == 0)
    }

    @Test func boundPrintsBAndTheCorollariesAndChecksItsOptions() throws {
        let ok = try kdmc(["bound", "--geometry", "margin", "--d", "1000", "--n", "1", "10", "100", "--theta0", "0.2"])
        #expect(ok.status == 0)
        let lines = ok.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(lines.first == ["n", "B", "theta", "corollary", "exact"])
        #expect(lines.count == 4)
        // C1: q = θ0 / (π/2 − θ0) for θ0 < π/4, so (1 − q)^10 = 0.20655…; B ≤ C1 since θ = θ0 is a candidate.
        let q = 0.2 / (Double.pi / 2 - 0.2)
        let c1 = Double(lines[2][3]) ?? .nan
        #expect(abs(c1 - pow(1 - q, 10)) < 1e-12)
        let b = lines.dropFirst().map { Double($0[1]) ?? .nan }
        #expect(b[1] <= c1 + 1e-15 && b[2] < b[1] && b[1] < b[0])
        let gaussian = try kdmc(["bound", "--geometry", "gaussian", "--d", "100", "--n", "10", "50", "90"])
        #expect(gaussian.status == 0)
        let exact = gaussian.stdout.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[4]) ?? .nan }
        #expect(abs(exact[0] - 0.39968) < 1e-5 && abs(exact[1] - 0.25) < 1e-10 && abs(exact[2] - 0.10032) < 1e-5)
        let noKappa = try kdmc(["bound", "--geometry", "poly-tail", "--d", "100", "--n", "5"])
        #expect(noKappa.status == 64)
        #expect(noKappa.stderr.hasPrefix("kdmc: --geometry poly-tail needs --kappa"))
        let decreasing = try kdmc(["bound", "--geometry", "gaussian", "--d", "100", "--n", "5", "3"])
        #expect(decreasing.status == 64)
        #expect(decreasing.stderr.contains("not greater than the previous value 5"))
        let unknown = try kdmc(["bound", "--geometry", "cube", "--d", "100", "--n", "5"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("gaussian, poly-tail, margin"))
    }

    @Test func dumpWritesATrialThatOtherSoftwareCanCheck() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-dump-\(UUID().uuidString)")
        let ok = try kdmc(["dump", presets + "/identification.json", "--trial", "0", "--n", "10", "--out", folder.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        func table(_ name: String) throws -> [[String]] {
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }
        let points = try table("points.csv").map { $0.compactMap(Double.init) }
        let teacher = try table("teacher.csv").compactMap { Double($0[0]) }
        let weights = try table("weights.csv")
        #expect(points.count == 10 && points.allSatisfy { $0.count == 50 })
        #expect(teacher.count == 50)
        #expect(weights.first == ["linear"] && weights.count == 51)
        // L1 from the files alone: the student fits the teacher's logits on the transfer set.
        let student = weights.dropFirst().compactMap { Double($0[0]) }
        for x in points {
            let m = zip(x, teacher).map(*).reduce(0, +)
            let z = zip(x, student).map(*).reduce(0, +)
            #expect(abs(z - m) <= 1e-6 * max(1, abs(m)))
        }
        let summary = try table("students.csv")
        #expect(summary.first == ["student", "angle", "risk"] && summary.count == 2)
        let offGrid = try kdmc(["dump", presets + "/identification.json", "--trial", "0", "--n", "11", "--out", folder.path])
        #expect(offGrid.status == 64)
        #expect(offGrid.stderr.contains("--n 11 is not in the n grid of identification"))
        let suite = try kdmc(["dump", presets + "/poly-tail.json", "--trial", "0", "--n", "1", "--out", folder.path])
        #expect(suite.status == 64)
        #expect(suite.stderr.contains("choose one with --experiment"))
        let invalid = try kdmc(["dump", malformed + "/kappa-nonpositive.json", "--trial", "0", "--n", "1", "--out", folder.path])
        #expect(invalid.status == 2)
        let negative = try kdmc(["dump", presets + "/identification.json", "--trial", "-1", "--n", "10", "--out", folder.path])
        #expect(negative.status == 64)
    }

    @Test func usageErrorsAreOneLinePrefixedByKdmc() throws {
        let result = try kdmc(["run"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("kdmc: "))
        #expect(result.stderr.split(separator: "\n").count == 1)
        let help = try kdmc(["run", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--target-ci"))
    }
}
