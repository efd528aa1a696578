import LogSources
import Store

/// `tail -`: standard input as plain lines, read once to its end; its position means nothing after
/// a restart, so it keeps none.
final class StdinLineSource: LineSource, @unchecked Sendable {
    let name = "-"
    let slot: Int
    let sourceID: Int64?
    private let reader: LineBlockReader
    private let clock: MillisecondClock
    private var line: Int64 = 0
    private var insideLine = false
    private(set) var stats = SourceStats()

    init(slot: Int, sourceID: Int64?, maxLineBytes: Int, clock: @escaping MillisecondClock) {
        self.slot = slot
        self.sourceID = sourceID
        self.clock = clock
        reader = LineBlockReader(fd: 0, configuration: .init(maxLineBytes: maxLineBytes))
    }

    var position: SourcePosition { SourcePosition(source: name, byteOffset: reader.offset, line: line) }

    func poll(final: Bool, _ body: (SourceLine) -> Void) -> PollResult {
        // Standard input blocks until it has data or ends; its end is the end of this source.
        switch reader.next(follow: false) {
        case .waiting, .endOfInput: return .finished
        case .block(let block):
            let now = clock()
            block.forEachLine { bytes, complete in
                if !insideLine { line += 1 }
                if complete { stats.lines += 1 } else { stats.splitLines += 1 }
                insideLine = !complete
                body(SourceLine(bytes: bytes, timeMs: now, stream: .stdout, number: line, complete: complete))
            }
            stats.bytes = reader.offset
            return .read
        }
    }
}
