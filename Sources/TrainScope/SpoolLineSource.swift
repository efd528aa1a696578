import LogSources
import Store

/// One of a run's output streams, read back from its spool with the forwarder's read times.
final class SpoolLineSource: LineSource {
    let name: String
    let slot = 0
    let sourceID: Int64? = nil
    let stream: LogStream
    private let reader: LineBlockReader
    private let times: SpoolTimeIndex
    private var line: Int64 = 0
    private var insideLine = false
    private(set) var stats = SourceStats()

    init(name: String, stream: LogStream, reader: LineBlockReader, times: SpoolTimeIndex) {
        self.name = name
        self.stream = stream
        self.reader = reader
        self.times = times
    }

    var position: SourcePosition { SourcePosition(source: name, byteOffset: reader.offset, line: line) }

    func poll(final: Bool, _ body: (SourceLine) -> Void) -> PollResult {
        switch reader.next(follow: true, final: final) {
        case .waiting: return .idle
        case .endOfInput: return .finished
        case .block(let block):
            let base = block.bytes.baseAddress!
            block.forEachLine { bytes, complete in
                if !insideLine { line += 1 }
                if complete { stats.lines += 1 } else { stats.splitLines += 1 }
                insideLine = !complete
                // A line's time is when the forwarder read its last byte.
                let end = block.offset + Int64(base.distance(to: bytes.baseAddress ?? base) + bytes.count)
                let time = times.time(at: max(0, end - 1))
                // A line a full disk cut (see `SpoolWriter`): its end is lost, so it is not matched.
                if complete && times.isCut(lineEndingAt: end) {
                    stats.cutLines += 1
                    return
                }
                body(SourceLine(bytes: bytes, timeMs: time, stream: stream, number: line, complete: complete))
            }
            stats.bytes = reader.offset
            return .read
        }
    }
}
