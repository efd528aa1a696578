import Foundation
import LogMetrics
import LogSources
import Store
import Synchronization
import TensorIO

/// Polls every line source in turn, extracts metrics, and hands batches to the store writer with the
/// positions they reach. One thread: the extractor's compiled regexes and match data belong to it.
final class ExtractionPipeline: @unchecked Sendable {
    /// How the thread waits when every source is idle: a run's forwarders signal a `Wakeup`; a
    /// followed file is watched with inotify.
    struct Waiting: Sendable {
        var current: @Sendable () -> UInt64
        var wait: @Sendable (_ seen: UInt64, _ timeoutMs: Int) -> Void
        /// Whether a source's writer is done: then its end of file is the end of its input.
        var writerFinished: @Sendable (_ source: Int) -> Bool
    }

    private var sources: [any LineSource]
    private var finished: [Bool]
    private let extractor: MetricExtractor
    private let writer: StoreWriter
    private let live: LiveMetrics
    private let waiting: Waiting
    private var nextSeq: [Int64]
    private var batch: [MetricSample] = []
    private var publishedCounters: [[DefinitionCounters]]
    private var counters: [[DefinitionCounters]]
    private var publishedStats: [SourceStats]
    private let done = DispatchSemaphore(value: 0)
    /// Samples per store transaction: big enough to amortise the commit, small enough to show up soon.
    private let batchSize = 32_768
    private let maxBatchDelayMs: Int64 = 500
    private let clock: MillisecondClock
    private let forced = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    private let pendingSources = Mutex<[any LineSource & Sendable]>([])
    /// Sources added while running (new files matching a glob), handed over by `add`.
    private var slots: Int
    /// TensorBoardOutputConfig's scalars: every extracted value, one monotone step per metric (and
    /// source, under `tail`). Written on this thread only.
    private let scalars: TensorBoardWriter?
    private var scalarTags: [[String]] = []

    init(sources: [any LineSource], extractor: MetricExtractor, writer: StoreWriter, live: LiveMetrics,
         waiting: Waiting, firstSeq: [Int64], slots: Int, scalars: TensorBoardWriter? = nil,
         clock: @escaping MillisecondClock) {
        self.sources = sources
        self.finished = Array(repeating: false, count: sources.count)
        self.extractor = extractor
        self.writer = writer
        self.live = live
        self.waiting = waiting
        self.nextSeq = firstSeq
        self.clock = clock
        self.slots = slots
        self.scalars = scalars
        let zero = Array(repeating: DefinitionCounters(), count: extractor.definitions.count)
        counters = Array(repeating: zero, count: slots)
        publishedCounters = counters
        publishedStats = Array(repeating: SourceStats(), count: sources.count)
    }

    func start() {
        let thread = Thread { [self] in run(); done.signal() }
        thread.name = "extract"
        thread.start()
    }

    func waitUntilFinished() { done.wait() }

    /// Treat every source's end of file as final although its writer is still there (a run whose
    /// child exited while a grandchild kept the pipe open).
    func forceFinal() {
        forced.store(true, ordering: .releasing)
    }

    /// Reads what is there now, stores it, and ends (a followed file's sidecar being stopped).
    func stop() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Starts following another source (a new file matching a glob); taken up on the next pass.
    func add(_ source: any LineSource & Sendable) {
        pendingSources.withLock { $0.append(source) }
    }

    private func run() {
        var lastFlush = clock()
        while true {
            adoptNewSources()
            let stopping = stopRequested.load(ordering: .acquiring)
            let seen = waiting.current()
            var progressed = false
            for i in sources.indices where !finished[i] {
                // Read the writer's state first: if it had finished, everything it wrote is on disk.
                let final = waiting.writerFinished(i) || forced.load(ordering: .acquiring)
                switch poll(i, final: final) {
                case .read: progressed = true
                case .idle: break
                case .finished: finished[i] = true; progressed = true
                }
            }
            let now = clock()
            if batch.count >= batchSize || (!batch.isEmpty && now - lastFlush >= maxBatchDelayMs) || !progressed {
                flush()
                lastFlush = now
            }
            if finished.allSatisfy({ $0 }) && !sources.isEmpty { break }
            if stopping && !progressed { break }
            if !progressed { waiting.wait(seen, 250) }
        }
        flush()
        scalars?.close()
        writer.finish()
    }

