internal import CLAPACKE

/// A = V Λ Vᵀ for a symmetric A (LAPACK dsyevd, divide and conquer). Only the upper
/// triangle of A is read. Used for matrix functions such as Σ^{1/2}.
public struct SymmetricEigendecomposition: Sendable {
    /// Eigenvalues in ascending order.
    public let eigenvalues: [Double]
    /// Orthonormal eigenvectors: column j belongs to `eigenvalues[j]`.
    public let eigenvectors: Matrix

    public init(_ a: consuming Matrix) throws(LinearAlgebraError) {
        a.checkStorage()
        precondition(a.isSquare, "symmetricEigen: A must be square, got \(a.rows)×\(a.columns)")
        try requireFinite(a, routine: "dsyevd")
        let n = a.rows
        let lda = a.leadingDimension
        var w = [Double](repeating: 0, count: n)
        try a.elements.withUnsafeMutableBufferPointer { (ap) throws(LinearAlgebraError) in
            try w.withUnsafeMutableBufferPointer { (wp) throws(LinearAlgebraError) in
                try lapack("dsyevd", arguments: ["matrix_layout", "jobz", "uplo", "n", "a", "lda", "w"],
                           positive: .noConvergence) {
                    LAPACKE_dsyevd(lapackColumnMajor, lapackChar("V"), lapackChar("U"), cInt(n),
                                   ap.baseAddress, lda, wp.baseAddress)
                }
            }
        }
        self.eigenvalues = w
        self.eigenvectors = a
    }

    /// V f(Λ) Vᵀ, e.g. `applying { $0.squareRoot() }` for A^{1/2}. f is applied to the
    /// eigenvalues as computed: clamp tiny negative ones yourself where f needs it.
    public func applying(_ f: (Double) -> Double) -> Matrix {
        let n = eigenvalues.count
        var scaledVectors = eigenvectors
        for j in 0..<n {
            let s = f(eigenvalues[j])
            for i in 0..<n { scaledVectors.elements[i + j * n] *= s }
        }
        return gemm(scaledVectors, eigenvectors, transposeB: .transposed)
    }
}

/// Eigen-decomposition of a symmetric matrix (upper triangle read).
public func symmetricEigen(_ a: Matrix) throws(LinearAlgebraError) -> SymmetricEigendecomposition {
    try SymmetricEigendecomposition(a)
}
