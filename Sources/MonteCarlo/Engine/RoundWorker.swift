import Foundation
import Synchronization

/// One rank's blocks of one round, computed on a thread of their own so that the rank's main
/// thread stays free to notice a stop request (and to make the collective calls, which MPI
/// funnels through the main thread). `stop()` hands back the blocks finished so far; the block
/// in flight is abandoned at its next trial boundary and its trials are computed again later.
final class RoundWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var finished: [BlockStatistics] = []
    private var failure: String?
    private var done = false
    private let cancelled = Atomic<Bool>(false)

    /// Deep experiments recurse and keep matrices on the stack; the main thread has 8 MiB.
    static let stackSize = 16 << 20

    init(blocks: [Int], blockSize: Int, pointCount: Int, groups: [[Int]] = [],
         trial: @escaping @Sendable (Int) throws -> [Double]) {
        if blocks.isEmpty {
            done = true
            return
        }
        WorkerThreads.count.add(1, ordering: .relaxed)
        let thread = Thread { [self] in
            defer { WorkerThreads.count.subtract(1, ordering: .releasing) }
            compute(blocks: blocks, blockSize: blockSize, pointCount: pointCount, groups: groups, trial: trial)
        }
        thread.stackSize = Self.stackSize
        thread.start()
    }

    private func compute(blocks: [Int], blockSize: Int, pointCount: Int, groups: [[Int]],
                         trial: @Sendable (Int) throws -> [Double]) {
        defer {
            condition.lock()
            done = true
            condition.broadcast()
            condition.unlock()
        }
        for block in blocks {
            var stats = BlockStatistics(index: block, pointCount: pointCount, groups: groups)
            let first = block * blockSize
            for t in first..<(first + blockSize) {
                if cancelled.load(ordering: .relaxed) { return }
                let values: [Double]
                do {
                    values = try trial(t)
                } catch {
                    record(failure: "trial \(t) (block \(block)) failed: \(error)")
                    return
                }
                guard values.count == pointCount else {
                    record(failure: "trial \(t) (block \(block)) returned \(values.count) values, expected \(pointCount)")
                    return
                }
                stats.add(values)
            }
            condition.lock()
            finished.append(stats)
            condition.unlock()
        }
    }

    private func record(failure message: String) {
        condition.lock()
        failure = message
        condition.unlock()
    }

    /// Waits up to `seconds` for the round's blocks; true when they are all done (or a trial failed).
    func wait(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if !done { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        return done
    }

    /// The blocks finished so far and the first trial failure, if any; asks the thread to
    /// leave at its next trial boundary.
    func stop() -> (blocks: [BlockStatistics], failure: String?) {
        cancelled.store(true, ordering: .relaxed)
        condition.lock()
        defer { condition.unlock() }
        return (finished, failure)
    }
}

/// The round workers' threads that have not returned yet, abandoned ones included. A process
/// that ends while one is still inside a trial must not run its exit handlers (MPI_Finalize,
/// the BLAS library's teardown) under that thread's feet.
package enum WorkerThreads {
    fileprivate static let count = Atomic<Int>(0)

    package static var running: Int { count.load(ordering: .acquiring) }
}

/// A rank's view of stop requests during a run: its own (the signal flag) and other ranks'
/// notices. Sticky: once seen, every later round stops at once. A rank that sees its own request
/// posts one notice to the others, so that ranks still computing stop too instead of finishing
/// their round.
struct StopWatch {
    private(set) var stopSeen = false
    private var posted = false

    /// True when a stop was requested here or elsewhere.
    mutating func check<C: TrialCollective>(_ collective: C, _ interruptRequested: () -> Bool) throws -> Bool {
        if interruptRequested() {
            stopSeen = true
            if !posted {
                posted = true
                try collective.postStopNotice()
            }
        }
        if try collective.takeStopNotice() { stopSeen = true }
        return stopSeen
    }
}
