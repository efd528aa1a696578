/// Docker json-file log lines (`/var/lib/docker/containers/<id>/<id>-json.log`):
///
///     {"log":"step 1 loss=0.5\n","stream":"stdout","time":"2024-01-01T00:00:00.123456789Z"}
///
/// Keys come in any order; other keys (`attrs` with labels, anything newer) are checked for syntax and
/// ignored; a repeated key counts once, the last one, as with Go's `encoding/json`. The `log` value
/// is unescaped into the caller's scratch buffer, including `\uXXXX` and surrogate pairs; a lone or
/// mismatched surrogate becomes U+FFFD as Go does it. Raw bytes of 0x80 and above are passed through
/// untouched (Docker escapes invalid UTF-8 itself; anything else that wrote the file keeps its bytes,
/// as plain and CRI sources do). A `log` value ending in `\n` is a full line and the `\n` is dropped;
/// one without is a partial record (Docker splits lines at 16 KiB). `stream` and `time` may be absent
/// (or null). Anything that is not one JSON object is an error with the offset of the first wrong byte;
/// a line cut short is `.truncated`.
public enum DockerJSONRecordParser {
    /// Parses `line` and leaves the record's message, unescaped, in `message` (cleared first; its
    /// capacity is reused, so a warm buffer makes this allocation-free). The record's `message` range
    /// is `0..<message.count`.
    public static func parse(_ line: UnsafeRawBufferPointer, message: inout [UInt8]) throws(LogRecordError) -> LogRecord {
        message.removeAll(keepingCapacity: true)
        guard let p = line.baseAddress, line.count > 0 else { throw LogRecordError(.truncated, at: 0) }
        var s = JSONScanner(p, line.count)
        s.skipWhitespace()
        guard s.i < s.n else { throw LogRecordError(.truncated, at: s.n) }
        guard s.byte(s.i) == UInt8(ascii: "{") else {
            // Name the JSON error if there is one; otherwise it is JSON, but not an object.
            let start = s.i
            try s.skipValue(depth: 0)
            s.skipWhitespace()
            guard s.i == s.n else { throw LogRecordError(.invalidJSON, at: s.i) }
            throw LogRecordError(.notAnObject, at: start)
        }
        s.i += 1
        var sawLog = false
        var time: Int64?
        var stream: LogRecordStream?
        s.skipWhitespace()
        if s.i < s.n && s.byte(s.i) == UInt8(ascii: "}") {
            s.i += 1
        } else {
            members: while true {
                try s.expect(UInt8(ascii: "\""))
                let key = try s.scanKey(scratch: &message)
                s.skipWhitespace()
                try s.expect(UInt8(ascii: ":"))
                s.i += 1
                s.skipWhitespace()
                switch key {
                case .log:
                    guard s.i < s.n else { throw LogRecordError(.truncated, at: s.n) }
                    guard s.byte(s.i) == UInt8(ascii: "\"") else {
                        let at = s.i
                        try s.skipValue(depth: 0)  // a JSON error first, if the value is not even JSON
                        throw LogRecordError(.badLog, at: at)
                    }
                    message.removeAll(keepingCapacity: true)
                    try s.decodeString(into: &message)
                    sawLog = true
                case .stream:
                    stream = try s.scanStream(scratch: &message)
                case .time:
                    time = try s.scanTime(scratch: &message)
                case .other:
                    try s.skipValue(depth: 0)
                }
                s.skipWhitespace()
                guard s.i < s.n else { throw LogRecordError(.truncated, at: s.n) }
                switch s.byte(s.i) {
                case UInt8(ascii: ","):
                    s.i += 1
                    s.skipWhitespace()
                case UInt8(ascii: "}"):
                    s.i += 1
                    break members
                default:
                    throw LogRecordError(.invalidJSON, at: s.i)
                }
            }
        }
        let closingBrace = s.i - 1
        s.skipWhitespace()
        guard s.i == s.n else { throw LogRecordError(.invalidJSON, at: s.i) }
        guard sawLog else { throw LogRecordError(.missingLog, at: closingBrace) }
        let partial = message.last != UInt8(ascii: "\n")
        if !partial { message.removeLast() }
        return LogRecord(time: time, stream: stream, isPartial: partial, message: 0..<message.count)
    }

