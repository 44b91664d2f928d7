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
        let r = block(counter[0], counter[1], counter[2], counter[3], key: key[0], key[1])
        return Counter(r.0, r.1, r.2, r.3)
    }

    /// The bijection on scalar words (what the streams call: SIMD lane access is not reliably
    /// lowered to registers, and is slow in unoptimised builds).
    @inline(__always)
    static func block(_ counter0: UInt32, _ counter1: UInt32, _ counter2: UInt32, _ counter3: UInt32,
                      key key0: UInt32, _ key1: UInt32) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = counter0, c1 = counter1, c2 = counter2, c3 = counter3
        var k0 = key0, k1 = key1
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
        return (c0, c1, c2, c3)
    }

    /// Four consecutive blocks at once, counters (c0 + q, c1, c2, c3) for q = 0…3 (c0 + 3 must
    /// not wrap): lane q of result word w is word w of block q. The same bijection as
    /// ``block(counter:key:)`` on four lanes, so that the products vectorise.
    @inline(__always)
    static func fourBlocks(from counter0: UInt32, _ counter1: UInt32, _ counter2: UInt32, _ counter3: UInt32,
                           key key0: UInt32, _ key1: UInt32)
        -> (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>) {
        var c = (SIMD4<UInt32>(repeating: counter0) &+ SIMD4<UInt32>(0, 1, 2, 3), SIMD4<UInt32>(repeating: counter1),
                 SIMD4<UInt32>(repeating: counter2), SIMD4<UInt32>(repeating: counter3))
        // The ten rounds written out, so that the round keys are constants added to the key.
        fourLaneRound(&c, key0, key1)
        fourLaneRound(&c, key0 &+ weyl0, key1 &+ weyl1)
        fourLaneRound(&c, key0 &+ 2 &* weyl0, key1 &+ 2 &* weyl1)
        fourLaneRound(&c, key0 &+ 3 &* weyl0, key1 &+ 3 &* weyl1)
        fourLaneRound(&c, key0 &+ 4 &* weyl0, key1 &+ 4 &* weyl1)
        fourLaneRound(&c, key0 &+ 5 &* weyl0, key1 &+ 5 &* weyl1)
        fourLaneRound(&c, key0 &+ 6 &* weyl0, key1 &+ 6 &* weyl1)
        fourLaneRound(&c, key0 &+ 7 &* weyl0, key1 &+ 7 &* weyl1)
        fourLaneRound(&c, key0 &+ 8 &* weyl0, key1 &+ 8 &* weyl1)
        fourLaneRound(&c, key0 &+ 9 &* weyl0, key1 &+ 9 &* weyl1)
        return c
    }

    @inline(__always)
    static func fourLaneRound(_ c: inout (SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>, SIMD4<UInt32>),
                              _ k0: UInt32, _ k1: UInt32) {
        let p0 = SIMD4<UInt64>(repeating: UInt64(multiplier0)) &* SIMD4<UInt64>(truncatingIfNeeded: c.0)
        let p1 = SIMD4<UInt64>(repeating: UInt64(multiplier1)) &* SIMD4<UInt64>(truncatingIfNeeded: c.2)
        let hi0 = SIMD4<UInt32>(truncatingIfNeeded: p0 &>> 32), lo0 = SIMD4<UInt32>(truncatingIfNeeded: p0)
        let hi1 = SIMD4<UInt32>(truncatingIfNeeded: p1 &>> 32), lo1 = SIMD4<UInt32>(truncatingIfNeeded: p1)
        c = (hi1 ^ c.1 ^ SIMD4(repeating: k0), lo1, hi0 ^ c.3 ^ SIMD4(repeating: k1), lo0)
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
