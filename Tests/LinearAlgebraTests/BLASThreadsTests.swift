import Testing
import LinearAlgebra

@Suite struct BLASThreadsTests {
    @Test func settingOneThreadIsReadBack() {
        let before = BLASThreads.current
        #expect(before >= 1)
        BLASThreads.set(1)
        #expect(BLASThreads.current == 1)
        BLASThreads.set(before)
        #expect(BLASThreads.current == before)
    }
}