    /// Convenience for tests and one-off callers.
    public static func parse(_ line: [UInt8], message: inout [UInt8]) throws(LogRecordError) -> LogRecord {
        let result: Result<LogRecord, LogRecordError> = line.withUnsafeBytes { buffer in
            do throws(LogRecordError) { return .success(try parse(buffer, message: &message)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

extension JSONScanner {
    enum DockerKey { case log, stream, time, other }

    /// Reads a member name (at its opening quote) and names the keys a Docker record has.
    @inline(__always)
    mutating func scanKey(scratch: inout [UInt8]) throws(LogRecordError) -> DockerKey {
        let start = i + 1
        let escaped = try scanString()
        if !escaped { return Self.dockerKey(UnsafeRawBufferPointer(start: p + start, count: i - 1 - start)) }
        return try withDecoded(from: start - 1, scratch: &scratch) { Self.dockerKey($0) }
    }

    @inline(__always)
    static func dockerKey(_ k: UnsafeRawBufferPointer) -> DockerKey {
        switch k.count {
        case 3 where k[0] == 0x6C && k[1] == 0x6F && k[2] == 0x67: return .log  // "log"
        case 4 where k[0] == 0x74 && k[1] == 0x69 && k[2] == 0x6D && k[3] == 0x65: return .time  // "time"
        case 6 where k.elementsEqual("stream".utf8): return .stream
        default: return .other
        }
    }

    /// The `stream` value: `"stdout"`, `"stderr"` or null.
    mutating func scanStream(scratch: inout [UInt8]) throws(LogRecordError) -> LogRecordStream? {
        let at = i
        guard at < n else { throw LogRecordError(.truncated, at: n) }
        guard byte(at) == UInt8(ascii: "\"") else {
            if try skipNull() { return nil }
            try skipValue(depth: 0)
            throw LogRecordError(.badStream, at: at)
        }
        let escaped = try scanString()
        let stream: LogRecordStream? = if escaped {
            try withDecoded(from: at, scratch: &scratch) { Self.stream($0) }
        } else {
            Self.stream(UnsafeRawBufferPointer(start: p + at + 1, count: i - at - 2))
        }
        guard let stream else { throw LogRecordError(.badStream, at: at) }
        return stream
    }

    @inline(__always)
    static func stream(_ s: UnsafeRawBufferPointer) -> LogRecordStream? {
        if s.elementsEqual("stdout".utf8) { return .stdout }
        if s.elementsEqual("stderr".utf8) { return .stderr }
        return nil
    }

    /// The `time` value: an RFC 3339 string or null. A bad timestamp's offset points into the line
    /// when the string has no escapes, else at its opening quote.
    mutating func scanTime(scratch: inout [UInt8]) throws(LogRecordError) -> Int64? {
        let at = i
        guard at < n else { throw LogRecordError(.truncated, at: n) }
        guard byte(at) == UInt8(ascii: "\"") else {
            if try skipNull() { return nil }
            try skipValue(depth: 0)
            throw LogRecordError(.badTimestamp, at: at)
        }
        let escaped = try scanString()
        if !escaped {
            return try RFC3339Timestamp.nanoseconds(UnsafeRawBufferPointer(start: p + at + 1, count: i - at - 2), base: at + 1)
        }
        let ns: Int64? = try withDecoded(from: at, scratch: &scratch) {
            do throws(LogRecordError) { return try RFC3339Timestamp.nanoseconds($0) } catch { return nil }
        }
        guard let ns else { throw LogRecordError(.badTimestamp, at: at) }
        return ns
    }

    /// Decodes the (already validated) string at `quote` onto the end of `scratch`, hands the decoded
    /// bytes to `body`, and takes them off again, leaving the message that may be there untouched.
    @inline(__always)
    func withDecoded<T>(from quote: Int, scratch: inout [UInt8],
                        _ body: (UnsafeRawBufferPointer) -> T) throws(LogRecordError) -> T {
        let keep = scratch.count
        var copy = self
        copy.i = quote
        try copy.decodeString(into: &scratch)
        let result = scratch.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[keep...])) }
        scratch.removeSubrange(keep...)
        return result
    }

    /// Skips `null` at `i`; false (and nothing skipped) when the value is something else.
    mutating func skipNull() throws(LogRecordError) -> Bool {
        guard byte(i) == UInt8(ascii: "n") else { return false }
        try skipLiteral("null")
        return true
    }
}
