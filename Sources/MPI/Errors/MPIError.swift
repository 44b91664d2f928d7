internal import CMPI

/// The one error every call of this layer throws, so callers handle MPI failures in one place.
package struct MPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in terms a caller can act on.
    package enum Reason: Sendable, Equatable {
        /// An MPI call returned an error code; its class says which kind.
        case library(ErrorClass)
        /// The launcher announced `tasks` processes in `variable` but MPI sees `worldSize`.
        case launchMismatch(variable: String, tasks: Int, worldSize: Int)
        /// A `Codable` value could not be encoded at the sender or decoded at a receiver.
        case serialization
        /// MPI was used after `finalize()`; an MPI process cannot be initialized twice.
        case finalized
    }

    package let reason: Reason
    /// The MPI function (or wrapper operation) that failed.
    package let function: String
    /// The library's own message (MPI_Error_string) or the wrapper's explanation.
    package let message: String

    package init(reason: Reason, function: String, message: String) {
        self.reason = reason
        self.function = function
        self.message = message
    }

    /// The MPI error class when the failure came from the library.
    package var errorClass: ErrorClass? {
        if case .library(let errorClass) = reason { return errorClass }
        return nil
    }

    package var description: String {
        switch reason {
        case .library(let errorClass):
            return "\(function) failed: \(message) (MPI error class \(errorClass.rawValue))"
        default:
            return "\(function): \(message)"
        }
    }
}

extension MPIError {
    /// An MPI error class (MPI_Error_class), kept as its integer so that no C type leaks out.
    package struct ErrorClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }

        package static let buffer = ErrorClass(rawValue: kdmc_err_buffer())
        package static let count = ErrorClass(rawValue: kdmc_err_count())
        package static let type = ErrorClass(rawValue: kdmc_err_type())
        package static let tag = ErrorClass(rawValue: kdmc_err_tag())
        package static let communicator = ErrorClass(rawValue: kdmc_err_comm())
        package static let rank = ErrorClass(rawValue: kdmc_err_rank())
        package static let root = ErrorClass(rawValue: kdmc_err_root())
        package static let operation = ErrorClass(rawValue: kdmc_err_op())
        package static let argument = ErrorClass(rawValue: kdmc_err_arg())
        package static let truncate = ErrorClass(rawValue: kdmc_err_truncate())
        package static let other = ErrorClass(rawValue: kdmc_err_other())
        package static let `internal` = ErrorClass(rawValue: kdmc_err_intern())

        package var description: String {
            switch self {
            case .buffer: "MPI_ERR_BUFFER"
            case .count: "MPI_ERR_COUNT"
            case .type: "MPI_ERR_TYPE"
            case .tag: "MPI_ERR_TAG"
            case .communicator: "MPI_ERR_COMM"
            case .rank: "MPI_ERR_RANK"
            case .root: "MPI_ERR_ROOT"
            case .operation: "MPI_ERR_OP"
            case .argument: "MPI_ERR_ARG"
            case .truncate: "MPI_ERR_TRUNCATE"
            case .other: "MPI_ERR_OTHER"
            case .internal: "MPI_ERR_INTERN"
            default: "MPI error class \(rawValue)"
            }
        }
    }
}
