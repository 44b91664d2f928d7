import Glibc
import Testing
@testable import MonteCarlo

@Suite struct CheckpointTests {
    static func sample() -> Checkpoint {
        let points = [
            Moments(count: 10, missing: 2, mean: 0.1, m2: 3.0000000000000004),
            Moments(count: 3, missing: 0, mean: -.infinity, m2: .nan),
            Moments(count: 0, missing: 7, mean: 0, m2: 0),
            Moments(count: 5, missing: 0, mean: -0.0, m2: .leastNonzeroMagnitude),
            Moments(count: 1 << 40, missing: 1, mean: 1.7976931348623157e308, m2: .infinity),
        ]
        let groups = [
            CoMoments(points: [0, 3], count: 9, skipped: 3, mean: [0.1, -0.0],
                      comoments: [3.0000000000000004, -.leastNonzeroMagnitude, .nan]),
            CoMoments(points: [4], count: 0, skipped: 0, mean: [0], comoments: [0]),
        ]
        return Checkpoint(fingerprint: RunFingerprint(identity: "cfg", blockSize: 64, pointCount: points.count),
                          statistics: MergedStatistics(blockSize: 64, blockCount: 12, points: points, groups: groups))
    }

    @Test func roundTripKeepsEveryBit() throws {
        let store = CheckpointStore(path: Support.temporaryPath("roundtrip.ckpt"))
        let original = Self.sample()
        try store.write(original)
        let back = try store.read()
        #expect(back.fingerprint == original.fingerprint)
        #expect(Support.bits(back.statistics) == Support.bits(original.statistics))
        #expect(back.statistics.blockSize == 64)
        #expect(back.statistics.groups == original.statistics.groups)
        #expect(back.statistics.groupPoints == [[0, 3], [4]])
        #expect(access(store.temporaryPath, F_OK) != 0, "no temporary file left behind")
    }

