internal import SystemIO

/// Reads and writes one checkpoint file. Writes are atomic: the bytes go to a temporary file
/// in the same folder, which is fsynced and renamed over the final name (then the folder is
/// fsynced), so the final name always holds either the old or the new complete checkpoint.
public struct CheckpointStore: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    var temporaryPath: String { Files.temporaryPath(for: path) }

    public func exists() -> Bool {
        Files.exists(path)
    }

    public func write(_ checkpoint: Checkpoint) throws(CheckpointError) {
        try write(checkpoint, failBeforeRename: false)
    }

    /// `failBeforeRename` lets tests stop between the temporary file and the rename, as a
    /// crash there would.
    func write(_ checkpoint: Checkpoint, failBeforeRename: Bool) throws(CheckpointError) {
        do {
            try Files.writeAtomically(checkpoint.encoded(), to: path, failBeforeRename: failBeforeRename)
        } catch {
            throw .io(path: path, operation: error.operation, reason: error.reason)
        }
    }

    public func read() throws(CheckpointError) -> Checkpoint {
        let bytes: [UInt8]
        do {
            bytes = try Files.readRegular(path)
        } catch {
            switch error {
            case .missing: throw .missing(path: path)
            case .system(let e): throw .io(path: path, operation: e.operation, reason: e.reason)
            default: throw .corrupted(path: path, reason: error.description)
            }
        }
        return try Checkpoint.decode(bytes, path: path)
    }

    /// Reads the checkpoint and refuses it unless it belongs to this run.
    public func load(fingerprint: RunFingerprint, blockSize: Int, pointCount: Int) throws(CheckpointError) -> Checkpoint {
        let checkpoint = try read()
        let stats = checkpoint.statistics
        if stats.blockSize != blockSize {
            throw .mismatch(path: path, field: "block size", expected: "\(blockSize)", found: "\(stats.blockSize)")
        }
        if stats.points.count != pointCount {
            throw .mismatch(path: path, field: "number of curve points", expected: "\(pointCount)", found: "\(stats.points.count)")
        }
        if checkpoint.streamVersion != fingerprint.streamVersion {
            throw .streamVersion(path: path, expected: fingerprint.streamVersion, found: checkpoint.streamVersion)
        }
        if checkpoint.fingerprint != fingerprint {
            throw .mismatch(path: path, field: "fingerprint (configuration and seed)",
                            expected: fingerprint.hex, found: checkpoint.fingerprint.hex)
        }
        return checkpoint
    }
}
