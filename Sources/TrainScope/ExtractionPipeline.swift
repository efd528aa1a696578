import Foundation
import LogMetrics
import LogSources
import Store
import Synchronization

/// Follows the spooled streams of a run, extracts metrics, and hands batches to the store writer.
/// One thread: the extractor's compiled regexes and match data belong to it.
final class ExtractionPipeline: @unchecked Sendable {
    struct Source {
        let stream: LogStream
        let name: String
        let reader: LineBlockReader
        let times: SpoolTimeIndex
        let forwarder: StreamForwarder
        var line: Int64 = 0
        var insideLine = false
        var done = false
    }

    private var sources: [Source]
    private let extractor: MetricExtractor
    private let writer: StoreWriter
    private let live: LiveMetrics
    private let wakeup: Wakeup
    private var nextSeq: [Int64]
    private var batch: [MetricSample] = []
    private var publishedCounters: [DefinitionCounters]
    private let finished = DispatchSemaphore(value: 0)
    /// Samples per store transaction: big enough to amortise the commit, small enough to show up soon.
    private let batchSize = 32_768
    private let maxBatchDelayMs: Int64 = 500
    private let clock: MillisecondClock
    private let forced = Atomic<Bool>(false)

    init(sources: [Source], extractor: MetricExtractor, writer: StoreWriter, live: LiveMetrics, wakeup: Wakeup,
         firstSeq: [Int64], clock: @escaping MillisecondClock) {
        self.sources = sources
        self.extractor = extractor
        self.writer = writer
        self.live = live
        self.wakeup = wakeup
        self.nextSeq = firstSeq
        self.clock = clock
        publishedCounters = extractor.counters
    }

    func start() {
        let thread = Thread { [self] in run(); finished.signal() }
        thread.name = "extract"
        thread.start()
    }

    func waitUntilFinished() { finished.wait() }

    /// Treat the spool as complete although the pipe is still open (a grandchild kept it).
    func forceFinal() {
        forced.store(true, ordering: .releasing)
        wakeup.signal()
    }

    private func run() {
        var lastFlush = clock()
        while sources.contains(where: { !$0.done }) {
            let seen = wakeup.current
            var progressed = false
            for i in sources.indices where !sources[i].done {
                // Read the writer's state first: if it had finished, everything it wrote is on disk.
                let final = sources[i].forwarder.isFinished || forced.load(ordering: .acquiring)
                switch sources[i].reader.next(follow: true, final: final) {
                case .block(let block):
                    process(block, source: i)
                    progressed = true
                case .waiting:
                    break
                case .endOfInput:
                    sources[i].done = true
                    progressed = true
                }
            }
            let now = clock()
            if batch.count >= batchSize || (!batch.isEmpty && now - lastFlush >= maxBatchDelayMs) || !progressed {
                flush()
                lastFlush = now
            }
            if !progressed { wakeup.wait(after: seen, timeoutMs: 100) }
        }
        flush()
        writer.finish()
    }

    private func process(_ block: LineBlockReader.Block, source i: Int) {
        let stream = sources[i].stream
        let times = sources[i].times
        var line = sources[i].line
        var inside = sources[i].insideLine
        var splits: Int64 = 0
        var lines: Int64 = 0
        let blockStart = block.bytes.baseAddress!
        var lastValues: [Int: (Double, Int64)] = [:]
        block.forEachLine { bytes, complete in
            if !inside { line += 1 }
            if complete { lines += 1 } else { splits += 1 }
            inside = !complete
            // The line's time is when its last byte was read by the forwarder.
            let endOffset = block.offset + Int64(blockStart.distance(to: bytes.baseAddress ?? blockStart) + bytes.count)
            var timeMs: Int64 = -1
            extractor.extract(line: bytes) { index, value in
                if timeMs < 0 { timeMs = times.time(at: max(0, endOffset - 1)) }
                batch.append(MetricSample(metricIndex: index, value: value, timeMs: timeMs, stream: stream,
                                          line: line, seq: nextSeq[index]))
                nextSeq[index] += 1
                lastValues[index] = (value, timeMs)
            }
        }
        sources[i].line = line
        sources[i].insideLine = inside
        let position = SourcePosition(source: sources[i].name, byteOffset: block.offset + Int64(block.bytes.count), line: line)
        writer.note(position: position, lines: lines, stream: sources[i].name)
        let counters = extractor.counters
        let name = sources[i].name
        let extracted = position.byteOffset
        live.update { s in
            s.streams[name, default: .init()].lines += lines
            s.streams[name, default: .init()].splitLines += splits
            s.streams[name, default: .init()].extractedBytes = extracted
            for (k, v) in lastValues {
                s.metrics[k].lastValue = v.0
                s.metrics[k].lastTimeMs = v.1
            }
            for k in counters.indices { s.metrics[k].counters = counters[k] }
        }
    }

    private func flush() {
        let counters = extractor.counters
        var deltas: [CounterDelta] = []
        for k in counters.indices {
            let name = extractor.definitions[k].name
            let d = counters[k].parseFailures - publishedCounters[k].parseFailures
            if d != 0 { deltas.append(CounterDelta(name: "metric_parse_failures", labels: name, delta: d)) }
            let m = counters[k].matches - publishedCounters[k].matches
            if m != 0 { deltas.append(CounterDelta(name: "metric_matches", labels: name, delta: m)) }
            let e = counters[k].matchErrors - publishedCounters[k].matchErrors
            if e != 0 { deltas.append(CounterDelta(name: "metric_match_errors", labels: name, delta: e)) }
        }
        publishedCounters = counters
        writer.submit(samples: batch, counters: deltas)
        batch.removeAll(keepingCapacity: true)
    }
}
