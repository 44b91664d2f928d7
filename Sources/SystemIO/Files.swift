internal import Glibc

/// What a path names, from lstat's mode (a symbolic link is followed: stat).
package enum FileKind: Sendable, Equatable {
    case regular(size: Int)
    case directory
    case fifo
    case characterDevice
    case blockDevice
    case socket
    case other
    case missing

    /// How the kind is named in a message ("a directory", "a FIFO (named pipe)").
    package var phrase: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a directory"
        case .fifo: "a FIFO (named pipe)"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        case .other: "not a regular file"
        case .missing: "missing"
        }
    }

    init(mode: mode_t, size: Int) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular(size: size)
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        default: self = .other
        }
    }
}

/// The file operations outputs, checkpoints and inputs use, each through ``SystemCall``.
package enum Files {
    /// The kind of `path` (following links); `.missing` when nothing is there.
    package static func kind(_ path: String) throws(SystemError) -> FileKind {
        var info = stat()
        if stat(path, &info) == 0 { return FileKind(mode: info.st_mode, size: Int(info.st_size)) }
        let code = errno
        if code == ENOENT || code == ENOTDIR { return .missing }
        throw SystemError(operation: "stat", path: path, code: code)
    }

    package static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Why a regular file cannot be read, refused before it is opened for reading: a FIFO
    /// would block, /dev/zero would never end, a directory has no bytes.
    package enum ReadProblem: Error, Sendable, Equatable, CustomStringConvertible {
        case missing(path: String)
        case notRegular(path: String, kind: FileKind)
        case tooLarge(path: String, size: Int, limit: Int)
        case system(SystemError)

        package var description: String {
            switch self {
            case .missing(let path): "\(path) does not exist"
            case .notRegular(let path, let kind): "\(path) is \(kind.phrase), not a regular file"
            case .tooLarge(let path, let size, let limit): "\(path) is \(size) bytes, more than the \(limit) bytes a data file may have"
            case .system(let error): "cannot read \(error.path): \(error.reason)"
            }
        }
    }

    /// Data files larger than this are refused (the whole file is held in memory).
    package static let readLimit = 1 << 32

    /// Reads a regular file whole. The file is opened non-blocking and checked with fstat
    /// before any read, so a FIFO or a device is refused at once instead of hanging.
    package static func readRegular(_ path: String, limit: Int = readLimit) throws(ReadProblem) -> [UInt8] {
        let fd: Int32
        do {
            fd = try SystemCall.check("open", path) { open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) }
        } catch {
            if error.code == ENOENT || error.code == ENOTDIR { throw .missing(path: path) }
            throw .system(error)
        }
        defer { _ = close(fd) }
        var info = stat()
        do {
            try SystemCall.check("fstat", path) { fstat(fd, &info) }
        } catch {
            throw .system(error)
        }
        let kind = FileKind(mode: info.st_mode, size: Int(info.st_size))
        guard case .regular(let size) = kind else { throw .notRegular(path: path, kind: kind) }
        guard size <= limit else { throw .tooLarge(path: path, size: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        // The size may change while reading; read to end of file, growing if needed.
        while true {
            if offset == bytes.count {
                if bytes.count >= limit { throw .tooLarge(path: path, size: bytes.count + 1, limit: limit) }
                bytes += [UInt8](repeating: 0, count: max(1 << 16, bytes.count / 2))
            }
            let got: Int
            do {
                got = try SystemCall.check("read", path) {
                    bytes.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + offset, raw.count - offset) }
                }
            } catch {
                throw .system(error)
            }
            if got == 0 { break }
            offset += got
        }
        bytes.removeSubrange(offset...)
        return bytes
    }

    /// Writes `bytes` so that `path` holds either its old content or all of the new: the bytes
    /// go to a temporary file beside it, which is fsynced, renamed over `path`, and the folder
    /// fsynced. On any failure the temporary file is removed and `path` is untouched.
    ///
    /// - Parameter failBeforeRename: stops between the temporary file and the rename, as a
    ///   crash there would (tests).
    package static func writeAtomically(_ bytes: some Collection<UInt8>, to path: String,
                                        failBeforeRename: Bool = false) throws(SystemError) {
        let temporary = temporaryPath(for: path)
        // Errors name the file the caller writes, not its temporary name.
        let fd = try SystemCall.check("open", path) {
            open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        do {
            try writeAll(fd, Array(bytes), path: temporary)
            try SystemCall.check("fsync", temporary) { fsync(fd) }
        } catch {
            _ = close(fd)
            _ = unlink(temporary)
            throw SystemError(operation: error.operation, path: path, code: error.code)
        }
        do throws(SystemError) {
            try SystemCall.check("close", temporary) { close(fd) }
            if failBeforeRename { throw SystemError(operation: "rename (simulated failure)", path: path, code: EIO) }
            try SystemCall.check("rename", path) { Glibc.rename(temporary, path) }
        } catch {
            _ = unlink(temporary)
            throw SystemError(operation: error.operation, path: path, code: error.code)
        }
        syncFolder(of: path)
    }

    /// The temporary name beside `path` that ``writeAtomically`` uses (a dot file, so that a
    /// listing of the folder does not show it as an output).
    package static func temporaryPath(for path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." + path + ".partial" }
        return String(path[...slash]) + "." + String(path[path.index(after: slash)...]) + ".partial"
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try SystemCall.check("write", path) {
                bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, raw.count - offset) }
            }
            offset += written
        }
    }

    /// Makes a rename durable; a folder that cannot be opened (no permission to read it) is
    /// left to the file system's own ordering.
    package static func syncFolder(of path: String) {
        let folder = folder(of: path)
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }

    package static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// Creates `path` and its missing parents (mode 0755); an existing folder is fine.
    package static func makeFolder(_ path: String) throws(SystemError) {
        if case .directory = try kind(path) { return }
        let parent = folder(of: path)
        if parent != path && parent != "." && parent != "/" {
            if case .missing = try kind(parent) { try makeFolder(parent) }
        }
        do {
            try SystemCall.check("mkdir", path) { mkdir(path, 0o755) }
        } catch where error.code == EEXIST {
            guard case .directory = try kind(path) else {
                throw SystemError(operation: "mkdir (a file of that name exists)", path: path, code: ENOTDIR)
            }
        }
    }

    package static func rename(_ from: String, to: String) throws(SystemError) {
        try SystemCall.check("rename to \(to)", from) { Glibc.rename(from, to) }
    }

    /// Removes a file; one that is already gone is fine.
    package static func remove(_ path: String) throws(SystemError) {
        do {
            try SystemCall.check("unlink", path) { unlink(path) }
        } catch where error.code == ENOENT {}
    }

    /// Removes an empty folder; one that is gone or still holds files is left as it is.
    package static func removeFolderIfEmpty(_ path: String) {
        _ = rmdir(path)
    }

    /// Names in a folder (without . and ..); empty when the folder does not exist.
    package static func list(_ path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else {
            let code = errno
            if code == ENOENT { return [] }
            throw SystemError(operation: "opendir", path: path, code: code)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
