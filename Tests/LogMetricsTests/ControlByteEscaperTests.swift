import Testing
import LogMetrics

@Suite struct ControlByteEscaperTests {
    @Test func escapesEveryByteBelowSpaceInOctal() {
        #expect(ControlByteEscaper.escaped(Array("a\tb\rc".utf8)) == Array("a#011b#015c".utf8))
        #expect(ControlByteEscaper.escaped([0, 0x1b, 0x08, 0x1f]) == Array("#000#033#010#037".utf8))
        #expect(ControlByteEscaper.escaped([0x7f, 0xff, 0x20]) == [0x7f, 0xff, 0x20])
    }

    @Test func detectsControlBytesAtEveryPosition() {
        for length in 1...40 {
            for position in 0..<length {
                var line = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                line[position] = 0x09
                #expect(line.withUnsafeBytes { ControlByteEscaper.needsEscaping($0) })
            }
            let clean = [UInt8](repeating: 0xC3, count: length)
            #expect(!clean.withUnsafeBytes { ControlByteEscaper.needsEscaping($0) })
        }
    }
}
