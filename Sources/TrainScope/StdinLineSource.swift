#if canImport(Glibc)
import Glibc
#endif
import LogSources
import Store

/// `tail -`: standard input as plain lines, read to its end; its position means nothing after a
/// restart. Read without blocking (through its own open file description, so the caller's stdin
/// keeps its flags), so a quiet pipe neither holds back the last lines nor a stop request.
final class StdinLineSource: LineSource, @unchecked Sendable {
    let name = "-"
    let slot: Int
    let sourceID: Int64?
    private let reader: LineBlockReader
    private let clock: MillisecondClock
    private var line: Int64 = 0
    private var insideLine = false
    private(set) var stats = SourceStats()

    let fd: Int32

    init(slot: Int, sourceID: Int64?, maxLineBytes: Int, clock: @escaping MillisecondClock) {
        self.slot = slot
        self.sourceID = sourceID
        self.clock = clock
        let reopened = open("/proc/self/fd/0", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        fd = reopened >= 0 ? reopened : 0
        reader = LineBlockReader(fd: fd, configuration: .init(maxLineBytes: maxLineBytes))
    }

    var position: SourcePosition { SourcePosition(source: name, byteOffset: reader.offset, line: line) }

    func poll(final: Bool, _ body: (SourceLine) -> Void) -> PollResult {
        switch reader.next(follow: true, final: false) {
        case .endOfInput: return .finished
        case .waiting:
            // Nothing now; at the true end of the input, the unterminated last line goes out and
            // the source is done.
            guard reader.atEndOfFile else { return .idle }
            guard case .block(let last) = reader.next(follow: true, final: true) else { return .finished }
            emit(last, body)
            return .read
        case .block(let block):
            emit(block, body)
            return .read
        }
    }

    private func emit(_ block: LineBlockReader.Block, _ body: (SourceLine) -> Void) {
        let now = clock()
        block.forEachLine { bytes, complete in
            if !insideLine { line += 1 }
            if complete { stats.lines += 1 } else { stats.splitLines += 1 }
            insideLine = !complete
            body(SourceLine(bytes: bytes, timeMs: now, stream: .stdout, number: line, complete: complete))
        }
        stats.bytes = reader.offset
    }
}
