import CCRC32C

/// CRC-32C (Castagnoli), as TFRecord framing uses it: hardware (SSE4.2) when the CPU has it,
/// slicing-by-8 otherwise. `checksum("123456789") == 0xE3069283`.
public enum CRC32C {
    /// The CRC of `bytes`, or of `bytes` appended to data whose CRC was `previous`.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return previous }
        return ccrc32c_extend(previous, base, bytes.count)
    }

    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0)) }) { return crc }
        return Array(bytes).withUnsafeBytes { checksum($0) }
    }

    /// The table-driven path, whatever the CPU (tests compare it with the hardware path).
    public static func portableChecksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return previous }
        return ccrc32c_extend_portable(previous, base, bytes.count)
    }

    public static var usesHardware: Bool { ccrc32c_hardware_available() != 0 }

    /// TFRecord's masking: rotate right by 15 bits and add a constant, so that a CRC stored next to
    /// the data it covers does not checksum to a fixed value.
    @inlinable
    public static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    @inlinable
    public static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- 0xA282_EAD8
        return (rotated >> 17) | (rotated << 15)
    }

    @inlinable
    public static func maskedChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { mask(checksum(bytes)) }

    public static func maskedChecksum(_ bytes: some Sequence<UInt8>) -> UInt32 { mask(checksum(bytes)) }
}