    @Test func corruptedFilesAreRefused() throws {
        let path = Support.temporaryPath("corrupt.ckpt")
        let store = CheckpointStore(path: path)
        try store.write(Self.sample())
        let good = try Self.readBytes(path)

        var flipped = good
        flipped[good.count / 2] ^= 0x01
        try Self.writeBytes(flipped, path)
        #expect(throws: CheckpointError.self) { try store.read() }
        do { _ = try store.read() } catch {
            guard case .corrupted(let p, let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(p == path && reason.contains("checksum"))
        }

        try Self.writeBytes(Array(good.prefix(good.count - 10)), path)
        #expect(throws: CheckpointError.self) { try store.read() }
        try Self.writeBytes([], path)
        #expect(throws: CheckpointError.self) { try store.read() }
        try Self.writeBytes(Array("hello\n".utf8), path)
        #expect(throws: CheckpointError.self) { try store.read() }
    }

    @Test func mismatchedRunIsRefusedNamingTheField() throws {
        let store = CheckpointStore(path: Support.temporaryPath("mismatch.ckpt"))
        let sample = Self.sample()
        try store.write(sample)
        let n = sample.statistics.points.count
        let g = sample.statistics.groupPoints
        #expect(throws: CheckpointError.mismatch(path: store.path, field: "covariance groups", expected: "1 groups",
                                                 found: "2 groups (other points)")) {
            try store.load(fingerprint: sample.fingerprint, blockSize: 64, pointCount: n, groups: [[0, 1]])
        }
        _ = try store.load(fingerprint: RunFingerprint(identity: "cfg", blockSize: 64, pointCount: n), blockSize: 64, pointCount: n, groups: g)
        #expect(throws: CheckpointError.mismatch(path: store.path, field: "fingerprint (configuration and seed)",
                                                 expected: RunFingerprint(identity: "other", blockSize: 64, pointCount: n).hex,
                                                 found: sample.fingerprint.hex)) {
            try store.load(fingerprint: RunFingerprint(identity: "other", blockSize: 64, pointCount: n), blockSize: 64, pointCount: n, groups: g)
        }
        #expect(throws: CheckpointError.mismatch(path: store.path, field: "block size", expected: "32", found: "64")) {
            try store.load(fingerprint: RunFingerprint(identity: "cfg", blockSize: 32, pointCount: n), blockSize: 32, pointCount: n, groups: g)
        }
        #expect(throws: CheckpointError.mismatch(path: store.path, field: "number of curve points", expected: "4", found: "5")) {
            try store.load(fingerprint: sample.fingerprint, blockSize: 64, pointCount: 4)
        }
    }

    /// A checkpoint records the stream version; one written before versions existed (format 1,
    /// Box–Muller normals) still reads, as version 1, and is refused on resume with a message
    /// that names the versions.
    @Test func anotherStreamVersionIsRefusedWithItsOwnMessage() throws {
        let store = CheckpointStore(path: Support.temporaryPath("stream-version.ckpt"))
        let sample = Self.sample()
        #expect(sample.streamVersion == RunFingerprint.currentStreamVersion)
        try store.write(sample)
        #expect(try store.read().streamVersion == sample.streamVersion)
        let text = String(decoding: sample.encoded(), as: UTF8.self)
        #expect(text.contains("\nstream-version \(RunFingerprint.currentStreamVersion)\n"))

        // The same statistics as format 1: no stream-version line, no covariance groups,
        // fingerprint without the version.
        let n = sample.statistics.points.count
        let old = RunFingerprint(identity: "cfg", blockSize: 64, pointCount: n, streamVersion: 1)
        let ungrouped = MergedStatistics(blockSize: sample.statistics.blockSize, blockCount: sample.statistics.blockCount,
                                         points: sample.statistics.points)
        var lines = String(decoding: Checkpoint(fingerprint: old, statistics: ungrouped).encoded(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        lines.removeLast()                                   // checksum
        lines.removeAll { $0.hasPrefix("stream-version") || $0.hasPrefix("groups") || $0.hasPrefix("part ") || $0.hasPrefix("loose ") }
        lines[0] = "kdmc-checkpoint 1"
        var bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        bytes += Array("checksum \(Checkpoint.hex(FNV1a.hash(bytes)))\n".utf8)
        try Self.writeBytes(bytes, store.path)
        let read = try store.read()
        #expect(read.streamVersion == 1 && read.statistics.blockCount == sample.statistics.blockCount)
        #expect(read.statistics.points.map(\.m2.bitPattern) == sample.statistics.points.map(\.m2.bitPattern))
        #expect(read.fingerprint.rawValue == old.rawValue)
        let current = RunFingerprint(identity: "cfg", blockSize: 64, pointCount: n)
        #expect(current.rawValue != old.rawValue)
        let refusal = CheckpointError.streamVersion(path: store.path, expected: current.streamVersion, found: 1)
        #expect(throws: refusal) { try store.load(fingerprint: current, blockSize: 64, pointCount: n) }
        #expect(refusal.description.contains("random stream version 1"))
        #expect(refusal.description.contains("version \(current.streamVersion)"))
        // A version-1 run resumed by a version-1 build would be accepted.
        _ = try store.load(fingerprint: old, blockSize: 64, pointCount: n)
    }

    @Test func missingFileIsTyped() {
        let path = Support.temporaryPath("never-written.ckpt")
        #expect(throws: CheckpointError.missing(path: path)) { try CheckpointStore(path: path).read() }
        #expect(throws: CheckpointError.self) { try CheckpointStore(path: "/nonexistent-folder/x.ckpt").write(Self.sample()) }
    }

    @Test func interruptedWriteLeavesThePreviousCheckpointWhole() throws {
        let store = CheckpointStore(path: Support.temporaryPath("atomic.ckpt"))
        let first = Self.sample()
        try store.write(first)
        let before = try Self.readBytes(store.path)
        var second = first
        second.statistics = MergedStatistics(blockSize: 64, blockCount: 13, points: first.statistics.points)
        #expect(throws: CheckpointError.self) { try store.write(second, failBeforeRename: true) }
        // The final name still holds the complete old checkpoint, byte for byte.
        #expect(try Self.readBytes(store.path) == before)
        #expect(try store.read().statistics.blockCount == 12)
        try store.write(second)
        #expect(try store.read().statistics.blockCount == 13)
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var out: [UInt8] = [], buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buf, buf.count)
            try #require(n >= 0)
            if n == 0 { return out }
            out += buf[0..<n]
        }
    }

    static func writeBytes(_ bytes: [UInt8], _ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        if !bytes.isEmpty { try #require(write(fd, bytes, bytes.count) == bytes.count) }
    }
}
