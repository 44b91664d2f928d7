internal import Glibc

/// A failed system call: which call, on which path, and errno. Every system call of the
/// project goes through ``SystemCall`` so that a failure always carries these three and reads
/// as one line ("cannot write runs/x/curves.csv: write failed: No space left on device").
package struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call, as a user would name the step: "open", "write", "rename to …".
    package var operation: String
    package var path: String
    package var code: Int32

    package init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// strerror's text for the code.
    package var reason: String { String(cString: strerror(code)) }

    package var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }

    package var description: String { "\(path): \(operation) failed: \(reason)" }
}

/// swift-system's `valueOrErrno` pattern: a call that returns −1 on failure becomes a thrown
/// ``SystemError`` with errno, and a call interrupted by a signal (EINTR) is retried, since a
/// run installs handlers for SIGTERM and SIGUSR1.
package enum SystemCall {
    @discardableResult
    package static func check<R: BinaryInteger>(_ operation: String, _ path: String,
                                                _ body: () -> R) throws(SystemError) -> R {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemError(operation: operation, path: path, code: code)
        }
    }

    /// For the calls that return an error number instead of setting errno (pthread_*).
    package static func checkReturned(_ operation: String, _ path: String,
                                      _ body: () -> Int32) throws(SystemError) {
        let code = body()
        if code != 0 { throw SystemError(operation: operation, path: path, code: code) }
    }
}
