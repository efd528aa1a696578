import Testing
@testable import TensorIO

@Suite struct CRC32CTests {
    /// Known answers: the "check" value of CRC-32C, and RFC 3720 (iSCSI) appendix B.4 vectors.
    static let vectors: [([UInt8], UInt32)] = {
        let ascending: [UInt8] = (0..<32).map { UInt8($0) }
        return [
            (Array("123456789".utf8), 0xE306_9283),
            ([], 0),
            ([UInt8](repeating: 0, count: 32), 0x8A91_36AA),
            ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43),
            (ascending, 0x46DD_794E),
            (ascending.reversed(), 0x113F_DB5C),
        ]
    }()

    @Test(arguments: vectors)
    func knownVectors(input: [UInt8], expected: UInt32) {
        #expect(CRC32C.checksum(input) == expected)
        #expect(input.withUnsafeBytes { CRC32C.portableChecksum($0) } == expected)
    }

    @Test func hardwareAndPortableAgreeOnEveryLengthAndAlignment() {
        var rng = SplitMix64(seed: 42)
        let data = (0..<4099).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 100, 1000, 4090] {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.checksum(slice) == CRC32C.portableChecksum(slice))
                }
            }
        }
    }

    @Test func continuingEqualsWhole() {
        let data = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(data)
        data.withUnsafeBytes { raw in
            for cut in 0...data.count {
                let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<cut]))
                let both = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[cut...]), continuing: first)
                #expect(both == whole)
            }
        }
        #expect(whole == 0x2262_0404)
    }

    @Test func maskingMatchesTensorFlow() {
        // masked = rotr(crc, 15) + 0xa282ead8
        #expect(CRC32C.mask(0) == 0xA282_EAD8)
        #expect(CRC32C.mask(0xE306_9283) == 0xC78A_B0E5)   // computed with the oracle's masked_crc32c
        for crc: UInt32 in [0, 1, 0xFFFF_FFFF, 0xE306_9283, 0x1234_5678] {
            #expect(CRC32C.unmask(CRC32C.mask(crc)) == crc)
        }
        // smdebug's payload-CRC constant: the masked CRC of the ten bytes "0x12345678".
        #expect(CRC32C.maskedChecksum(Array("0x12345678".utf8)) == TFRecord.smdebugConstantChecksum)
        #expect(TFRecord.smdebugConstantChecksum == 0x062D_C0B3)
    }
}

/// A small deterministic generator for test data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