    /// The TensorBoard tag of a metric: its name, prefixed by the source's label under `tail`.
    private func scalarTag(slot: Int, metric: Int) -> String {
        while scalarTags.count <= slot {
            let label = live.sourceLabel(scalarTags.count)
            scalarTags.append(extractor.definitions.map { label.isEmpty ? $0.name : "\(label)/\($0.name)" })
        }
        return scalarTags[slot][metric]
    }

    private func adoptNewSources() {
        let added = pendingSources.withLock { list -> [any LineSource & Sendable] in
            defer { list.removeAll() }
            return list
        }
        for source in added {
            sources.append(source)
            finished.append(false)
            publishedStats.append(SourceStats())
            while source.slot >= counters.count {
                counters.append(Array(repeating: DefinitionCounters(), count: extractor.definitions.count))
                publishedCounters.append(counters[0].map { _ in DefinitionCounters() })
            }
        }
    }

    /// Reads one source's available lines and extracts from them.
    private func poll(_ i: Int, final: Bool) -> PollResult {
        let source = sources[i]
        let slot = source.slot
        let sourceID = source.sourceID
        // The newest value of each metric in this poll, for /metrics: a flat array, since the
        // callback runs once per extracted value.
        var lastValues = [(value: Double, timeMs: Int64)?](repeating: nil, count: extractor.definitions.count)
        let before = extractor.counters
        let result = source.poll(final: final) { line in
            let timeMs = line.timeMs
            extractor.extract(line: line.bytes) { index, value in
                batch.append(MetricSample(metricIndex: index, value: value, timeMs: timeMs, stream: line.stream,
                                          line: line.number, seq: nextSeq[index], sourceID: sourceID))
                nextSeq[index] += 1
                lastValues[index] = (value, timeMs)
                if let scalars {
                    scalars.addNext(tag: scalarTag(slot: slot, metric: index), value: value, wallTime: Double(timeMs) / 1000)
                }
            }
        }
        guard case .read = result else { return result }
        // The extractor counts for all sources together; attribute this poll's share to the source.
        let after = extractor.counters
        for k in after.indices {
            counters[slot][k].matches += after[k].matches - before[k].matches
            counters[slot][k].values += after[k].values - before[k].values
            counters[slot][k].parseFailures += after[k].parseFailures - before[k].parseFailures
            counters[slot][k].matchErrors += after[k].matchErrors - before[k].matchErrors
        }
        let position = source.position
        writer.note(position: position)
        let stats = source.stats
        let name = source.name
        let slotCounters = counters[slot]
        live.update { s in
            s.sources[slot].streams[name, default: .init()] = stats
            for (k, v) in lastValues.enumerated() {
                guard let v else { continue }
                s.sources[slot].metrics[k].lastValue = v.value
                s.sources[slot].metrics[k].lastTimeMs = v.timeMs
            }
            for k in slotCounters.indices { s.sources[slot].metrics[k].counters = slotCounters[k] }
        }
        return result
    }

    private func flush() {
        var deltas: [CounterDelta] = []
        for slot in counters.indices {
            let label = live.sourceLabel(slot)
            for k in counters[slot].indices {
                let name = extractor.definitions[k].name
                let labels = label.isEmpty ? name : "\(name)\u{1F}\(label)"
                let now = counters[slot][k], was = publishedCounters[slot][k]
                if now.parseFailures != was.parseFailures {
                    deltas.append(CounterDelta(name: "metric_parse_failures", labels: labels, delta: now.parseFailures - was.parseFailures))
                }
                if now.matches != was.matches {
                    deltas.append(CounterDelta(name: "metric_matches", labels: labels, delta: now.matches - was.matches))
                }
                if now.matchErrors != was.matchErrors {
                    deltas.append(CounterDelta(name: "metric_match_errors", labels: labels, delta: now.matchErrors - was.matchErrors))
                }
            }
        }
        publishedCounters = counters
        for i in sources.indices {
            let now = sources[i].stats, was = publishedStats[i]
            if now.lines != was.lines {
                deltas.append(CounterDelta(name: "log_lines", labels: sources[i].name, delta: now.lines - was.lines))
            }
            publishedStats[i] = now
        }
        writer.submit(samples: batch, counters: deltas)
        batch.removeAll(keepingCapacity: true)
        scalars?.flush()
    }
}
