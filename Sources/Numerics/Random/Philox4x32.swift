/// Philox4x32-10, the counter-based bijection of Salmon, Moraes, Dror and Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3" (SC 2011), as in Random123.
///
/// A counter-based generator has no sequential state: block `k` of any stream is
/// computed directly, so a Monte Carlo trial draws the same numbers on every rank.
public struct Philox4x32: Sendable {
    /// The 128-bit counter, four 32-bit words (word 0 first, as in Random123).
    public typealias Counter = SIMD4<UInt32>
    /// The 64-bit key, two 32-bit words.
    public typealias Key = SIMD2<UInt32>

    static let multiplier0: UInt32 = 0xD251_1F53
    static let multiplier1: UInt32 = 0xCD9E_8D57
    static let weyl0: UInt32 = 0x9E37_79B9
    static let weyl1: UInt32 = 0xBB67_AE85

    /// Number of rounds; 10 is the Random123 default and what the known-answer vectors use.
    public static let rounds = 10

    /// The raw bijection: four output words for one (counter, key) pair.
    public static func block(counter: Counter, key: Key) -> Counter {
        // Scalar words, not SIMD lanes: lane access is not reliably lowered to registers.
        var c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3]
        var k0 = key[0], k1 = key[1]
        for round in 0..<rounds {
            if round > 0 {
                k0 &+= weyl0
                k1 &+= weyl1
            }
            let p0 = UInt64(multiplier0) &* UInt64(c0)
            let p1 = UInt64(multiplier1) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32)
            let lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32)
            let lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return Counter(c0, c1, c2, c3)
    }

    /// Tuple form of ``block(counter:key:)``, matching the published vector layout.
    public static func block(
        counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)
    ) -> (UInt32, UInt32, UInt32, UInt32) {
        let r = block(counter: Counter(counter.0, counter.1, counter.2, counter.3),
                      key: Key(key.0, key.1))
        return (r[0], r[1], r[2], r[3])
    }
}
