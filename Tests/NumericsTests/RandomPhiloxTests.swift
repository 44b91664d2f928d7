import Testing
@testable import Numerics

/// Known-answer vectors of Random123 (file `kat_vectors`, lines "philox4x32 10 …"):
/// counter (4 words), key (2 words) → output (4 words).
@Suite struct RandomPhiloxTests {
    @Test func knownAnswerZeros() {
        let out = Philox4x32.block(counter: (0, 0, 0, 0), key: (0, 0))
        #expect(out.0 == 0x6627_e8d5 && out.1 == 0xe169_c58d && out.2 == 0xbc57_ac4c && out.3 == 0x9b00_dbd8)
    }

    @Test func knownAnswerOnes() {
        let m = UInt32.max
        let out = Philox4x32.block(counter: (m, m, m, m), key: (m, m))
        #expect(out.0 == 0x408f_276d && out.1 == 0x41c8_3b0e && out.2 == 0xa20b_c7c6 && out.3 == 0x6d54_51fd)
    }

    @Test func knownAnswerPi() {
        let out = Philox4x32.block(counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344),
                                   key: (0xa409_3822, 0x299f_31d0))
        #expect(out.0 == 0xd16c_fe09 && out.1 == 0x94fd_cceb && out.2 == 0x5001_e420 && out.3 == 0x2412_6ea1)
    }

    @Test func simdAndTupleFormsAgree() {
        let c = Philox4x32.Counter(1, 2, 3, 4)
        let k = Philox4x32.Key(5, 6)
        let simd = Philox4x32.block(counter: c, key: k)
        let tuple = Philox4x32.block(counter: (1, 2, 3, 4), key: (5, 6))
        #expect(simd == Philox4x32.Counter(tuple.0, tuple.1, tuple.2, tuple.3))
    }

    /// The documented layout: the stream's first block is Philox(counter (0, stream, trial lo, trial hi), key (seed lo, seed hi)).
    @Test func streamLayoutMatchesDocumentation() {
        let seed: UInt64 = 0x0123_4567_89ab_cdef
        let trial: UInt64 = 0xfedc_ba98_7654_3210
        var stream = RandomStream(seed: seed, trial: trial, stream: 7)
        let words = (0..<8).map { _ in stream.nextUInt32() }
        let key = Philox4x32.Key(0x89ab_cdef, 0x0123_4567)
        let b0 = Philox4x32.block(counter: .init(0, 7, 0x7654_3210, 0xfedc_ba98), key: key)
        let b1 = Philox4x32.block(counter: .init(1, 7, 0x7654_3210, 0xfedc_ba98), key: key)
        #expect(words == [b0[0], b0[1], b0[2], b0[3], b1[0], b1[1], b1[2], b1[3]])
    }

    /// The four-lane form used by batched normals is the same bijection, lane by lane.
    @Test func fourBlocksMatchTheScalarBlocks() {
        for (c0, c1, c2, c3, k0, k1): (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) in
            [(0, 0, 0, 0, 0, 0), (7, 1 << 20, 19, 0, 2026, 0), (0xFFFF_FFF0, 0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0xA409_3822, 0x299F_31D0)] {
            let (w0, w1, w2, w3) = Philox4x32.fourBlocks(from: c0, c1, c2, c3, key: k0, k1)
            for q in 0..<4 {
                let b = Philox4x32.block(counter: .init(c0 + UInt32(q), c1, c2, c3), key: .init(k0, k1))
                #expect(w0[q] == b[0] && w1[q] == b[1] && w2[q] == b[2] && w3[q] == b[3])
            }
        }
    }
}
