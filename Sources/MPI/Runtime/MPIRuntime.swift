import Foundation
internal import CMPI

/// The process's MPI lifetime: MPI can be initialized once and finalized once per process, so
/// this is a namespace over process-wide state guarded by a lock.
package enum MPIRuntime {
    /// Initializes MPI once per process and returns the thread level the library provides.
    ///
    /// Idempotent: later calls return the level provided by the first (or throw its launch
    /// error again). Works as a singleton (no launcher) and under mpirun/srun. Installs
    /// MPI_ERRORS_RETURN on the world and self communicators, registers finalization at exit,
    /// then runs `LaunchCheck` and throws if the launcher announced more tasks than MPI sees.
    @discardableResult
    package static func initialize(threadLevel: ThreadLevel = .serialized) throws(MPIError) -> ThreadLevel {
        state.lock.lock()
        defer { state.lock.unlock() }
        if let provided = state.provided {
            if let launchError = state.launchError { throw launchError }
            return provided
        }
        if state.finalized || flag(MPI_Finalized) {
            throw MPIError(reason: .finalized, function: "MPIRuntime.initialize",
                           message: "MPI was already finalized in this process and cannot be "
                               + "initialized again; initialize once at program start.")
        }
        var provided: Int32 = 0
        if flag(MPI_Initialized) {
            // Someone else (a host library) initialized MPI: adopt it, leave finalizing to them.
            try CCall.run("MPI_Query_thread") { MPI_Query_thread(&provided) }
        } else {
            state.ownsLifetime = true
            try CCall.run("MPI_Init_thread") {
                MPI_Init_thread(nil, nil, threadLevel.cValue, &provided)
            }
        }
        let level = ThreadLevel(cValue: provided)
        for handle in [kdmc_comm_world(), kdmc_comm_self()] {
            try CCall.run("MPI_Comm_set_errhandler") {
                MPI_Comm_set_errhandler(handle, kdmc_errors_return())
            }
        }
        state.provided = level
        if !state.exitHookInstalled {
            state.exitHookInstalled = true
            atexit { MPIRuntime.finalizeAtExit() }
        }
        var worldSize: Int32 = 0
        try CCall.run("MPI_Comm_size") { MPI_Comm_size(kdmc_comm_world(), &worldSize) }
        do {
            try LaunchCheck.verify(environment: ProcessInfo.processInfo.environment,
                                   worldSize: Int(worldSize))
        } catch {
            state.launchError = error
            throw error
        }
        return level
    }

    /// True between initialization and finalization, whoever initialized MPI.
    package static var isInitialized: Bool {
        flag(MPI_Initialized) && !flag(MPI_Finalized)
    }

    /// The thread level MPI provided, or nil before `initialize` (and after `finalize`).
    package static var threadLevel: ThreadLevel? {
        state.lock.lock()
        defer { state.lock.unlock() }
        return state.finalized ? nil : state.provided
    }

    /// Finalizes MPI. Also runs at exit, so most programs never call it. Collective: every rank
    /// must call it, and no communicator may be used afterwards. Does nothing when MPI was
    /// initialized by someone else, who then finalizes it.
    package static func finalize() throws(MPIError) {
        state.lock.lock()
        defer { state.lock.unlock() }
        guard state.ownsLifetime, !state.finalized, !flag(MPI_Finalized) else { return }
        state.finalized = true
        try CCall.run("MPI_Finalize") { MPI_Finalize() }
    }

    /// Ends the whole job: prints one line `kdmc: rank R: message` on stderr and calls
    /// MPI_Abort on the world, so that no other rank hangs in a collective. Before MPI is
    /// initialized (or after it is finalized) it only prints and exits.
    package static func abort(_ message: String, code: Int32 = 1) -> Never {
        state.abortLock.lock()
        state.aborting = true
        state.abortLock.unlock()
        let active = isInitialized
        let rank = active ? worldRank() : launcherRank()
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("kdmc: rank \(rank): \(oneLine)\n".utf8))
        if active {
            // Unlocked: another thread may hold the call lock inside a blocking collective.
            try? CCall.run("MPI_Abort", locking: false) { MPI_Abort(kdmc_comm_world(), code) }
        }
        exit(code)
    }

    /// The MPI library's own version text (MPI_Get_library_version; callable before MPI starts).
    package static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: Int(kdmc_max_library_version_string()) + 1)
        var length: Int32 = 0
        guard (try? CCall.run("MPI_Get_library_version", locking: false) {
            MPI_Get_library_version(&buffer, &length)
        }) != nil else { return "unknown" }
        let count = max(0, min(Int(length), buffer.count - 1))
        let bytes = buffer[..<count].prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// This process's host name (for the run's list of hosts).
    package static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Internals

    /// Below MPI_THREAD_MULTIPLE the wrapper serializes calls itself (see `CCall`).
    static var needsCallLock: Bool {
        state.lock.lock()
        defer { state.lock.unlock() }
        return state.provided.map { $0 < .multiple } ?? true
    }

    private final class State: @unchecked Sendable {
        /// Recursive: `initialize` holds it while it calls MPI through `CCall`, which reads it.
        let lock = NSRecursiveLock()
        var provided: ThreadLevel?
        /// True when `initialize` called MPI_Init_thread, so this layer finalizes.
        var ownsLifetime = false
        var launchError: MPIError?
        var finalized = false
        /// Guards only `aborting`, and is never held across an MPI call, so `abort` cannot wait
        /// behind a thread that holds `lock` inside MPI_Init or MPI_Finalize.
        let abortLock = NSLock()
        var aborting = false
        var exitHookInstalled = false
    }

    private static let state = State()

    private static func finalizeAtExit() {
        state.abortLock.lock()
        let aborting = state.aborting
        state.abortLock.unlock()
        if !aborting { try? finalize() }
    }

    /// MPI_Initialized and MPI_Finalized may be called at any time, from any thread.
    private static func flag(_ query: (UnsafeMutablePointer<Int32>?) -> Int32) -> Bool {
        var value: Int32 = 0
        do {
            try CCall.run("MPI_Initialized/MPI_Finalized", locking: false) { query(&value) }
        } catch {
            return false
        }
        return value != 0
    }

    private static func worldRank() -> Int {
        var rank: Int32 = 0
        do {
            try CCall.run("MPI_Comm_rank", locking: false) { MPI_Comm_rank(kdmc_comm_world(), &rank) }
        } catch {
            return launcherRank()
        }
        return Int(rank)
    }

    /// The rank the launcher assigned, for messages printed before MPI is up.
    private static func launcherRank() -> Int {
        let environment = ProcessInfo.processInfo.environment
        for variable in ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"] {
            if let text = environment[variable], let rank = Int(text) { return rank }
        }
        return 0
    }
}
