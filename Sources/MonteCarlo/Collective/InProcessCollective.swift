import Foundation

/// A group of ranks living as threads of one process, for tests: rank counts 1, 2, 3… in one
/// test binary, so "same bits for any rank count" can be checked without mpirun.
public struct InProcessCollective: TrialCollective {
    public let rank: Int
    public var size: Int { hub.size }
    private let hub: Hub

    /// A single-rank group.
    public init() {
        self.init(rank: 0, hub: Hub(size: 1))
    }

    private init(rank: Int, hub: Hub) {
        self.rank = rank
        self.hub = hub
    }

    /// Runs `body` on `ranks` threads, one per rank, and returns each rank's result in rank
    /// order. An abort on one rank, or a rank whose body throws, makes every rank's pending and
    /// later collective calls throw `CollectiveError.aborted` (the first message wins).
    public static func run<T: Sendable>(
        ranks: Int, _ body: @escaping @Sendable (InProcessCollective) throws -> T
    ) -> [Result<T, any Error>] {
        precondition(ranks >= 1, "need at least one rank")
        let hub = Hub(size: ranks)
        let results = ResultSlots<T>(count: ranks)
        let done = DispatchGroup()
        for r in 0..<ranks {
            done.enter()
            let thread = Thread {
                let member = InProcessCollective(rank: r, hub: hub)
                let result = Result { try body(member) }
                if case .failure(let error) = result {
                    // A rank that leaves with an error must not leave the others waiting.
                    hub.abort("kdmc: rank \(r): left the group with an error: \(error)")
                }
                results.set(r, result)
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return results.all()
    }

    public func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] {
        precondition(root >= 0 && root < size, "broadcast root \(root) outside 0..<\(size)")
        let all = try hub.exchange(rank: rank, rank == root ? bytes : [])
        return all[root]
    }

    public func gatherToRoot(_ bytes: [UInt8]) throws -> [[UInt8]]? {
        let all = try hub.exchange(rank: rank, bytes)
        return rank == 0 ? all : nil
    }

    public func barrier() throws {
        _ = try hub.exchange(rank: rank, [])
    }

    public func postStopNotice() throws {
        hub.postNotice(from: rank)
    }

    public func takeStopNotice() throws -> Bool {
        hub.takeNotices(rank: rank)
    }

    public func abort(_ message: String, code: Int32) throws -> Never {
        // Same line as MPIRuntime.abort prints.
        let line = "kdmc: rank \(rank): " + message.split(whereSeparator: \.isNewline).joined(separator: " ")
        hub.abort(line)
        throw CollectiveError.aborted(line)
    }

    /// One all-to-all exchange step shared by the group's threads (a cyclic barrier that
    /// carries data). A step's published result stays readable until the next step completes,
    /// and the next step cannot complete before every rank has read and arrived again.
    private final class Hub: @unchecked Sendable {
        let size: Int
        private let condition = NSCondition()
        private var generation = 0
        private var arrived = 0
        private var slots: [[UInt8]]
        private var published: [[UInt8]] = []
        private var abortMessage: String?
        /// Stop notices posted to each rank and not yet taken.
        private var notices: [Int]

        init(size: Int) {
            self.size = size
            self.slots = Array(repeating: [], count: size)
            self.notices = Array(repeating: 0, count: size)
        }

        func postNotice(from sender: Int) {
            condition.lock()
            for r in 0..<size where r != sender { notices[r] += 1 }
            condition.unlock()
        }

        func takeNotices(rank: Int) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            let any = notices[rank] > 0
            notices[rank] = 0
            return any
        }

        func exchange(rank: Int, _ bytes: [UInt8]) throws -> [[UInt8]] {
            condition.lock()
            defer { condition.unlock() }
            if let message = abortMessage { throw CollectiveError.aborted(message) }
            let myGeneration = generation
            slots[rank] = bytes
            arrived += 1
            if arrived == size {
                published = slots
                slots = Array(repeating: [], count: size)
                arrived = 0
                generation += 1
                condition.broadcast()
                return published
            }
            while generation == myGeneration && abortMessage == nil {
                condition.wait()
            }
            if generation == myGeneration, let message = abortMessage {
                throw CollectiveError.aborted(message)
            }
            return published
        }

        func abort(_ message: String) {
            condition.lock()
            if abortMessage == nil { abortMessage = message }
            condition.broadcast()
            condition.unlock()
        }
    }

    private final class ResultSlots<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Result<T, any Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: Result<T, any Error>) {
            lock.lock(); values[i] = value; lock.unlock()
        }
        func all() -> [Result<T, any Error>] {
            lock.lock(); defer { lock.unlock() }
            return values.map { $0! }
        }
    }
}
