internal import CBLAS

// Vector helpers on `[Double]`, as free functions named after their BLAS level-1 routines.

/// xᵀy.
public func dot(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "dot: lengths differ (\(x.count) vs \(y.count))")
    return x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
            cblas_ddot(cInt(x.count), xp.baseAddress, 1, yp.baseAddress, 1)
        }
    }
}

/// ‖x‖₂ via BLAS nrm2, which scales internally: no overflow at 1e200, no underflow at 1e-200.
public func norm2(_ x: [Double]) -> Double {
    x.withUnsafeBufferPointer { xp in
        cblas_dnrm2(cInt(x.count), xp.baseAddress, 1)
    }
}

/// y ← αx + y, in place.
public func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    precondition(x.count == y.count, "axpy: lengths differ (\(x.count) vs \(y.count))")
    let n = cInt(x.count)
    x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
            cblas_daxpy(n, alpha, xp.baseAddress, 1, yp.baseAddress, 1)
        }
    }
}

/// x ← αx, in place.
public func scale(_ alpha: Double, _ x: inout [Double]) {
    let n = cInt(x.count)
    x.withUnsafeMutableBufferPointer { xp in
        cblas_dscal(n, alpha, xp.baseAddress, 1)
    }
}

/// αx as a new vector.
public func scaled(_ alpha: Double, _ x: [Double]) -> [Double] {
    var y = x
    scale(alpha, &y)
    return y
}
