internal import Numerics

/// The state of a run at a checkpoint plus the identity of the run it belongs to: the blocks
/// merged in order so far, and the blocks finished beyond them that could not be merged yet
/// (a round stopped part-way leaves gaps; a part of a split run keeps all its blocks loose, to
/// be merged with the other parts). Doubles are stored as their bit patterns, so a resumed run
/// continues from exactly the same numbers and ends bit-identical to an uninterrupted one.
public struct Checkpoint: Sendable, Hashable {
    public var fingerprint: RunFingerprint
    public var statistics: MergedStatistics
    /// Finished blocks past `statistics` (indices above its block count, ascending).
    public var loose: [BlockStatistics]
    /// The share of blocks the run computes, when it is one part of a split run.
    public var part: BlockPartition?

    public init(fingerprint: RunFingerprint, statistics: MergedStatistics,
                loose: [BlockStatistics] = [], part: BlockPartition? = nil) {
        self.fingerprint = fingerprint
        self.statistics = statistics
        self.loose = loose.sorted { $0.index < $1.index }
        self.part = part
    }

    /// Format 4: the stream version, the part, the merged points and covariance groups, then the
    /// loose blocks with theirs. A format-1 file was written by streams of version 1
    /// (Box–Muller normals), the only version there was, and kept no parts, groups or loose
    /// blocks; it is read so that resuming it is refused with the stream versions named.
    static let magic = "kdmc-checkpoint 4"
    static let magicBeforeStreamVersions = "kdmc-checkpoint 1"

    /// The version of the random streams the trials drew from (``RunFingerprint/streamVersion``).
    public var streamVersion: Int { fingerprint.streamVersion }

    /// Line-oriented text; the last line is an FNV-1a checksum of everything before it, so a
    /// truncated or edited file is refused instead of silently resumed.
    func encoded() -> [UInt8] {
        var text = Self.magic + "\n"
        text += "fingerprint \(fingerprint.hex)\n"
        text += "stream-version \(fingerprint.streamVersion)\n"
        text += "block-size \(statistics.blockSize)\n"
        text += "points \(statistics.points.count)\n"
        text += "part \(part.map(\.description) ?? "-")\n"
        text += "blocks \(statistics.blockCount)\n"
        for p in statistics.points { text += Self.line(p) }
        text += Self.lines(statistics.groups)
        text += "loose \(loose.count)\n"
        for block in loose {
            text += "block \(block.index)\n"
            for p in block.points { text += Self.line(p) }
            text += Self.lines(block.groups)
        }
        var bytes = Array(text.utf8)
        bytes += Array("checksum \(Self.hex(FNV1a.hash(bytes)))\n".utf8)
        return bytes
    }

    private static func line(_ p: Moments) -> String {
        "p \(p.count) \(p.missing) \(hex(p.mean.bitPattern)) \(hex(p.m2.bitPattern))\n"
    }

    /// `groups K`, then per group its `g COUNT SKIPPED K I1 … IK` line, its means and co-moments.
    private static func lines(_ groups: [CoMoments]) -> String {
        var text = "groups \(groups.count)\n"
        for g in groups {
            text += "g \(g.count) \(g.skipped) \(g.points.count)" + g.points.map { " \($0)" }.joined() + "\n"
            text += "m" + g.mean.map { " " + hex($0.bitPattern) }.joined() + "\n"
            text += "c" + g.comoments.map { " " + hex($0.bitPattern) }.joined() + "\n"
        }
        return text
    }

