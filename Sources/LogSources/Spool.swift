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
    private var offset: Int64 = 0
    private var lastTimeMs: Int64 = .min
    /// write(2) failures (a full disk, say); forwarding goes on regardless.
    public private(set) var failedWrites = 0
    public private(set) var lastError: Int32 = 0

    public init(path: String) throws(OpenError) {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        logFD = open(path, flags, 0o644)
        guard logFD >= 0 else { throw OpenError(path: path, code: errno) }
        indexFD = open(path + ".idx", flags, 0o644)
        guard indexFD >= 0 else { let e = errno; close(logFD); throw OpenError(path: path + ".idx", code: e) }
    }

    deinit { close(logFD); close(indexFD) }

    /// Appends `bytes` read at `timeMs`. Returns false when the disk refused them: those bytes were
    /// forwarded but will not be extracted, which the caller counts.
    @discardableResult
    public func append(_ bytes: UnsafeRawBufferPointer, timeMs: Int64) -> Bool {
        if timeMs != lastTimeMs {
            var record = (UInt64(offset).littleEndian, UInt64(bitPattern: timeMs).littleEndian)
            let ok = withUnsafeBytes(of: &record) { writeAll(indexFD, $0) }
            if !ok { failedWrites += 1; lastError = errno; return false }
            lastTimeMs = timeMs
        }
        guard writeAll(logFD, bytes) else { failedWrites += 1; lastError = errno; return false }
        offset += Int64(bytes.count)
        return true
    }

    public var bytesWritten: Int64 { offset }
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

/// Reads a spool's time index alongside its log: answers "when was the byte at offset X read".
public final class SpoolTimeIndex {
    private let fd: Int32
    private var current: (offset: Int64, timeMs: Int64) = (0, 0)
    private var next: (offset: Int64, timeMs: Int64)?

    public init?(path: String) {
        fd = open(path + ".idx", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        if let first = readRecord() { current = first }
        next = readRecord()
    }
    deinit { close(fd) }

    /// The read time of the byte at `offset`. Offsets must not decrease between calls.
    public func time(at offset: Int64) -> Int64 {
        while true {
            if next == nil { next = readRecord() }
            guard let n = next, n.offset <= offset else { return current.timeMs }
            current = n
            next = nil
        }
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
