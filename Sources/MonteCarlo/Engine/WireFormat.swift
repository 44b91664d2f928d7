/// Little-endian fixed-width encoding of the engine's messages. Doubles travel as bit
/// patterns, so rank 0 merges exactly the numbers the other ranks computed.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func int(_ x: Int) { uint64(UInt64(bitPattern: Int64(x))) }
    mutating func double(_ x: Double) { uint64(x.bitPattern) }
    mutating func byte(_ x: UInt8) { bytes.append(x) }
    mutating func uint64(_ x: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: x >> UInt64(shift))) }
    }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        int(utf8.count)
        bytes += utf8
    }
    mutating func moments(_ m: Moments) {
        int(m.count); int(m.missing); double(m.mean); double(m.m2)
    }
    mutating func coMoments(_ c: CoMoments) {
        int(c.count); int(c.skipped)
        for x in c.mean { double(x) }
        for x in c.comoments { double(x) }
    }
}

struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func uint64() throws(CollectiveError) -> UInt64 {
        guard offset + 8 <= bytes.count else { throw .malformedMessage("message ends early at byte \(offset)") }
        var x: UInt64 = 0
        for i in 0..<8 { x |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += 8
        return x
    }
    mutating func int() throws(CollectiveError) -> Int { Int(Int64(bitPattern: try uint64())) }
    mutating func count() throws(CollectiveError) -> Int {
        let n = try int()
        guard n >= 0, n <= bytes.count else { throw .malformedMessage("impossible count \(n)") }
        return n
    }
    mutating func index() throws(CollectiveError) -> Int {
        let n = try int()
        guard n >= 0 else { throw .malformedMessage("negative index \(n)") }
        return n
    }
    mutating func double() throws(CollectiveError) -> Double { Double(bitPattern: try uint64()) }
    mutating func byte() throws(CollectiveError) -> UInt8 {
        guard offset < bytes.count else { throw .malformedMessage("message ends early at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func string() throws(CollectiveError) -> String {
        let n = try count()
        guard offset + n <= bytes.count else { throw .malformedMessage("string runs past the end") }
        defer { offset += n }
        return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
    }
    mutating func moments() throws(CollectiveError) -> Moments {
        let count = try index(), missing = try index()
        return Moments(count: count, missing: missing, mean: try double(), m2: try double())
    }
    /// A group's co-moments; the group's points are known to both sides (the configuration).
    mutating func coMoments(points: [Int]) throws(CollectiveError) -> CoMoments {
        let k = points.count
        let count = try index(), skipped = try index()
        var mean: [Double] = []
        for _ in 0..<k { mean.append(try double()) }
        var c: [Double] = []
        for _ in 0..<(k * (k + 1) / 2) { c.append(try double()) }
        return CoMoments(points: points, count: count, skipped: skipped, mean: mean, comoments: c)
    }
}

/// What one rank sends to rank 0 after a round.
struct RoundReport {
    var busySeconds: Double
    /// The rank saw a stop request (its own or another rank's notice) during the round.
    var stopRequested: Bool = false
    /// The blocks it finished: all it was dealt, or fewer after a stop request.
    var blocks: [BlockStatistics]

    func encoded() -> [UInt8] {
        var w = WireWriter()
        w.double(busySeconds)
        w.byte(stopRequested ? 1 : 0)
        w.int(blocks.count)
        for block in blocks {
            w.int(block.index)
            w.int(block.points.count)
            for p in block.points { w.moments(p) }
            w.int(block.groups.count)
            for g in block.groups { w.coMoments(g) }
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8], pointCount: Int, groups: [[Int]] = []) throws(CollectiveError) -> RoundReport {
        var r = WireReader(bytes)
        let busy = try r.double()
        let stop = try r.byte() == 1
        let n = try r.count()
        var blocks: [BlockStatistics] = []
        for _ in 0..<n {
            let index = try r.index()
            let points = try r.count()
            guard points == pointCount else {
                throw .malformedMessage("block \(index) has \(points) points, expected \(pointCount)")
            }
            var moments: [Moments] = []
            moments.reserveCapacity(points)
            for _ in 0..<points { moments.append(try r.moments()) }
            let groupCount = try r.count()
            guard groupCount == groups.count else {
                throw .malformedMessage("block \(index) has \(groupCount) covariance groups, expected \(groups.count)")
            }
            var coMoments: [CoMoments] = []
            for g in groups { coMoments.append(try r.coMoments(points: g)) }
            blocks.append(BlockStatistics(index: index, points: moments, groups: coMoments))
        }
        guard r.isAtEnd else { throw .malformedMessage("trailing bytes in a round report") }
        return RoundReport(busySeconds: busy, stopRequested: stop, blocks: blocks)
    }
}

/// Rank 0's word to all ranks at the start and after each round.
enum Directive: Equatable {
    /// Compute these blocks, rank k taking items k, k + size, … (`BlockSchedule.share`);
    /// `blocksPerRank` is the round's width, for the record.
    case proceed(blocks: [Int], blocksPerRank: Int)
    case finish(StopReason)
    case interrupt(resumable: Bool)
    case fail(String)

    func encoded() -> [UInt8] {
        var w = WireWriter()
        switch self {
        case .proceed(let blocks, let width):
            w.byte(0); w.int(width); w.int(blocks.count)
            for b in blocks { w.int(b) }
        case .finish(let reason): w.byte(1); w.string(reason.rawValue)
        case .interrupt(let resumable): w.byte(2); w.byte(resumable ? 1 : 0)
        case .fail(let message): w.byte(3); w.string(message)
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(CollectiveError) -> Directive {
        var r = WireReader(bytes)
        switch try r.byte() {
        case 0:
            let width = try r.index()
            guard width >= 1 else { throw .malformedMessage("a round of \(width) blocks per rank") }
            let count = try r.count()
            var blocks: [Int] = []
            blocks.reserveCapacity(count)
            for _ in 0..<count { blocks.append(try r.index()) }
            return .proceed(blocks: blocks, blocksPerRank: width)
        case 1:
            let raw = try r.string()
            guard let reason = StopReason(rawValue: raw) else { throw .malformedMessage("unknown stop reason \(raw)") }
            return .finish(reason)
        case 2: return .interrupt(resumable: try r.byte() == 1)
        case 3: return .fail(try r.string())
        case let tag: throw .malformedMessage("unknown directive \(tag)")
        }
    }
}
