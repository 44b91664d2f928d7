internal import CSUNDIALS

/// Vector kernels for SUNDIALS' serial vector, installed in place of its own loops: at the deep
/// flow's sizes (thousands of entries, a gradient of a few microseconds) a CVODE step's cost was
/// mostly those loops (bench/README.md). The reductions (dot product, weighted root mean square)
/// keep eight partial sums in two SIMD registers, where SUNDIALS' add one product at a time at
/// the adder's latency (a compiler may not reorder a floating-point sum); the element-wise
/// operations go four entries at a time also in place. Every sum runs in a fixed order, so
/// results stay deterministic and the same for every rank count; they differ from SUNDIALS' own
/// loops in rounding only (`CVODEVectorKernelsTests`).
enum SerialVectorKernels {
    /// Installs the kernels on `vector`; vectors cloned from it afterwards (CVODE's history
    /// array, GMRES's basis) inherit them.
    static func install(on vector: N_Vector) throws(CVODEError) {
        try sundials("N_VEnableFusedOps_Serial", N_VEnableFusedOps_Serial(vector, 1))
        let ops = vector.pointee.ops!
        ops.pointee.nvdotprod = dotProduct
        ops.pointee.nvdotprodlocal = dotProduct
        ops.pointee.nvwsqrsumlocal = weightedSquareSum
        ops.pointee.nvwrmsnorm = weightedRootMeanSquare
        ops.pointee.nvlinearsum = linearSum
        ops.pointee.nvscale = scale
        ops.pointee.nvconst = constant
        ops.pointee.nvprod = product
        ops.pointee.nvdiv = quotient
        ops.pointee.nvscaleaddmulti = scaleAddMulti
        ops.pointee.nvlinearcombination = linearCombination
    }

    private static func data(_ v: N_Vector?) -> UnsafeMutablePointer<Double> { N_VGetArrayPointer(v)! }
    private static func length(_ v: N_Vector?) -> Int { Int(N_VGetLength(v)) }

    // Element-wise operations four entries at a time, each chunk loaded before it is stored: SUNDIALS
    // calls them mostly in place (z = x or z = y), where a compiler's overlap check would fall back
    // to a scalar loop; exact aliasing is safe here (it never passes vectors that overlap shifted).

