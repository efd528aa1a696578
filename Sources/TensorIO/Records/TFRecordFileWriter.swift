#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends TFRecord-framed payloads to a file through a write buffer; payloads larger than the
/// buffer go straight to the file with one `writev` (header, payload, footer), without a copy.
/// Not thread-safe: one owner at a time.
public final class TFRecordFileWriter {
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var errno: Int32
        public var description: String { "\(path): \(operation): \(String(cString: strerror(errno)))" }
    }

    public let path: String
    public let checksum: TFRecord.PayloadChecksum
    /// Bytes written so far, buffered ones included: where the next record will start.
    public private(set) var offset: Int = 0
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferCapacity: Int

    /// Creates (or truncates) `path`.
    public init(path: String, checksum: TFRecord.PayloadChecksum, bufferCapacity: Int = 256 * 1024) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw Error(path: path, operation: "open", errno: errno) }
        self.fd = fd
        self.path = path
        self.checksum = checksum
        self.bufferCapacity = bufferCapacity
        buffer.reserveCapacity(bufferCapacity)
    }

    deinit { if fd >= 0 { closeDescriptor(fd) } }

    /// Appends one record; returns where it starts and how many bytes it takes (payload + 16).
    @discardableResult
    public func append(payload: UnsafeRawBufferPointer) throws -> (offset: Int, length: Int) {
        let start = offset
        let length = payload.count + TFRecord.overhead
        if buffer.count + length <= bufferCapacity {
            TFRecord.append(payload: payload, checksum: checksum, to: &buffer)
        } else {
            try flushBuffer()
            var header: [UInt8] = []
            header.reserveCapacity(TFRecord.headerSize)
            TFRecord.appendHeader(length: payload.count, to: &header)
            var footer: [UInt8] = []
            TFRecord.appendFooter(payload: payload, checksum: checksum, to: &footer)
            try header.withUnsafeBytes { (h) in
                try footer.withUnsafeBytes { (f) in try writeAll([h, payload, f]) }
            }
        }
        offset += length
        return (start, length)
    }

    /// Appends one record whose payload is the concatenation of `parts` (written without joining
    /// them first: large middle parts go straight to the file).
    @discardableResult
    public func append(parts: [UnsafeRawBufferPointer]) throws -> (offset: Int, length: Int) {
        let payloadLength = parts.reduce(0) { $0 + $1.count }
        let start = offset
        let length = payloadLength + TFRecord.overhead
        var footer: UInt32 = TFRecord.smdebugConstantChecksum
        if checksum == .crc32c {
            var crc: UInt32 = 0
            for p in parts { crc = CRC32C.checksum(p, continuing: crc) }
            footer = CRC32C.mask(crc)
        }
        if buffer.count + length <= bufferCapacity {
            TFRecord.appendHeader(length: payloadLength, to: &buffer)
            for p in parts { TFRecord.appendBytes(p, to: &buffer) }
            TFRecord.appendLittleEndian(footer, to: &buffer)
        } else {
            // Header and small leading parts join the buffer; the first large part flushes it.
            TFRecord.appendHeader(length: payloadLength, to: &buffer)
            for p in parts {
                if p.count < 64 * 1024 {
                    TFRecord.appendBytes(p, to: &buffer)
                } else {
                    try flushBuffer()
                    try writeAll([p])
                }
            }
            TFRecord.appendLittleEndian(footer, to: &buffer)
            if buffer.count >= bufferCapacity { try flushBuffer() }
        }
        offset += length
        return (start, length)
    }

    @discardableResult
    public func append(payload: [UInt8]) throws -> (offset: Int, length: Int) {
        try payload.withUnsafeBytes { (raw) in try append(payload: raw) }
    }

    /// Writes buffered records to the file (no fsync).
    public func flush() throws { try flushBuffer() }

    /// Flushes and closes; later appends fail.
    public func close() throws {
        guard fd >= 0 else { return }
        defer { closeDescriptor(fd); fd = -1 }
        try flushBuffer()
    }

    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        try pending.withUnsafeBytes { (raw) in try writeAll([raw]) }
    }

    private func writeAll(_ parts: [UnsafeRawBufferPointer]) throws {
        if fd < 0 { throw Error(path: path, operation: "write", errno: EBADF) }
        var iov = parts.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
        var index = 0
        while index < iov.count {
            let n = iov.withUnsafeMutableBufferPointer { writev(fd, $0.baseAddress! + index, Int32($0.count - index)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Error(path: path, operation: "write", errno: errno)
            }
            var left = n
            while index < iov.count && left >= iov[index].iov_len {
                left -= iov[index].iov_len
                index += 1
            }
            if index < iov.count && left > 0 {
                iov[index].iov_base = iov[index].iov_base.map { $0 + left }
                iov[index].iov_len -= left
            }
        }
    }
}

/// `close(2)`, callable from types that have a `close()` of their own.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
