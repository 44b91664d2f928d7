import Foundation
internal import CMPI

/// The single path by which this layer calls the MPI library.
///
/// It checks the return code (every handle the wrapper gives out has MPI_ERRORS_RETURN, so
/// failures come back here instead of killing the job) and, below MPI_THREAD_MULTIPLE, holds a
/// process-wide lock so that concurrent Swift tasks never enter MPI at the same time.
enum CCall {
    private static let lock = NSLock()

    /// `locking: false` is for calls that MPI allows at any time (MPI_Initialized) and for
    /// MPI_Abort, which must not wait behind a thread blocked in a collective.
    static func run(_ function: StaticString, locking: Bool = true,
                    _ body: () -> Int32) throws(MPIError) {
        let needsLock = locking && MPIRuntime.needsCallLock
        if needsLock { lock.lock() }
        let code = body()
        let error = code == kdmc_success() ? nil : describe(code: code, function: "\(function)")
        if needsLock { lock.unlock() }
        if let error { throw error }
    }

    /// Turns a failing return code into the typed error, with the library's class and message.
    /// MPI_Error_class and MPI_Error_string are the only calls made outside `run`: they report on
    /// a failure and cannot recurse into it.
    static func describe(code: Int32, function: String) -> MPIError {
        var errorClass: Int32 = 0
        if MPI_Error_class(code, &errorClass) != kdmc_success() { errorClass = code }
        var buffer = [CChar](repeating: 0, count: Int(kdmc_max_error_string()) + 1)
        var length: Int32 = 0
        let message: String
        if MPI_Error_string(code, &buffer, &length) == kdmc_success() {
            let count = max(0, min(Int(length), buffer.count - 1))
            message = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            message = "MPI error code \(code)"
        }
        return MPIError(reason: .library(MPIError.ErrorClass(rawValue: errorClass)),
                        function: function, message: message)
    }
}
