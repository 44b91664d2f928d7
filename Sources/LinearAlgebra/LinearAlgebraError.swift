internal import CLAPACKE
internal import CBLAS

/// A LAPACK routine reported failure through its `info` code.
public struct LinearAlgebraError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What `info` means for the routine that returned it.
    public enum Reason: Sendable, Equatable {
        /// info = −i: argument i (1-based, LAPACKE numbering) was illegal. LAPACKE also
        /// reports NaN entries of an input matrix this way.
        case illegalArgument(index: Int, name: String)
        /// dpotrf, info = i > 0: the leading minor of order i is not positive definite.
        case notPositiveDefinite(minor: Int)
        /// dgesv/dgetrf, info = i > 0: U(i, i) is exactly zero, so the matrix is singular.
        case singular(pivot: Int)
        /// dsyevd, info = i > 0: the algorithm failed to converge (i off-diagonal elements).
        case noConvergence(count: Int)
        /// LAPACKE could not allocate its workspace.
        case outOfMemory
        /// The input held ±∞ or NaN at (row, column), found before calling LAPACK
        /// (which would otherwise return NaN factors silently).
        case nonFiniteEntry(row: Int, column: Int, value: Double)
    }

    public let routine: String
    public let info: Int
    public let reason: Reason

    public var description: String {
        switch reason {
        case let .illegalArgument(index, name):
            return "\(routine) failed (info = \(info)): argument \(index) (\(name)) has an illegal value "
                + "or contains NaN; pass finite entries and consistent dimensions"
        case let .notPositiveDefinite(minor):
            return "\(routine) failed (info = \(info)): the leading minor of order \(minor) is not positive "
                + "definite, so the matrix is not symmetric positive definite; check that it is a full-rank "
                + "Gram matrix or add a positive ridge to its diagonal"
        case let .singular(pivot):
            return "\(routine) failed (info = \(info)): U(\(pivot), \(pivot)) is exactly zero, so the matrix "
                + "is singular; the system has no unique solution"
        case let .noConvergence(count):
            return "\(routine) failed (info = \(info)): no convergence, \(count) off-diagonal elements did "
                + "not reach zero; check the input for huge or non-finite entries"
        case let .nonFiniteEntry(row, column, value):
            return "\(routine) not called: input entry (\(row), \(column)) is \(value); "
                + "all entries must be finite"
        case .outOfMemory:
            return "\(routine) failed (info = \(info)): LAPACKE could not allocate its workspace; "
                + "reduce the problem size"
        }
    }
}

extension LinearAlgebraError.Reason {
    // Custom equality so that two NaN entries compare equal as reasons.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case let (.illegalArgument(a, n), .illegalArgument(b, m)): return a == b && n == m
        case let (.notPositiveDefinite(a), .notPositiveDefinite(b)): return a == b
        case let (.singular(a), .singular(b)): return a == b
        case let (.noConvergence(a), .noConvergence(b)): return a == b
        case (.outOfMemory, .outOfMemory): return true
        case let (.nonFiniteEntry(r1, c1, v1), .nonFiniteEntry(r2, c2, v2)):
            return r1 == r2 && c1 == c2 && (v1 == v2 || (v1.isNaN && v2.isNaN))
        default: return false
        }
    }
}

/// Throws `.nonFiniteEntry` for the first ±∞ or NaN of `a` (column-major scan).
internal func requireFinite(_ a: Matrix, routine: String) throws(LinearAlgebraError) {
    if let k = firstNonFiniteIndex(a.elements) {
        throw LinearAlgebraError(routine: routine, info: 0,
                                 reason: .nonFiniteEntry(row: k % a.rows, column: k / a.rows, value: a.elements[k]))
    }
}

/// Index of the first ±∞ or NaN, or nil. Fast path: Σ 0·x_i (BLAS ddot against one zero with
/// stride 0) is ±0 when every x_i is finite and NaN otherwise; only then is the entry located.
internal func firstNonFiniteIndex(_ x: [Double]) -> Int? {
    x.withUnsafeBufferPointer { p -> Int? in
        guard let base = p.baseAddress else { return nil }
        var zero = 0.0
        let chunk = 1 << 30
        var start = 0
        while start < p.count {
            let n = Swift.min(chunk, p.count - start)
            let s = cblas_ddot(Int32(n), base + start, 1, &zero, 0)
            if !s.isFinite {
                for k in start..<(start + n) where !p[k].isFinite { return k }
            }
            start += n
        }
        return nil
    }
}

/// How a routine's positive `info` is to be read.
internal enum PositiveInfo {
    case notPositiveDefinite
    case singular
    case noConvergence
}

/// Every LAPACKE call goes through here: runs `call` and turns a non-zero `info` into a
/// typed error. `arguments` are the routine's LAPACKE argument names, for messages.
internal func lapack(_ routine: String, arguments: [String], positive: PositiveInfo? = nil,
                     _ call: () -> Int32) throws(LinearAlgebraError) {
    let info = Int(call())
    if info == 0 { return }
    let reason: LinearAlgebraError.Reason
    if info == Int(LAPACK_WORK_MEMORY_ERROR) || info == Int(LAPACK_TRANSPOSE_MEMORY_ERROR) {
        reason = .outOfMemory
    } else if info < 0 {
        let index = -info
        let name = index <= arguments.count ? arguments[index - 1] : "?"
        reason = .illegalArgument(index: index, name: name)
    } else {
        switch positive {
        case .notPositiveDefinite: reason = .notPositiveDefinite(minor: info)
        case .singular: reason = .singular(pivot: info)
        case .noConvergence: reason = .noConvergence(count: info)
        case nil: preconditionFailure("\(routine) returned unexpected info = \(info)")
        }
    }
    throw LinearAlgebraError(routine: routine, info: info, reason: reason)
}

/// For calls that can fail only through a programming error in this module (illegal arguments
/// on validated shapes): a failure stops the program with LAPACK's message.
internal func lapackInfallible(_ routine: String, arguments: [String], _ call: () -> Int32) {
    do throws(LinearAlgebraError) {
        try lapack(routine, arguments: arguments, call)
    } catch {
        preconditionFailure(error.description)
    }
}

internal let lapackColumnMajor = Int32(LAPACK_COL_MAJOR)

internal func lapackChar(_ c: Unicode.Scalar) -> CChar { CChar(UInt8(ascii: c)) }
