import Glibc
import Testing
@testable import SystemIO

@Suite struct FilesTests {
    static func scratch(_ name: String) -> String {
        let folder = "/tmp/kdmc-systemio-\(getpid())-\(name)"
        try? Files.makeFolder(folder)
        return folder
    }

    @Test func atomicWriteReplacesWholeAndLeavesNoTemporary() throws {
        let path = Self.scratch("atomic") + "/out.txt"
        try Files.writeAtomically(Array("first".utf8), to: path)
        try Files.writeAtomically(Array("second".utf8), to: path)
        #expect(try Files.readRegular(path) == Array("second".utf8))
        #expect(!Files.exists(Files.temporaryPath(for: path)))
        // A failure before the rename keeps the old content and removes the temporary file.
        #expect(throws: SystemError.self) {
            try Files.writeAtomically(Array("third".utf8), to: path, failBeforeRename: true)
        }
        #expect(try Files.readRegular(path) == Array("second".utf8))
        #expect(!Files.exists(Files.temporaryPath(for: path)))
    }

    @Test func aFailedCallCarriesItsPathOperationAndErrno() {
        do {
            try Files.writeAtomically(Array("x".utf8), to: "/nonexistent-folder/out.txt")
            Issue.record("a write into a missing folder succeeded")
        } catch {
            #expect(error.code == ENOENT)
            #expect(error.path == "/nonexistent-folder/out.txt")
            #expect(error.description.contains("No such file or directory"))
            #expect(error.description.contains("open failed"))
        }
    }

    @Test func onlyRegularFilesAreRead() throws {
        let folder = Self.scratch("kinds")
        let fifo = folder + "/fifo"
        unlink(fifo)
        #expect(mkfifo(fifo, 0o644) == 0)
        // Opened non-blocking and refused by kind: this returns at once instead of waiting for
        // a writer.
        #expect(throws: Files.ReadProblem.notRegular(path: fifo, kind: .fifo)) { try Files.readRegular(fifo) }
        #expect(throws: Files.ReadProblem.notRegular(path: "/dev/zero", kind: .characterDevice)) {
            try Files.readRegular("/dev/zero")
        }
        #expect(throws: Files.ReadProblem.notRegular(path: folder, kind: .directory)) { try Files.readRegular(folder) }
        #expect(throws: Files.ReadProblem.missing(path: folder + "/none")) { try Files.readRegular(folder + "/none") }
        #expect(try Files.kind(fifo) == .fifo)
        #expect(try Files.kind(folder + "/none") == .missing)
        let file = folder + "/small"
        try Files.writeAtomically(Array(repeating: UInt8(ascii: "a"), count: 100), to: file)
        #expect(throws: Files.ReadProblem.tooLarge(path: file, size: 100, limit: 10)) { try Files.readRegular(file, limit: 10) }
        #expect(try Files.readRegular(file).count == 100)
    }

    @Test func aSecondLockOnTheSameFileIsRefusedAndNamesTheHolder() throws {
        let path = Self.scratch("lock") + "/.lock"
        let first = try FileLock.acquire(path)
        do {
            _ = try FileLock.acquire(path)
            Issue.record("the lock was taken twice")
        } catch {
            #expect(error == .held(path: path, holder: String(getpid())))
        }
        first.release()
        let again = try FileLock.acquire(path)
        again.release()
    }

    @Test func makeFolderCreatesParentsAndRefusesAFile() throws {
        let base = Self.scratch("folders")
        try Files.makeFolder(base + "/a/b/c")
        #expect(try Files.kind(base + "/a/b/c") == .directory)
        try Files.writeAtomically(Array("x".utf8), to: base + "/file")
        #expect(throws: SystemError.self) { try Files.makeFolder(base + "/file") }
        #expect(Set(try Files.list(base)) == ["a", "file"])
    }
}
