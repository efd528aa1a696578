#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The child's output as it was forwarded, on disk: the log file itself (plain bytes, the job's log
/// as a user would read it) and beside it a time index, `<log>.idx`, of 16-byte records
/// (little-endian start offset, read time in ms) written whenever the millisecond changes.
/// Extraction follows these files at its own pace, so a slow store or regex delays metrics but never
/// the child, and the backlog waits on disk instead of in memory.
public final class SpoolWriter: @unchecked Sendable {
    public struct OpenError: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let code: Int32
        public var description: String { "cannot create log spool \(path): \(String(cString: strerror(code)))" }
        public init(path: String, code: Int32) {
            self.path = path
            self.code = code
        }
    }

    public let path: String
    private let logFD: Int32
    private let indexFD: Int32
    /// write(2) as the spool calls it: bytes written (possibly fewer), or the errno. Tests put a full
    /// disk here.
    public typealias Write = (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, error: Int32?)
    private let writeFunction: Write
    private var offset: Int64 = 0
    private var lastTimeMs: Int64 = .min
    /// The last byte in the log (a newline before the first: a fresh line).
    private var lastByte: UInt8 = 0x0A
    /// Set while bytes are being dropped: whether the last dropped byte ended a line.
    private var gap: (droppedEndsLine: Bool, ())?
    /// The rest of an index record a failed write cut short: written before anything else, so the
    /// index stays in whole 16-byte records.
    private var pendingIndex: [UInt8] = []
    /// write(2) failures (a full disk, say); forwarding goes on regardless.
    public private(set) var failedWrites = 0
    public private(set) var lastError: Int32 = 0
    /// Lines cut by a gap: their spooled start is closed by a newline and marked in the index
    /// (`SpoolTimeIndex.gapTimeMs`), so extraction drops them instead of gluing them to what came next.
    public private(set) var cutLines = 0

    public init(path: String, write: @escaping Write = SpoolWriter.systemWrite) throws(OpenError) {
        self.path = path
        self.writeFunction = write
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        logFD = open(path, flags, 0o644)
        guard logFD >= 0 else { throw OpenError(path: path, code: errno) }
        indexFD = open(path + ".idx", flags, 0o644)
        guard indexFD >= 0 else { let e = errno; close(logFD); throw OpenError(path: path + ".idx", code: e) }
    }

    deinit { close(logFD); close(indexFD) }

    public static func systemWrite(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, error: Int32?) {
        guard var p = bytes.baseAddress else { return (0, nil) }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                return (bytes.count - left, errno)
            }
            p += n; left -= n
        }
        return (bytes.count, nil)
    }

    /// Appends `bytes` read at `timeMs`. Returns how many of them will not be extracted (0 normally):
    /// the disk refused them, or they end a line whose start the disk refused. The caller counts them.
    ///
    /// What is in the log is always what the child wrote, in whole lines apart from the cuts: a line
    /// that a gap cut is closed with a newline and marked in the index, and the rest of it, after the
    /// gap, is not written.
    @discardableResult
    public func append(_ bytes: UnsafeRawBufferPointer, timeMs: Int64) -> Int {
        guard !bytes.isEmpty else { return 0 }
        guard flushPendingIndex() else { return drop(bytes) }
        var chunk = bytes
        if let g = gap {
            if lastByte != 0x0A {
                // Close the cut line and mark it, so that it is not extracted.
                guard writeIndex(offset: offset, timeMs: SpoolTimeIndex.gapTimeMs) else { return drop(bytes) }
                var newline: UInt8 = 0x0A
                let (written, error) = withUnsafeBytes(of: &newline) { writeFunction(logFD, $0) }
                guard written == 1 else { note(error); return drop(bytes) }
                offset += 1
                lastByte = 0x0A
                cutLines += 1
            }
            if !g.droppedEndsLine {
                // The rest of the line the gap cut: not written (its start is not in the log).
                guard let nl = memchr(chunk.baseAddress!, 0x0A, chunk.count) else { return drop(bytes) }
                let skip = chunk.baseAddress!.distance(to: UnsafeRawPointer(nl)) + 1
                chunk = UnsafeRawBufferPointer(rebasing: chunk[skip...])
            }
            gap = nil
            if chunk.isEmpty { return bytes.count }
        }
        if timeMs != lastTimeMs {
            guard writeIndex(offset: offset, timeMs: timeMs) else { return bytes.count - chunk.count + drop(chunk) }
            lastTimeMs = timeMs
        }
        let (written, error) = writeFunction(logFD, chunk)
        offset += Int64(written)
        if written > 0 { lastByte = chunk[written - 1] }
        guard error == nil, written == chunk.count else {
            note(error)
            return bytes.count - chunk.count + drop(UnsafeRawBufferPointer(rebasing: chunk[written...]))
        }
        return bytes.count - chunk.count
    }

    public var bytesWritten: Int64 { offset }

    /// Starts (or extends) a gap with `bytes`; returns their count.
    private func drop(_ bytes: UnsafeRawBufferPointer) -> Int {
        if let last = bytes.last { gap = (droppedEndsLine: last == 0x0A, ()) }
        else if gap == nil { gap = (droppedEndsLine: lastByte == 0x0A, ()) }
        return bytes.count
    }

    private func note(_ error: Int32?) {
        failedWrites += 1
        lastError = error ?? EIO
    }

    private func writeIndex(offset: Int64, timeMs: Int64) -> Bool {
        var record = (UInt64(offset).littleEndian, UInt64(bitPattern: timeMs).littleEndian)
        let (written, error) = withUnsafeBytes(of: &record) { writeFunction(indexFD, $0) }
        guard written == 16 else {
            if written > 0 { pendingIndex = withUnsafeBytes(of: &record) { Array($0[written...]) } }
            note(error)
            return false
        }
        return true
    }

    private func flushPendingIndex() -> Bool {
        guard !pendingIndex.isEmpty else { return true }
        let (written, error) = pendingIndex.withUnsafeBytes { writeFunction(indexFD, $0) }
        pendingIndex.removeFirst(written)
        if !pendingIndex.isEmpty { note(error); return false }
        return true
    }
}