    static func decode(_ bytes: [UInt8], path: String) throws(CheckpointError) -> Checkpoint {
        func corrupt(_ reason: String) -> CheckpointError { .corrupted(path: path, reason: reason) }
        guard bytes.last == UInt8(ascii: "\n") else { throw corrupt("does not end with a newline (truncated?)") }
        // The checksum line is the last line; everything before it is covered.
        let body = bytes.dropLast()
        guard let cut = body.lastIndex(of: UInt8(ascii: "\n")) else { throw corrupt("no checksum line") }
        let covered = Array(bytes[..<(cut + 1)])
        let checksumLine = String(decoding: bytes[(cut + 1)..<(bytes.count - 1)], as: UTF8.self)
        let checksumFields = checksumLine.split(separator: " ")
        guard checksumFields.count == 2, checksumFields[0] == "checksum",
              let stored = UInt64(checksumFields[1], radix: 16) else { throw corrupt("bad checksum line") }
        guard stored == FNV1a.hash(covered) else { throw corrupt("checksum does not match the contents") }

        let lines = String(decoding: covered, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        var it = lines.makeIterator()
        let format = it.next().map(String.init)
        guard format == magic || format == magicBeforeStreamVersions else {
            throw corrupt("not a kdmc checkpoint (first line)")
        }
        let current = format == magic
        func field(_ name: String) throws(CheckpointError) -> Substring {
            guard let line = it.next() else { throw corrupt("missing \(name)") }
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[0] == name else { throw corrupt("expected \(name), found '\(line)'") }
            return parts[1]
        }
        func moments(_ count: Int, _ what: String) throws(CheckpointError) -> [Moments] {
            var points: [Moments] = []
            points.reserveCapacity(count)
            for i in 0..<count {
                guard let line = it.next() else { throw corrupt("only \(i) of \(count) points \(what)") }
                let f = line.split(separator: " ")
                guard f.count == 5, f[0] == "p",
                      let count = Int(f[1]), count >= 0, let missing = Int(f[2]), missing >= 0,
                      let mean = UInt64(f[3], radix: 16), let m2 = UInt64(f[4], radix: 16)
                else { throw corrupt("bad point line \(i) \(what)") }
                points.append(Moments(count: count, missing: missing,
                                      mean: Double(bitPattern: mean), m2: Double(bitPattern: m2)))
            }
            return points
        }
        func groups(_ pointCount: Int, _ what: String) throws(CheckpointError) -> [CoMoments] {
            guard let groupCount = Int(try field("groups")), groupCount >= 0 else { throw corrupt("bad groups \(what)") }
            var groups: [CoMoments] = []
            for g in 0..<groupCount {
                func numbers(_ tag: Substring, _ expected: Int) throws(CheckpointError) -> [Double] {
                    guard let line = it.next() else { throw corrupt("group \(g) \(what) ends early") }
                    let f = line.split(separator: " ")
                    guard f.first == tag, f.count == expected + 1 else { throw corrupt("bad '\(tag)' line of group \(g) \(what)") }
                    var out: [Double] = []
                    for word in f.dropFirst() {
                        guard let bits = UInt64(word, radix: 16) else { throw corrupt("bad number in group \(g) \(what)") }
                        out.append(Double(bitPattern: bits))
                    }
                    return out
                }
                guard let line = it.next() else { throw corrupt("only \(g) of \(groupCount) groups \(what)") }
                let f = line.split(separator: " ")
                guard f.count >= 4, f[0] == "g", let count = Int(f[1]), count >= 0, let skipped = Int(f[2]), skipped >= 0,
                      let k = Int(f[3]), k >= 1, f.count == 4 + k
                else { throw corrupt("bad group line \(g) \(what)") }
                var members: [Int] = []
                for word in f[4...] {
                    guard let i = Int(word), i >= 0, i < pointCount else { throw corrupt("bad point index in group \(g) \(what)") }
                    members.append(i)
                }
                let mean = try numbers("m", k)
                let c = try numbers("c", k * (k + 1) / 2)
                groups.append(CoMoments(points: members, count: count, skipped: skipped, mean: mean, comoments: c))
            }
            return groups
        }
        guard let fp = UInt64(try field("fingerprint"), radix: 16) else { throw corrupt("bad fingerprint") }
        var streamVersion = 1
        if current {
            guard let v = Int(try field("stream-version")), v >= 1 else { throw corrupt("bad stream-version") }
            streamVersion = v
        }
        guard let blockSize = Int(try field("block-size")), blockSize >= 1 else { throw corrupt("bad block-size") }
        guard let pointCount = Int(try field("points")), pointCount >= 0 else { throw corrupt("bad points") }
        var part: BlockPartition?
        if current {
            let text = String(try field("part"))
            if text != "-" {
                guard let parsed = BlockPartition(parsing: text) else { throw corrupt("bad part \(text)") }
                part = parsed
            }
        }
        guard let blocks = Int(try field("blocks")), blocks >= 0 else { throw corrupt("bad blocks") }
        let points = try moments(pointCount, "of the merged blocks")
        let mergedGroups = current ? try groups(pointCount, "of the merged blocks") : []
        var loose: [BlockStatistics] = []
        if current {
            guard let count = Int(try field("loose")), count >= 0 else { throw corrupt("bad loose count") }
            var previous = blocks - 1
            for _ in 0..<count {
                guard let index = Int(try field("block")), index > previous else {
                    throw corrupt("loose blocks out of order or below the merged ones")
                }
                let blockPoints = try moments(pointCount, "of block \(index)")
                loose.append(BlockStatistics(index: index, points: blockPoints,
                                             groups: try groups(pointCount, "of block \(index)")))
                previous = index
            }
        }
        guard it.next() == nil else { throw corrupt("extra lines after the points") }
        return Checkpoint(fingerprint: RunFingerprint(rawValue: fp, streamVersion: streamVersion),
                          statistics: MergedStatistics(blockSize: blockSize, blockCount: blocks, points: points,
                                                       groups: mergedGroups),
                          loose: loose, part: part)
    }

    static func hex(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// A 64-bit FNV-1a hash of the run's identity: the caller's canonical description of the
/// configuration and seed, the block size, the number of curve points and the version of the
/// random streams (the same configuration draws other numbers under another version), which is
/// also kept in the clear so that a refusal can name it.
public struct RunFingerprint: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: UInt64
    public let streamVersion: Int

    /// The version of the streams this build draws from: `RandomStream.version`.
    public static var currentStreamVersion: Int { RandomStream.version }

    public init(rawValue: UInt64, streamVersion: Int = RunFingerprint.currentStreamVersion) {
        self.rawValue = rawValue
        self.streamVersion = streamVersion
    }

    /// - Parameter identity: everything that changes the trials' values (configuration, seed).
    public init(identity: String, blockSize: Int, pointCount: Int,
                streamVersion: Int = RunFingerprint.currentStreamVersion) {
        var text = "\(identity)\u{0}block-size=\(blockSize)\u{0}points=\(pointCount)"
        // Version 1 fingerprints predate the version and hashed without it.
        if streamVersion != 1 { text += "\u{0}stream-version=\(streamVersion)" }
        rawValue = FNV1a.hash(Array(text.utf8))
        self.streamVersion = streamVersion
    }

    public var hex: String { Checkpoint.hex(rawValue) }
    public var description: String { hex }
}

enum FNV1a {
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
