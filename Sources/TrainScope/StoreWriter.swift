import Foundation
import Logging
import Store
import Synchronization

/// Commits extraction batches on a thread of its own, so extraction and SQLite overlap on two cores.
/// The queue is bounded: when the store falls behind, extraction waits, and the backlog stays in the
/// spool on disk rather than growing here.
final class StoreWriter: @unchecked Sendable {
    private struct Batch {
        var samples: [MetricSample]
        var positions: [SourcePosition]
        var counters: [CounterDelta]
    }

    private let store: MetricStore
    private let live: LiveMetrics
    private let logger: Logger
    private let condition = NSCondition()
    private var queue: [Batch] = []
    private var closed = false
    private let capacity = 4
    private var pendingPositions: [String: SourcePosition] = [:]
    private var pendingLines: [String: Int64] = [:]
    private let finished = DispatchSemaphore(value: 0)
    /// Attempts per batch before it is counted as lost; a full disk often clears (log rotation).
    private let attempts = 5

    init(store: MetricStore, live: LiveMetrics, logger: Logger) {
        self.store = store
        self.live = live
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in run(); finished.signal() }
        thread.name = "store"
        thread.start()
    }

    /// Called from the extraction thread: where a source got to, committed with the next batch.
    func note(position: SourcePosition, lines: Int64, stream: String) {
        pendingPositions[position.source] = position
        pendingLines[stream, default: 0] += lines
    }

    /// Called from the extraction thread; blocks while the queue is full.
    func submit(samples: [MetricSample], counters: [CounterDelta]) {
        var deltas = counters
        for (stream, n) in pendingLines.sorted(by: { $0.key < $1.key }) where n != 0 {
            deltas.append(CounterDelta(name: "log_lines", labels: stream, delta: n))
        }
        let positions = pendingPositions.values.sorted { $0.source < $1.source }
        guard !samples.isEmpty || !positions.isEmpty || !deltas.isEmpty else { return }
        pendingPositions.removeAll()
        pendingLines.removeAll()
        condition.lock()
        while queue.count >= capacity { condition.wait() }
        queue.append(Batch(samples: samples, positions: positions, counters: deltas))
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock(); closed = true; condition.broadcast(); condition.unlock()
    }

    func waitUntilFinished() { finished.wait() }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty && closed { condition.unlock(); return }
            let batch = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            commit(batch)
        }
    }

    private func commit(_ batch: Batch) {
        for attempt in 1...attempts {
            do {
                try store.append(samples: batch.samples, positions: batch.positions, counters: batch.counters)
                let n = Int64(batch.samples.count)
                live.update { $0.samplesStored += n }
                return
            } catch {
                live.update { $0.storeErrors += 1 }
                logger.error("store write failed (attempt \(attempt) of \(attempts)): \(error)")
                if attempt < attempts { usleep(UInt32(200_000 * attempt)) }
            }
        }
        logger.error("dropped a batch of \(batch.samples.count) values after \(attempts) failed attempts")
    }
}
