/// The few collective operations the engine needs from a group of ranks. The engine speaks
/// bytes; the MPI implementation maps them onto MPI_Bcast/MPI_Gatherv, the in-process one onto
/// threads. Every call is collective: all ranks of the group must make it, in the same order.
public protocol TrialCollective: Sendable {
    var rank: Int { get }
    var size: Int { get }
    /// Returns root's bytes on every rank (the argument is ignored on the other ranks).
    func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8]
    /// Gathers every rank's bytes on rank 0, in rank order; nil on the other ranks.
    func gatherToRoot(_ bytes: [UInt8]) throws -> [[UInt8]]?
    func barrier() throws
    /// Tells every other rank, without waiting, that a stop was requested on this one (a rank
    /// that got SIGTERM while the others compute). Not collective.
    func postStopNotice() throws
    /// Whether another rank posted a stop notice that this rank has not taken yet; never
    /// blocks. Not collective.
    func takeStopNotice() throws -> Bool
    /// Ends the whole group with the line "kdmc: rank R: message"; never returns. MPI: prints
    /// it and calls MPI_Abort. In process: throws `CollectiveError.aborted(line)` on this rank
    /// and from every other rank's pending or next collective call, so tests can read it.
    func abort(_ message: String, code: Int32) throws -> Never
}

public enum CollectiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Some rank called `abort`; the message is that rank's line.
    case aborted(String)
    /// A message had the wrong size or form (a bug or a mismatched peer).
    case malformedMessage(String)

    public var description: String {
        switch self {
        case .aborted(let message): return "aborted: \(message)"
        case .malformedMessage(let what): return "malformed collective message: \(what)"
        }
    }
}

extension TrialCollective {
    public var isRoot: Bool { rank == 0 }
}
