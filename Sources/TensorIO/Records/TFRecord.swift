/// TFRecord framing, as TensorFlow and smdebug write `.tfevents` files:
///
/// | bytes | content |
/// | --- | --- |
/// | 8 | payload length, UInt64 little-endian |
/// | 4 | masked CRC-32C of those 8 bytes |
/// | n | payload (a serialized Event) |
/// | 4 | masked CRC-32C of the payload, or smdebug's constant (see `PayloadChecksum`) |
public enum TFRecord {
    public static let headerSize = 12
    public static let footerSize = 4
    /// Bytes a record adds around its payload.
    public static let overhead = headerSize + footerSize

    /// What goes into the footer.
    public enum PayloadChecksum: Sendable, Equatable {
        /// The masked CRC-32C of the payload (TensorFlow, TensorBoard).
        case crc32c
        /// smdebug's `CHECKSUM_MAGIC_BYTES` default: the masked CRC-32C of the ten ASCII bytes
        /// `0x12345678`, whatever the payload. smdebug's trial reader *requires* it in `events/`
        /// files and rejects real payload CRCs.
        case smdebugConstant
    }

    /// `mask(crc32c("0x12345678"))`, bytes `b3 c0 2d 06` on disk.
    public static let smdebugConstantChecksum: UInt32 = 0x062D_C0B3

    /// The 12 header bytes for a payload of `length` bytes.
    @inlinable
    public static func header(length: Int) -> (UInt64, UInt32) {
        var le = UInt64(length).littleEndian
        let crc = withUnsafeBytes(of: &le) { CRC32C.maskedChecksum($0) }
        return (UInt64(length), crc)
    }

    /// Appends one framed record to `buffer`.
    public static func append(payload: UnsafeRawBufferPointer, checksum: PayloadChecksum, to buffer: inout [UInt8]) {
        appendHeader(length: payload.count, to: &buffer)
        appendBytes(payload, to: &buffer)
        appendFooter(payload: payload, checksum: checksum, to: &buffer)
    }

    public static func append(payload: [UInt8], checksum: PayloadChecksum, to buffer: inout [UInt8]) {
        payload.withUnsafeBytes { append(payload: $0, checksum: checksum, to: &buffer) }
    }

    public static func appendHeader(length: Int, to buffer: inout [UInt8]) {
        let (len, crc) = header(length: length)
        appendLittleEndian(len, to: &buffer)
        appendLittleEndian(crc, to: &buffer)
    }

    public static func footer(payload: UnsafeRawBufferPointer, checksum: PayloadChecksum) -> UInt32 {
        switch checksum {
        case .crc32c: CRC32C.maskedChecksum(payload)
        case .smdebugConstant: smdebugConstantChecksum
        }
    }

    public static func appendFooter(payload: UnsafeRawBufferPointer, checksum: PayloadChecksum, to buffer: inout [UInt8]) {
        appendLittleEndian(footer(payload: payload, checksum: checksum), to: &buffer)
    }

    /// Appends raw bytes with one memcpy (appending an UnsafeRawBufferPointer as a Sequence goes
    /// byte by byte).
    @inlinable
    static func appendBytes(_ bytes: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        buffer.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }

    @inlinable
    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }
}
