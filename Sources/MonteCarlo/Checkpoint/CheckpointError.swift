/// Why a checkpoint could not be written or used.
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (path, the call, strerror text).
    case io(path: String, operation: String, reason: String)
    case missing(path: String)
    /// The file is not a complete checkpoint of this format.
    case corrupted(path: String, reason: String)
    /// The checkpoint belongs to another run (different configuration, seed, block size…).
    case mismatch(path: String, field: String, expected: String, found: String)
    /// The checkpoint's trials drew from another version of the random streams, so the same
    /// trial indices would give other numbers here.
    case streamVersion(path: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .io(let path, let operation, let reason):
            return "checkpoint \(path): \(operation) failed: \(reason)"
        case .missing(let path):
            return "checkpoint \(path) does not exist; run without --resume to start a new run"
        case .corrupted(let path, let reason):
            return "checkpoint \(path) is corrupted (\(reason)); delete it and start a new run"
        case .mismatch(let path, let field, let expected, let found):
            return "checkpoint \(path) is from another run: \(field) is \(found), this run has \(expected); "
                + "resume with the same configuration and seed, or start a new run"
        case .streamVersion(let path, let expected, let found):
            return "checkpoint \(path) was written with random stream version \(found), and this kdmc draws "
                + "version \(expected): its trials would continue with different random numbers; "
                + "resume it with the kdmc that wrote it, or start a new run"
        }
    }
}
