#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads TFRecord files, including ones still being written: a record that is only partly on disk is
/// `.pending` ("not yet"), and the next call tries again from the same offset. Corrupt framing is an
/// error naming the file and the record's offset.
public final class TFRecordReader {
    /// Which payload checksums are accepted.
    public enum PayloadCheck: Sendable {
        /// The real masked CRC-32C only (TensorBoard files).
        case crc32c
        /// smdebug's constant only (what smdebug's own reader insists on).
        case smdebugConstant
        /// Either of the two: a trial directory written by anyone.
        case either
        /// The footer is not checked (the length CRC still is).
        case none
    }

    public struct Record: Sendable, Equatable {
        /// Where the record starts (its length field).
        public var offset: Int
        public var payload: [UInt8]
        /// Bytes the whole record takes on disk.
        public var length: Int { payload.count + TFRecord.overhead }
    }

    public enum Next: Sendable, Equatable {
        case record(Record)
        /// A record has started but is not all there yet; `available` bytes of it are.
        case pending(available: Int)
        /// The file ends exactly after the last record.
        case end
    }

    public let path: String
    public let check: PayloadCheck
    public let maxRecordBytes: Int
    /// The offset of the next record to read.
    public private(set) var offset: Int
    private let fd: Int32

    public init(path: String, offset: Int = 0, check: PayloadCheck = .either,
                maxRecordBytes: Int = 1 << 31) throws(TFRecordError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw TFRecordError(path: path, offset: offset, kind: .io(errno: errno)) }
        self.fd = fd
        self.path = path
        self.offset = offset
        self.check = check
        self.maxRecordBytes = maxRecordBytes
    }

    deinit { closeDescriptor(fd) }

    /// The next record, `.pending` when the file ends inside one, `.end` when it ends between records.
    public func next() throws(TFRecordError) -> Next {
        var header = [UInt8](repeating: 0, count: TFRecord.headerSize)
        let got = try readFully(&header, at: offset)
        if got == 0 { return .end }
        if got < TFRecord.headerSize { return .pending(available: got) }
        let length = try Self.checkHeader(header, path: path, offset: offset, limit: maxRecordBytes)
        var body = [UInt8](repeating: 0, count: length + TFRecord.footerSize)
        let bodyGot = try readFully(&body, at: offset + TFRecord.headerSize)
        if bodyGot < body.count { return .pending(available: TFRecord.headerSize + bodyGot) }
        let footer = Self.littleEndianUInt32(body, at: length)
        body.removeLast(TFRecord.footerSize)
        try Self.checkFooter(footer, payload: body, check: check, path: path, offset: offset)
        let record = Record(offset: offset, payload: body)
        offset += record.length
        return .record(record)
    }

    /// Every record from the current offset. With `requireComplete` (a finished file), a partial
    /// record at the end is a `.truncated` error; without it the partial record is left for later.
    public func readAll(requireComplete: Bool) throws(TFRecordError) -> [Record] {
        var records: [Record] = []
        while true {
            switch try next() {
            case .record(let r): records.append(r)
            case .end: return records
            case .pending(let available):
                if requireComplete {
                    let needed = try neededBytes(available: available)
                    throw TFRecordError(path: path, offset: offset, kind: .truncated(needed: needed, available: available))
                }
                return records
            }
        }
    }

    /// Reads exactly the record at `offset`, which an index says takes `length` bytes.
    public func record(at offset: Int, length: Int) throws(TFRecordError) -> Record {
        var bytes = [UInt8](repeating: 0, count: length)
        let got = try readFully(&bytes, at: offset)
        return try Self.parseSingle(bytes[..<got], expectedLength: length, check: check, path: path, offset: offset,
                                    limit: maxRecordBytes)
    }

    /// Parses the one record that `bytes` (from `offset` in `path`) must hold.
    public static func parseSingle(_ bytes: ArraySlice<UInt8>, expectedLength: Int, check: PayloadCheck,
                                   path: String, offset: Int, limit: Int = 1 << 31) throws(TFRecordError) -> Record {
        let b = Array(bytes)
        if b.count < TFRecord.headerSize {
            throw TFRecordError(path: path, offset: offset, kind: .truncated(needed: max(expectedLength, TFRecord.overhead), available: b.count))
        }
        let length = try checkHeader(Array(b[0..<TFRecord.headerSize]), path: path, offset: offset, limit: limit)
        let total = length + TFRecord.overhead
        if b.count < total {
            throw TFRecordError(path: path, offset: offset, kind: .truncated(needed: total, available: b.count))
        }
        if total != expectedLength {
            throw TFRecordError(path: path, offset: offset, kind: .rangeMismatch(expected: expectedLength, actual: total))
        }
        let payload = Array(b[TFRecord.headerSize..<(TFRecord.headerSize + length)])
        let footer = littleEndianUInt32(b, at: TFRecord.headerSize + length)
        try checkFooter(footer, payload: payload, check: check, path: path, offset: offset)
        return Record(offset: offset, payload: payload)
    }

    // MARK: - Framing checks

    static func checkHeader(_ header: [UInt8], path: String, offset: Int, limit: Int) throws(TFRecordError) -> Int {
        let stored = littleEndianUInt32(header, at: 8)
        let computed = header.withUnsafeBytes { CRC32C.maskedChecksum(UnsafeRawBufferPointer(rebasing: $0[0..<8])) }
        if stored != computed {
            throw TFRecordError(path: path, offset: offset, kind: .badLengthChecksum(stored: stored, computed: computed))
        }
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(header[i]) }
        if length > UInt64(limit) {
            throw TFRecordError(path: path, offset: offset, kind: .recordTooLarge(length: length, limit: limit))
        }
        return Int(length)
    }

    static func checkFooter(_ stored: UInt32, payload: [UInt8], check: PayloadCheck, path: String,
                            offset: Int) throws(TFRecordError) {
        switch check {
        case .none: return
        case .smdebugConstant:
            if stored == TFRecord.smdebugConstantChecksum { return }
        case .crc32c, .either:
            if check == .either, stored == TFRecord.smdebugConstantChecksum { return }
            let computed = CRC32C.maskedChecksum(payload)
            if stored == computed { return }
            throw TFRecordError(path: path, offset: offset, kind: .badPayloadChecksum(stored: stored, computed: computed))
        }
        let computed = CRC32C.maskedChecksum(payload)
        if stored == computed && check == .smdebugConstant {
            // A real CRC where smdebug wants its constant: report what smdebug's reader would reject.
            throw TFRecordError(path: path, offset: offset,
                                kind: .badPayloadChecksum(stored: stored, computed: TFRecord.smdebugConstantChecksum))
        }
        throw TFRecordError(path: path, offset: offset, kind: .badPayloadChecksum(stored: stored, computed: computed))
    }

    static func littleEndianUInt32(_ bytes: [UInt8], at i: Int) -> UInt32 {
        UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }

    // MARK: - I/O

    /// How long the partial record at `offset` would be, when its header is there.
    private func neededBytes(available: Int) throws(TFRecordError) -> Int {
        if available < TFRecord.headerSize { return TFRecord.headerSize }
        var header = [UInt8](repeating: 0, count: TFRecord.headerSize)
        _ = try readFully(&header, at: offset)
        return try Self.checkHeader(header, path: path, offset: offset, limit: maxRecordBytes) + TFRecord.overhead
    }

    /// pread until `buffer` is full or the file ends; returns the bytes read.
    private func readFully(_ buffer: inout [UInt8], at position: Int) throws(TFRecordError) -> Int {
        var done = 0
        let count = buffer.count
        let path = self.path, fd = self.fd
        let failure: Int32? = buffer.withUnsafeMutableBytes { raw -> Int32? in
            while done < count {
                let n = pread(fd, raw.baseAddress! + done, count - done, off_t(position + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { break }
                done += n
            }
            return nil
        }
        if let failure { throw TFRecordError(path: path, offset: position, kind: .io(errno: failure)) }
        return done
    }
}
