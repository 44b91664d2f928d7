import Foundation
import MPI
import Testing

/// The world communicator of the test process. MPI is initialized once, on first use, and
/// finalized at exit by the runtime (never in the middle of a run).
let testWorld: Communicator = {
    do {
        try MPIRuntime.initialize(threadLevel: .serialized)
    } catch {
        MPIRuntime.abort("MPI tests cannot initialize MPI: \(error)")
    }
    return Communicator.world
}()

/// Counts the MPI tests running right now, to check that the `.serialized` parent suite really
/// keeps collectives from running concurrently (ranks must enter them in the same order).
private final class ActiveTests: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func enter() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count - 1
    }

    func leave() {
        lock.lock()
        defer { lock.unlock() }
        count -= 1
    }
}

private let activeTests = ActiveTests()

/// Runs one MPI test body with the world communicator, recording an issue if another MPI test
/// was running at the same time.
func withWorld(_ body: (Communicator) throws -> Void) throws {
    let world = testWorld
    let concurrent = activeTests.enter()
    defer { activeTests.leave() }
    #expect(concurrent == 0, "another MPI test was running concurrently")
    try body(world)
}

/// Runs `body` and returns the `MPIError` it throws, recording an issue if it throws nothing.
func mpiError(_ body: () throws -> Void) -> MPIError? {
    do {
        try body()
    } catch let error as MPIError {
        return error
    } catch {
        Issue.record("expected an MPIError, got \(type(of: error)): \(error)")
        return nil
    }
    Issue.record("expected an MPIError, but the call succeeded")
    return nil
}

/// Parent of every MPI suite. `.serialized` is inherited by the nested suites, so no two tests
/// that enter collectives run at the same time, and every rank runs them in the same order.
@Suite(.serialized) struct MPITests {}