    /// z_i = f(x_i, y_i).
    @inline(__always)
    private static func map(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ z: UnsafeMutablePointer<Double>,
                            _ f: (SIMD4<Double>, SIMD4<Double>) -> SIMD4<Double>, _ scalar: (Double, Double) -> Double) {
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y), rz = UnsafeMutableRawPointer(z)
        var i = 0
        while i + 4 <= n {
            let value = f(rx.loadUnaligned(fromByteOffset: 8 * i, as: SIMD4<Double>.self),
                          ry.loadUnaligned(fromByteOffset: 8 * i, as: SIMD4<Double>.self))
            rz.storeBytes(of: value, toByteOffset: 8 * i, as: SIMD4<Double>.self)
            i += 4
        }
        while i < n { z[i] = scalar(x[i], y[i]); i += 1 }
    }

    /// z_i = f(x_i).
    @inline(__always)
    private static func map(_ n: Int, _ x: UnsafePointer<Double>, _ z: UnsafeMutablePointer<Double>,
                            _ f: (SIMD4<Double>) -> SIMD4<Double>, _ scalar: (Double) -> Double) {
        let rx = UnsafeRawPointer(x), rz = UnsafeMutableRawPointer(z)
        var i = 0
        while i + 4 <= n {
            rz.storeBytes(of: f(rx.loadUnaligned(fromByteOffset: 8 * i, as: SIMD4<Double>.self)),
                          toByteOffset: 8 * i, as: SIMD4<Double>.self)
            i += 4
        }
        while i < n { z[i] = scalar(x[i]); i += 1 }
    }

    /// z = a x + b y.
    private static let linearSum: @convention(c) (sunrealtype, N_Vector?, sunrealtype, N_Vector?, N_Vector?) -> Void = { a, x, b, y, z in
        map(length(z), data(x), data(y), data(z), { a * $0 + b * $1 }, { a * $0 + b * $1 })
    }

    /// z = c x.
    private static let scale: @convention(c) (sunrealtype, N_Vector?, N_Vector?) -> Void = { c, x, z in
        map(length(z), data(x), data(z), { c * $0 }, { c * $0 })
    }

    /// z = c.
    private static let constant: @convention(c) (sunrealtype, N_Vector?) -> Void = { c, z in
        let pz = data(z)
        for i in 0..<length(z) { pz[i] = c }
    }

    /// z = x ⊙ y.
    private static let product: @convention(c) (N_Vector?, N_Vector?, N_Vector?) -> Void = { x, y, z in
        map(length(z), data(x), data(y), data(z), { $0 * $1 }, { $0 * $1 })
    }

    /// z = x ⊘ y.
    private static let quotient: @convention(c) (N_Vector?, N_Vector?, N_Vector?) -> Void = { x, y, z in
        map(length(z), data(x), data(y), data(z), { $0 / $1 }, { $0 / $1 })
    }

    /// Z_j = a_j x + Y_j, j < count.
    private static let scaleAddMulti: @convention(c) (Int32, UnsafeMutablePointer<sunrealtype>?, N_Vector?,
                                                      UnsafeMutablePointer<N_Vector?>?, UnsafeMutablePointer<N_Vector?>?) -> Int32 = { count, a, x, y, z in
        let px = data(x), n = length(x)
        for j in 0..<Int(count) {
            let aj = a![j]
            map(n, px, data(y![j]), data(z![j]), { aj * $0 + $1 }, { aj * $0 + $1 })
        }
        return 0
    }

    /// z = Σ_j c_j X_j, j < count (z may be X_0).
    private static let linearCombination: @convention(c) (Int32, UnsafeMutablePointer<sunrealtype>?,
                                                          UnsafeMutablePointer<N_Vector?>?, N_Vector?) -> Int32 = { count, c, x, z in
        let pz = data(z), n = length(z)
        let c0 = c![0], p0 = data(x![0])
        map(n, p0, pz, { c0 * $0 }, { c0 * $0 })
        for j in 1..<max(Int(count), 1) {
            let cj = c![j]
            map(n, data(x![j]), pz, pz, { cj * $0 + $1 }, { cj * $0 + $1 })
        }
        return 0
    }

    private static let dotProduct: @convention(c) (N_Vector?, N_Vector?) -> sunrealtype = { x, y in
        sum(count: length(x), data(x), data(y), squared: false)
    }

    private static let weightedSquareSum: @convention(c) (N_Vector?, N_Vector?) -> sunrealtype = { x, w in
        sum(count: length(x), data(x), data(w), squared: true)
    }

    private static let weightedRootMeanSquare: @convention(c) (N_Vector?, N_Vector?) -> sunrealtype = { x, w in
        (sum(count: length(x), data(x), data(w), squared: true) / Double(length(x))).squareRoot()
    }

    /// Σ a_i b_i, or Σ (a_i b_i)² when `squared`.
    @inline(__always)
    static func sum(count n: Int, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, squared: Bool) -> Double {
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var low = SIMD4<Double>.zero, high = SIMD4<Double>.zero
        var i = 0
        while i + 8 <= n {
            let p = ra.loadUnaligned(fromByteOffset: 8 * i, as: SIMD4<Double>.self)
                * rb.loadUnaligned(fromByteOffset: 8 * i, as: SIMD4<Double>.self)
            let q = ra.loadUnaligned(fromByteOffset: 8 * (i + 4), as: SIMD4<Double>.self)
                * rb.loadUnaligned(fromByteOffset: 8 * (i + 4), as: SIMD4<Double>.self)
            if squared { low += p * p; high += q * q } else { low += p; high += q }
            i += 8
        }
        var total = (low + high).sum()
        while i < n {
            let p = a[i] * b[i]
            total += squared ? p * p : p
            i += 1
        }
        return total
    }
}
