internal import CMPI

/// The elementwise reductions the engine needs.
package enum ReductionOperation: Sendable, CaseIterable {
    case sum, min, max

    var handle: OpaquePointer {
        let op = switch self {
        case .sum: kdmc_op_sum()
        case .min: kdmc_op_min()
        case .max: kdmc_op_max()
        }
        guard let op else { preconditionFailure("MPI returned a null operation handle") }
        return op
    }
}
