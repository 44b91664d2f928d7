import Foundation
import SystemIO
import Testing

/// The output folder of `kdmc run` never loses a good result: a fresh run sets the earlier one
/// aside until its own outputs are all written, touches only files it wrote, refuses a folder
/// another run holds, and reports an I/O failure as one line with exit status 1.
@Suite(.serialized) struct OutputFolderTests {
    static let experiment = """
    {"name": "small", "geometry": "gaussian", "d": 6, "n": [1, 2, 3, 6, 8],
     "students": ["linear"], "solver": "closed", "stopping": {"trials": 200}, "block_size": 50, "seed": 5}
    """

    func scratch(_ name: String) throws -> (folder: URL, file: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-out-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("experiment.json")
        try Self.experiment.write(to: file, atomically: true, encoding: .utf8)
        return (folder, file.path)
    }

    func contents(_ url: URL) -> Data? { FileManager.default.contents(atPath: url.path) }

    @Test func aFreshRunKeepsTheUsersFilesAndReplacesOnlyItsOwn() throws {
        let (folder, file) = try scratch("own")
        let out = folder.appendingPathComponent("out")
        #expect(try kdmc(["run", file, "--out", out.path]).status == 0)
        let mine = ["note.txt", "figures/mine.svg", "checkpoints/mine.txt"]
        for name in mine {
            try Data("keep \(name)".utf8).write(to: out.appendingPathComponent(name))
        }
        let first = contents(out.appendingPathComponent("curves.csv"))
        let second = try kdmc(["run", file, "--out", out.path])
        #expect(second.status == 0, "\(second.stderr)")
        for name in mine {
            #expect(contents(out.appendingPathComponent(name)) == Data("keep \(name)".utf8), "\(name) changed or went")
        }
        #expect(contents(out.appendingPathComponent("curves.csv")) == first, "same seed, same curves")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("previous").path),
                "the earlier run is removed once the new one is complete")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(".kdmc-staging").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("figures/small.svg").path))
    }

    @Test(arguments: [1, 2])
    func aSecondRunIntoAHeldFolderIsRefused(ranks: Int) throws {
        let (folder, file) = try scratch("lock")
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // This process holds the lock, as a run in progress would.
        let lock = try FileLock.acquire(out.appendingPathComponent(".kdmc.lock").path)
        defer { lock.release() }
        let result = try mpirun(ranks: ranks, ["run", file, "--out", out.path])
        #expect(result.status == 1, "\(result.stderr)")
        let ours = result.stderr.split(separator: "\n").filter { $0.hasPrefix("kdmc:") }
        #expect(ours.count == 1 && ours[0].contains("is in use by another kdmc run (process \(getpid()))"), "\(result.stderr)")
        #expect(!result.stderr.contains("MPI_ABORT"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoints").path))
    }

    @Test(arguments: [1, 2])
    func anUnwritableFolderIsOneLineAndExitOne(ranks: Int) throws {
        let (_, file) = try scratch("unwritable")
        let result = try mpirun(ranks: ranks, ["run", file, "--out", "/dev/null/out"])
        #expect(result.status == 1, "\(result.stderr)")
        let ours = result.stderr.split(separator: "\n").filter { $0.hasPrefix("kdmc:") }
        #expect(ours.count == 1 && ours[0].contains("/dev/null") && ours[0].contains("Not a directory"), "\(result.stderr)")
        #expect(!result.stderr.contains("MPI_ABORT") && !result.stderr.contains("Error Domain"), "\(result.stderr)")
    }

    /// A run into a full disk (a small tmpfs this test mounts) fails with one line, and the
    /// earlier result is still there, byte for byte; once space is freed, --resume completes.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func aFullDiskKeepsThePreviousResult() throws {
        let (folder, file) = try scratch("full")
        let mountPoint = folder.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let mounted = try launch(URL(fileURLWithPath: "/usr/bin/env"), ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint.path])
        try #require(mounted.status == 0, "mount: \(mounted.stderr)")
        defer { _ = try? launch(URL(fileURLWithPath: "/usr/bin/env"), ["umount", mountPoint.path]) }
        let out = mountPoint.appendingPathComponent("out")
        #expect(try kdmc(["run", file, "--out", out.path]).status == 0)
        let names = ["curves.csv", "summary.json", "report.html", "figures/small.svg"]
        let good = names.map { contents(out.appendingPathComponent($0)) }
        #expect(!good.contains(nil))

        // Fill the disk, then free five pages: room for the run's list, manifest and checkpoint,
        // not for its outputs, so the run fails where a full disk hurts most, at the end.
        let filler = mountPoint.appendingPathComponent("filler")
        _ = try launch(URL(fileURLWithPath: "/usr/bin/env"), ["dd", "if=/dev/zero", "of=\(filler.path)", "bs=4096"])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: filler.path)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: filler)
        try handle.truncate(atOffset: UInt64(size - 5 * 4096))
        try handle.close()
        let full = try kdmc(["run", file, "--out", out.path])
        #expect(full.status == 1, "\(full.stderr)")
        let ours = full.stderr.split(separator: "\n").filter { $0.hasPrefix("kdmc:") }
        #expect(ours.count == 1 && ours[0].contains("No space left on device")
                && ours[0].contains("the earlier run's outputs are kept in \(out.path)/previous"), "\(full.stderr)")
        #expect(!full.stderr.contains("MPI_ABORT") && !full.stderr.contains("Error Domain"), "\(full.stderr)")
        let previous = out.appendingPathComponent("previous")
        let kept = names.map { contents(out.appendingPathComponent($0)) ?? contents(previous.appendingPathComponent($0)) }
        #expect(kept == good, "the earlier result is intact (in place or in previous/)")
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty, "half-written files left: \(leftovers)")

        try FileManager.default.removeItem(at: filler)
        let resumed = try kdmc(["run", file, "--out", out.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(contents(out.appendingPathComponent("curves.csv")) == good[0], "same seed, same curves")
        #expect(!FileManager.default.fileExists(atPath: previous.path))
    }
}