/// Writes all of `bytes`, retrying short writes and EINTR.
@discardableResult
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard var p = bytes.baseAddress else { return true }
    var left = bytes.count
    while left > 0 {
        let n = write(fd, p, left)
        if n < 0 {
            if errno == EINTR { continue }
            return false
        }
        p += n; left -= n
    }
    return true
}

/// Reads a spool's time index alongside its log: answers "when was the byte at offset X read", and
/// "was the line ending at offset X cut by a gap" (a record whose time is `gapTimeMs`).
public final class SpoolTimeIndex {
    /// The time of a record that marks a cut line: its offset is the newline that closes the line.
    public static let gapTimeMs = Int64.min

    private let fd: Int32
    private var current: (offset: Int64, timeMs: Int64) = (0, 0)
    private var next: (offset: Int64, timeMs: Int64)?
    /// Newline offsets of cut lines read from the index and not yet asked about.
    private var cuts: [Int64] = []

    public init?(path: String) {
        fd = open(path + ".idx", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        if let first = readTimeRecord() { current = first }
        next = readTimeRecord()
    }
    deinit { close(fd) }

    /// The read time of the byte at `offset`. Offsets must not decrease between calls.
    public func time(at offset: Int64) -> Int64 {
        while true {
            if next == nil { next = readTimeRecord() }
            guard let n = next, n.offset <= offset else { return current.timeMs }
            current = n
            next = nil
        }
    }

    /// Whether the line whose newline is at `newlineOffset` was cut by a gap (its end never reached
    /// the spool). Offsets must not decrease between calls.
    public func isCut(lineEndingAt newlineOffset: Int64) -> Bool {
        // Reading up to the newline reads every mark at or before it: the spool writes a mark before
        // the newline it marks, and marks are noted on the way to the next time record.
        _ = time(at: newlineOffset)
        guard !cuts.isEmpty else { return false }   // the usual case: no syscall, no search
        cuts.removeAll { $0 < newlineOffset }
        return cuts.first == newlineOffset
    }

    /// The next time record; cut marks on the way are noted.
    private func readTimeRecord() -> (offset: Int64, timeMs: Int64)? {
        while let record = readRecord() {
            if record.timeMs == Self.gapTimeMs { cuts.append(record.offset); continue }
            return record
        }
        return nil
    }

    private func readRecord() -> (offset: Int64, timeMs: Int64)? {
        var raw = (UInt64(0), UInt64(0))
        let n = withUnsafeMutableBytes(of: &raw) { read(fd, $0.baseAddress, 16) }
        guard n == 16 else {
            // A half-written record: step back so the next attempt reads it whole.
            if n > 0 { lseek(fd, off_t(-n), SEEK_CUR) }
            return nil
        }
        return (Int64(UInt64(littleEndian: raw.0)), Int64(bitPattern: UInt64(littleEndian: raw.1)))
    }
}
