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
    private let capacity = 2
    private var pendingPositions: [String: SourcePosition] = [:]
    private let finished = DispatchSemaphore(value: 0)
    /// Attempts per batch, once the pipeline is finishing, before the batch is given up: while it
    /// runs, a batch is retried for as long as it takes (a full disk often clears), because a later
    /// batch's read positions would otherwise skip its values for good.
    private let attemptsWhenFinishing = 5

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
    func note(position: SourcePosition) {
        pendingPositions[position.source] = position
    }

    /// Called from the extraction thread; blocks while the queue is full.
    func submit(samples: [MetricSample], counters: [CounterDelta]) {
        let deltas = counters
        let positions = pendingPositions.values.sorted { $0.source < $1.source }
        guard !samples.isEmpty || !positions.isEmpty || !deltas.isEmpty else { return }
        pendingPositions.removeAll()
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
        var attempt = 0
        while true {
            attempt += 1
            do {
                try store.append(samples: batch.samples, positions: batch.positions, counters: batch.counters)
                let n = Int64(batch.samples.count)
                live.update { $0.samplesStored += n }
                return
            } catch {
                live.update { $0.storeErrors += 1 }
                logger.error("store write failed (attempt \(attempt)): \(error)")
                condition.lock(); let finishing = closed; condition.unlock()
                if finishing && attempt >= attemptsWhenFinishing {
                    logger.error("gave up a batch of \(batch.samples.count) values after \(attempt) failed attempts")
                    return
                }
                usleep(UInt32(min(5_000_000, 200_000 * attempt)))
            }
        }
    }
}
