/// Kubernetes CRI log lines, as kubelet, containerd and CRI-O write them under /var/log/pods:
///
///     2016-10-06T00:17:09.669794202Z stdout F hello
///     2016-10-06T00:17:09.669794202Z stderr P first half of a long line
///
/// `<RFC 3339 time> <stdout|stderr> <tag> <message>`, one space between fields. The tag is `F` (full)
/// or `P` (partial: the runtime split a line over 16 KiB and it goes on in the next `P`/`F` record of
/// the same stream); newer runtimes may append `:`-separated tags after it, which are ignored, as
/// kubelet's `parseCRILog` ignores them. The message is everything after the tag's space, untouched
/// (invalid UTF-8, `\r`, anything); it may be empty, and the space before an empty message may be
/// missing. The message comes back as a range into `line`: no copy, no allocation.
public enum CRIRecordParser {
    public static func parse(_ line: UnsafeRawBufferPointer) throws(LogRecordError) -> LogRecord {
        let n = line.count
        guard let p = line.baseAddress, n > 0 else { throw LogRecordError(.truncated, at: 0) }
        @inline(__always) func byte(_ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }
        let space = UInt8(ascii: " ")

        // Time: up to the first space.
        var i = 0
        while i < n && byte(i) != space { i += 1 }
        let time: Int64
        do throws(LogRecordError) {
            time = try RFC3339Timestamp.nanoseconds(UnsafeRawBufferPointer(start: p, count: i))
        } catch {
            // A timestamp the line ends inside of is a line cut short, not a bad timestamp.
            throw error.offset == n ? LogRecordError(.truncated, at: n) : error
        }
        guard i < n else { throw LogRecordError(.truncated, at: n) }

        // Stream: exactly `stdout` or `stderr`, then a space.
        let streamStart = i + 1
        guard streamStart + 6 <= n else {
            let rest = UnsafeRawBufferPointer(start: p + streamStart, count: n - streamStart)
            if "stdout".utf8.starts(with: rest) || "stderr".utf8.starts(with: rest) {
                throw LogRecordError(.truncated, at: n)
            }
            throw LogRecordError(.badStream, at: streamStart)
        }
        let stream: LogRecordStream
        switch (byte(streamStart), byte(streamStart + 1), byte(streamStart + 2),
                byte(streamStart + 3), byte(streamStart + 4), byte(streamStart + 5)) {
        case (0x73, 0x74, 0x64, 0x6F, 0x75, 0x74): stream = .stdout  // "stdout"
        case (0x73, 0x74, 0x64, 0x65, 0x72, 0x72): stream = .stderr  // "stderr"
        default: throw LogRecordError(.badStream, at: streamStart)
        }
        let afterStream = streamStart + 6
        guard afterStream < n else { throw LogRecordError(.truncated, at: n) }
        guard byte(afterStream) == space else { throw LogRecordError(.badStream, at: streamStart) }

        // Tag: `P` or `F`, optionally followed by `:more:tags`, then a space (or the end of the line).
        let tagStart = afterStream + 1
        guard tagStart < n else { throw LogRecordError(.truncated, at: n) }
        let tag = byte(tagStart)
        guard tag == UInt8(ascii: "P") || tag == UInt8(ascii: "F") else { throw LogRecordError(.badTag, at: tagStart) }
        var j = tagStart + 1
        if j < n && byte(j) != space {
            guard byte(j) == UInt8(ascii: ":") else { throw LogRecordError(.badTag, at: tagStart) }
            while j < n && byte(j) != space { j += 1 }
        }
        let messageStart = min(j + 1, n)
        return LogRecord(time: time, stream: stream, isPartial: tag == UInt8(ascii: "P"),
                         message: messageStart..<n)
    }

    /// Convenience for tests and one-off callers.
    public static func parse(_ line: [UInt8]) throws(LogRecordError) -> LogRecord {
        let result: Result<LogRecord, LogRecordError> = line.withUnsafeBytes { buffer in
            do throws(LogRecordError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
