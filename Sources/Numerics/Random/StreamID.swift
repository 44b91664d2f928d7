/// Named random streams, so that each use of randomness in a trial draws from its own
/// stream and adding a draw in one place never shifts the numbers used in another.
///
/// The raw value occupies the high bits of the 32-bit stream word; ``RandomStream``
/// composes it with a sub-index (a student, a layer, a prefix) in the low 20 bits.
public enum StreamID: UInt64, Sendable, CaseIterable {
    /// Points of the transfer set (the nested prefixes of one trial).
    case transferSet = 1
    /// The teacher vector w*.
    case teacher = 2
    /// Student initializations θ(0).
    case studentInit = 3
    /// Held-out points for Monte Carlo risk estimates.
    case heldOut = 4
    /// Off-span directions for the w_δ comparison minimizers.
    case offSpan = 5
    /// Row selection and splits of a data file.
    case datasetSplit = 6
    /// Anything else a geometry needs (radii, signs, mixture components).
    case geometry = 7

    /// Sub-indices available under one identifier: 2^20.
    public static let subIndexLimit: UInt64 = 1 << 20

    /// The 32-bit stream word for sub-index `index`.
    public func stream(index: UInt64 = 0) -> UInt64 {
        precondition(index < StreamID.subIndexLimit,
                     "stream sub-index \(index) must be below \(StreamID.subIndexLimit)")
        return rawValue << 20 | index
    }
}
