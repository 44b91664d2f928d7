internal import CMPI

/// An element type the collectives can move: maps a Swift type to its MPI datatype, so each
/// collective is written once, generically.
package protocol MPIScalar: BitwiseCopyable, Sendable {
    static var mpiDatatype: MPIDatatype { get }
}

/// An MPI datatype handle. Opaque: only this module creates them, so only the conforming types
/// below (whose layout matches the datatype) can be sent.
package struct MPIDatatype: @unchecked Sendable {
    // Predefined datatype handles are process-wide constants; sharing them across threads is safe.
    let handle: OpaquePointer

    init(_ handle: OpaquePointer?) {
        guard let handle else { preconditionFailure("MPI returned a null datatype handle") }
        self.handle = handle
    }
}

extension Double: MPIScalar {
    package static var mpiDatatype: MPIDatatype { MPIDatatype(kdmc_type_double()) }
}

extension Int64: MPIScalar {
    package static var mpiDatatype: MPIDatatype { MPIDatatype(kdmc_type_int64()) }
}

extension UInt8: MPIScalar {
    package static var mpiDatatype: MPIDatatype { MPIDatatype(kdmc_type_uint8()) }
}

extension Int32: MPIScalar {
    package static var mpiDatatype: MPIDatatype { MPIDatatype(kdmc_type_int32()) }
}

extension Int: MPIScalar {
    package static var mpiDatatype: MPIDatatype {
        // Int is 64 bits on every platform this package supports.
        precondition(MemoryLayout<Int>.size == MemoryLayout<Int64>.size, "Int must be 64 bits")
        return MPIDatatype(kdmc_type_int64())
    }
}
