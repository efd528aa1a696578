/// The stream a container runtime recorded a log record from.
public enum LogRecordStream: UInt8, Sendable, Hashable, CustomStringConvertible {
    case stdout = 0
    case stderr = 1

    public var description: String { self == .stdout ? "stdout" : "stderr" }
}

/// One record of a container log file (a CRI line or a Docker json-file line), as the parsers return
/// it. The message is not copied into the record: `message` is a range into the buffer the parser was
/// given (CRI: the input line) or wrote (Docker: the caller's scratch buffer), so parsing a line
/// allocates nothing.
public struct LogRecord: Sendable, Hashable {
    /// Unix time in nanoseconds, nil when the record has none.
    public var time: Int64?
    /// nil when the record names no stream (a Docker record without a `stream` key).
    public var stream: LogRecordStream?
    /// The runtime split a longer line here: the line goes on in the next record of the same stream
    /// (CRI tag `P`; a Docker `log` value without its trailing `\n`).
    public var isPartial: Bool
    /// The message's bytes in the parser's buffer, without the line's `\n` (CRI messages have none;
    /// the Docker parser drops the one that ends a full line).
    public var message: Range<Int>

    public init(time: Int64?, stream: LogRecordStream?, isPartial: Bool, message: Range<Int>) {
        self.time = time
        self.stream = stream
        self.isPartial = isPartial
        self.message = message
    }

    /// The message's bytes within `buffer`, the buffer the parser read (CRI) or wrote (Docker).
    @inline(__always)
    public func message(in buffer: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[message])
    }
}

/// Why a line is not a record of its format, and where. Callers count these and go on with the next
/// line; nothing about a bad line is fatal.
public struct LogRecordError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The timestamp is not RFC 3339 (or names an impossible date or time).
        case badTimestamp
        /// The stream is neither `stdout` nor `stderr`.
        case badStream
        /// CRI: the tag field does not start with `P` or `F`.
        case badTag
        /// The line ends before the record does (a field or the JSON object is cut short).
        case truncated
        /// Docker: the line is not JSON (a bad byte at `offset`, or bytes after the object).
        case invalidJSON
        /// Docker: the line is JSON but not an object.
        case notAnObject
        /// Docker: the object has no `log` key.
        case missingLog
        /// Docker: the `log` value is not a string.
        case badLog
    }

    public var kind: Kind
    /// Byte offset in the line where the problem was found.
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "\(kind.rawValue) at byte \(offset)" }
}
