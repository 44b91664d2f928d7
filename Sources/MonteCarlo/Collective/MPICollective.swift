internal import MPI

/// The engine's collective over an MPI communicator (the only file of the engine that sees MPI).
public struct MPICollective: TrialCollective {
    private let communicator: Communicator

    /// Uses MPI_COMM_WORLD; MPI must already be initialized (`MPIRuntime.initialize`).
    public init() {
        self.communicator = Communicator.world
    }

    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }

    public func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] {
        // Lengths differ between root and the others, so the count goes first.
        var count = [rank == root ? bytes.count : 0]
        try communicator.broadcast(&count, root: root)
        var buffer = rank == root ? bytes : [UInt8](repeating: 0, count: count[0])
        if count[0] > 0 {
            try communicator.broadcast(&buffer, root: root)
        }
        return buffer
    }

    public func gatherToRoot(_ bytes: [UInt8]) throws -> [[UInt8]]? {
        try communicator.gatherv(bytes, root: 0)
    }

    public func barrier() throws {
        try communicator.barrier()
    }

    /// Point-to-point tag of stop notices (collectives travel in their own context).
    static let stopNoticeTag = 7_001

    public func postStopNotice() throws {
        try communicator.postNotice(tag: Self.stopNoticeTag)
    }

    public func takeStopNotice() throws -> Bool {
        try communicator.takeNotices(tag: Self.stopNoticeTag) > 0
    }

    public func abort(_ message: String, code: Int32) throws -> Never {
        MPIRuntime.abort(message, code: code)
    }
}
