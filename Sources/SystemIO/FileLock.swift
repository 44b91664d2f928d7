internal import Glibc

/// An exclusive advisory lock (flock) on a file, held until ``release()`` or the process ends;
/// the kernel drops it when the process dies, so a crashed run never leaves a folder locked.
/// The file holds the holder's process id, for the message a second run prints.
package final class FileLock {
    package let path: String
    private var fd: Int32

    /// Why the lock was not taken.
    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Another process holds it; `holder` is the process id written in the file, if any.
        case held(path: String, holder: String?)
        case system(SystemError)

        package var description: String {
            switch self {
            case .held(let path, let holder):
                "\(path) is locked by another process\(holder.map { " (pid \($0))" } ?? "")"
            case .system(let error): error.description
            }
        }
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Takes the lock without waiting.
    package static func acquire(_ path: String) throws(Failure) -> FileLock {
        let fd: Int32
        do {
            fd = try SystemCall.check("open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        } catch {
            throw .system(error)
        }
        do {
            try SystemCall.check("flock", path) { flock(fd, LOCK_EX | LOCK_NB) }
        } catch {
            var buffer = [UInt8](repeating: 0, count: 32)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
            _ = close(fd)
            if error.code == EWOULDBLOCK {
                let text = got > 0 ? String(decoding: buffer[..<got], as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines) : ""
                throw .held(path: path, holder: text.isEmpty ? nil : text)
            }
            throw .system(error)
        }
        let pid = Array("\(getpid())\n".utf8)
        do {
            try SystemCall.check("ftruncate", path) { ftruncate(fd, 0) }
            _ = try SystemCall.check("write", path) { pid.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) } }
        } catch {
            _ = close(fd)
            throw .system(error)
        }
        return FileLock(path: path, fd: fd)
    }

    package func release() {
        guard fd >= 0 else { return }
        _ = close(fd)
        fd = -1
    }

    deinit { release() }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension Set<Character> {
    fileprivate static let whitespacesAndNewlines: Set<Character> = [" ", "\n", "\t", "\r"]
}
