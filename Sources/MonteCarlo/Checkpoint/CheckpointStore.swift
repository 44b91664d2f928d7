internal import Glibc

/// Reads and writes one checkpoint file. Writes are atomic: the bytes go to a temporary file
/// in the same folder, which is fsynced and renamed over the final name (then the folder is
/// fsynced), so the final name always holds either the old or the new complete checkpoint.
public struct CheckpointStore: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    var temporaryPath: String { path + ".tmp" }

    public func exists() -> Bool {
        access(path, F_OK) == 0
    }

    public func write(_ checkpoint: Checkpoint) throws(CheckpointError) {
        try write(checkpoint, failBeforeRename: false)
    }

    /// `failBeforeRename` lets tests stop between the temporary file and the rename, as a
    /// crash there would.
    func write(_ checkpoint: Checkpoint, failBeforeRename: Bool) throws(CheckpointError) {
        let bytes = checkpoint.encoded()
        let tmp = temporaryPath
        let fd = try call("open \(tmp)") { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        do {
            var offset = 0
            while offset < bytes.count {
                let written = try call("write \(tmp)") {
                    bytes.withUnsafeBytes { raw in
                        Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    }
                }
                offset += Int(written)
            }
            _ = try call("fsync \(tmp)") { fsync(fd) }
        } catch {
            _ = close(fd)
            _ = unlink(tmp)
            throw error
        }
        _ = try call("close \(tmp)") { close(fd) }
        if failBeforeRename {
            throw .io(path: path, operation: "rename", reason: "simulated failure before rename")
        }
        _ = try call("rename \(tmp) to \(path)") { rename(tmp, path) }
        let folder = Self.folder(of: path)
        if let dirfd = try? call("open \(folder)", { open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }) {
            _ = fsync(dirfd)
            _ = close(dirfd)
        }
    }

    public func read() throws(CheckpointError) -> Checkpoint {
        guard exists() else { throw .missing(path: path) }
        let fd = try call("open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { _ = close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try call("read \(path)") {
                chunk.withUnsafeMutableBytes { raw in
                    Glibc.read(fd, raw.baseAddress!, raw.count)
                }
            }
            if n == 0 { break }
            bytes += chunk[0..<Int(n)]
        }
        return try Checkpoint.decode(bytes, path: path)
    }

    /// Reads the checkpoint and refuses it unless it belongs to this run.
    public func load(fingerprint: RunFingerprint, blockSize: Int, pointCount: Int,
                     groups: [[Int]] = []) throws(CheckpointError) -> Checkpoint {
        let checkpoint = try read()
        let stats = checkpoint.statistics
        if stats.blockSize != blockSize {
            throw .mismatch(path: path, field: "block size", expected: "\(blockSize)", found: "\(stats.blockSize)")
        }
        if stats.points.count != pointCount {
            throw .mismatch(path: path, field: "number of curve points", expected: "\(pointCount)", found: "\(stats.points.count)")
        }
        if stats.groupPoints != groups {
            throw .mismatch(path: path, field: "covariance groups", expected: "\(groups.count) groups",
                            found: "\(stats.groups.count) groups (other points)")
        }
        if checkpoint.fingerprint != fingerprint {
            throw .mismatch(path: path, field: "fingerprint (configuration and seed)",
                            expected: fingerprint.hex, found: checkpoint.fingerprint.hex)
        }
        return checkpoint
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// Every system call of the store goes through here: −1 becomes a typed error with errno's text.
    private func call<R: BinaryInteger>(_ operation: String, _ body: () -> R) throws(CheckpointError) -> R {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw .io(path: path, operation: operation, reason: String(cString: strerror(code)))
        }
    }
}
