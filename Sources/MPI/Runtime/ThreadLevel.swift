internal import CMPI

/// How much threading MPI supports; the library may provide less than was asked for.
package enum ThreadLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// One thread in the process.
    case single
    /// Many threads, but only the main one calls MPI.
    case funneled
    /// Many threads call MPI, one at a time.
    case serialized
    /// Many threads call MPI at once.
    case multiple

    package static func < (lhs: ThreadLevel, rhs: ThreadLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    package var description: String {
        switch self {
        case .single: "MPI_THREAD_SINGLE"
        case .funneled: "MPI_THREAD_FUNNELED"
        case .serialized: "MPI_THREAD_SERIALIZED"
        case .multiple: "MPI_THREAD_MULTIPLE"
        }
    }

    var cValue: Int32 {
        switch self {
        case .single: kdmc_thread_single()
        case .funneled: kdmc_thread_funneled()
        case .serialized: kdmc_thread_serialized()
        case .multiple: kdmc_thread_multiple()
        }
    }

    /// Reads a level back from MPI; an unknown value is treated as the weakest guarantee.
    init(cValue: Int32) {
        self = ThreadLevel.allCases.first { $0.cValue == cValue } ?? .single
    }
}
