#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a byte stream in blocks that end on a line boundary, so the per-line loop never sees half a
/// line and never copies one. Memory stays bounded whatever the input: a line longer than
/// `maxLineBytes` is handed over in segments of that size (as CloudWatch splits oversized events),
/// which is how a 100 MB tqdm line without a newline passes through in constant memory.
public final class LineBlockReader {
    public struct Configuration: Sendable {
        public var readSize: Int
        public var maxLineBytes: Int
        public init(readSize: Int = 1 << 20, maxLineBytes: Int = 1 << 20) {
            self.readSize = readSize
            self.maxLineBytes = maxLineBytes
        }
    }

    /// A run of bytes holding whole lines (each ending in `\n`), except that the last one may be a
    /// segment of an over-long line (`endsInsideLine`) or the unterminated last line at end of input.
    public struct Block {
        public let bytes: UnsafeRawBufferPointer
        /// Offset of `bytes` in the stream.
        public let offset: Int64
        public let endsInsideLine: Bool
    }

    public enum ReadResult {
        case block(Block)
        /// No complete line is available yet (follow mode); read again later.
        case waiting
        case endOfInput
    }

    public let fd: Int32
    public let configuration: Configuration
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0          // first byte not yet handed out
    private var end = 0            // end of valid bytes
    private var streamOffset: Int64  // stream offset of buffer[start]
    private var sawEOF = false
    /// Whether the last read found the end of the input (as opposed to a non-blocking "nothing now").
    public private(set) var atEndOfFile = false
    /// Length of the pending bytes already searched for a newline without finding one.
    private var scannedWithoutNewline = 0
    public private(set) var readError: Int32 = 0

    public init(fd: Int32, startOffset: Int64 = 0, configuration: Configuration = .init()) {
        self.fd = fd
        self.configuration = configuration
        self.streamOffset = startOffset
        buffer = .allocate(byteCount: configuration.readSize + configuration.maxLineBytes, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Offset just past the bytes handed out so far.
    public var offset: Int64 { streamOffset }

    /// Drops what is buffered and goes on reading at `offset` (after a truncation, or to resume).
    public func seek(to offset: Int64) {
        lseek(fd, off_t(offset), SEEK_SET)
        start = 0; end = 0; scannedWithoutNewline = 0
        streamOffset = offset
        sawEOF = false
    }

    /// The next block. With `follow`, end of file means "not yet" unless `final` is set, so a line the
    /// writer is still in the middle of is not cut; once the writer is done (`final`), the rest goes out.
    public func next(follow: Bool = false, final: Bool = true) -> ReadResult {
        while true {
            if let block = takeBlock(atEOF: sawEOF && (!follow || final)) { return .block(block) }
            if sawEOF {
                if follow && !final { sawEOF = false; return .waiting }
                return .endOfInput
            }
            if !fill() { sawEOF = true }
        }
    }

    /// Reads more input; false at end of file (or on a read error, recorded in `readError`).
    private func fill() -> Bool {
        if start > 0 {
            let pending = end - start
            if pending > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, pending) }
            start = 0; end = pending
        }
        let room = buffer.count - end
        guard room > 0 else { return true }
        while true {
            let n = read(fd, buffer.baseAddress! + end, room)
            if n > 0 { end += n; atEndOfFile = false; return true }
            if n == 0 { atEndOfFile = true; return false }
            if errno == EINTR { continue }
            // A non-blocking FIFO with nothing in it: no data now, which follow mode treats as "wait".
            if errno == EAGAIN || errno == EWOULDBLOCK { return false }
            readError = errno
            return false
        }
    }

    private func takeBlock(atEOF: Bool) -> Block? {
        let pending = end - start
        guard pending > 0 else { return nil }
        let base = buffer.baseAddress! + start
        if let length = lengthThroughLastNewline(base, pending) {
            return emit(length, endsInsideLine: false)
        }
        scannedWithoutNewline = pending
        if pending >= configuration.maxLineBytes {
            return emit(configuration.maxLineBytes, endsInsideLine: true)
        }
        if atEOF { return emit(pending, endsInsideLine: false) }
        return nil
    }

    /// Bytes up to and including the last `\n`, scanning back only over bytes not already known to
    /// hold none (so a long line costs one pass, not one per read).
    private func lengthThroughLastNewline(_ base: UnsafeMutableRawPointer, _ count: Int) -> Int? {
        var i = count
        while i > scannedWithoutNewline {
            i -= 1
            if base.load(fromByteOffset: i, as: UInt8.self) == 0x0A { return i + 1 }
        }
        return nil
    }

    private func emit(_ length: Int, endsInsideLine: Bool) -> Block {
        scannedWithoutNewline = 0
        let block = Block(bytes: UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: length),
                          offset: streamOffset, endsInsideLine: endsInsideLine)
        start += length
        streamOffset += Int64(length)
        return block
    }
}

extension LineBlockReader.Block {
    /// Calls `body` with each line (without its `\n`) and whether it is a complete line (false for
    /// an over-long line's segment, whose line goes on in the next block).
    @inline(__always)
    public func forEachLine(_ body: (UnsafeRawBufferPointer, _ complete: Bool) -> Void) {
        guard let base = bytes.baseAddress else { return }
        var lineStart = 0
        let count = bytes.count
        while lineStart < count {
            if let nl = memchr(base + lineStart, 0x0A, count - lineStart) {
                let lineEnd = base.distance(to: UnsafeRawPointer(nl))
                body(UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart), true)
                lineStart = lineEnd + 1
            } else {
                body(UnsafeRawBufferPointer(start: base + lineStart, count: count - lineStart), !endsInsideLine)
                return
            }
        }
    }
}
