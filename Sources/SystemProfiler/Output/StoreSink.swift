import Store
import Synchronization

/// Stores every record of every sample in the job's SQLite database (schema v2, `system_sample`).
///
/// The sampler's thread only queues samples; a writer thread of the sink's own commits what is
/// queued once per `flushIntervalSeconds` in one transaction, so a slow disk or another writer
/// holding the database lock (the run's extraction pipeline) delays rows, never ticks. A failed
/// commit keeps its rows queued for the next attempt and is reported by the next `write`.
public final class StoreSink: SampleSink {
    public let name = "store"
    public let flushIntervalSeconds: Double

    private struct State {
        var pending: [ProfilerSample] = []
        var failures: [String] = []
        var rowsWritten: Int64 = 0
    }

    private final class StoreBox: @unchecked Sendable {
        let store: MetricStore
        init(_ store: MetricStore) { self.store = store }
    }

    /// What the sampler's thread and the writer thread share.
    private final class Shared: Sendable {
        let state = Mutex(State())
        let stop = StopSignal()
    }

    /// Samples kept queued while the database refuses them (10 minutes at 100 ms); older ones are
    /// dropped, so a database that stays broken cannot use up memory.
    public static let maxPendingSamples = 6000

    private let shared = Shared()
    private var writer: WorkerThread?

    /// Takes over `store`: from now on only the sink's writer thread uses it.
    public init(store: MetricStore, flushIntervalSeconds: Double = 1) {
        self.flushIntervalSeconds = flushIntervalSeconds
        let box = StoreBox(store)
        let interval = UInt64(max(0.001, flushIntervalSeconds) * 1e9)
        writer = WorkerThread(name: "ts-profiler-db") { [shared] in
            let clock = SystemSamplerClock()
            var ids: [SystemSeries: Int64] = [:]
            var stopped = false
            while !stopped {
                stopped = shared.stop.wait(untilMonotonic: clock.nanoseconds() + interval)
                Self.flush(box.store, shared: shared, ids: &ids)
            }
        }
    }

    /// Rows committed so far.
    public var rowsWritten: Int64 { shared.state.withLock { $0.rowsWritten } }

    public func write(_ sample: ProfilerSample) throws {
        let failures = shared.state.withLock { s in
            s.pending.append(sample)
            if s.pending.count > Self.maxPendingSamples {
                s.pending.removeFirst(s.pending.count - Self.maxPendingSamples)
            }
            defer { s.failures = [] }
            return s.failures
        }
        if let first = failures.first { throw StoreSinkError(description: first) }
    }

    public func finish(endTimeMicroseconds: Int64) throws {
        shared.stop.request()
        writer?.join()
        writer = nil
        let (failures, left) = shared.state.withLock { ($0.failures, $0.pending.count) }
        if let first = failures.first { throw StoreSinkError(description: first) }
        if left > 0 { throw StoreSinkError(description: "\(left) samples could not be stored") }
    }

    public struct StoreSinkError: Error, CustomStringConvertible {
        public let description: String
    }

    private static func flush(_ store: MetricStore, shared: Shared, ids: inout [SystemSeries: Int64]) {
        let batch = shared.state.withLock { s in
            defer { s.pending = [] }
            return s.pending
        }
        guard !batch.isEmpty else { return }
        do {
            var missing: [SystemSeries] = []
            var rows: [SystemSampleRow] = []
            rows.reserveCapacity(batch.count * (batch.first?.records.count ?? 0))
            for sample in batch {
                for r in sample.records {
                    let series = SystemSeries(nodeID: sample.nodeID, type: r.type, name: r.name, dimension: r.dimension)
                    if ids[series] == nil && !missing.contains(series) { missing.append(series) }
                }
            }
            if !missing.isEmpty {
                for (series, id) in zip(missing, try store.systemSeriesIDs(missing)) { ids[series] = id }
            }
            for sample in batch {
                for r in sample.records {
                    let series = SystemSeries(nodeID: sample.nodeID, type: r.type, name: r.name, dimension: r.dimension)
                    rows.append(SystemSampleRow(seriesID: ids[series]!, timeUs: sample.timeMicroseconds, value: r.value))
                }
            }
            try store.appendSystemSamples(rows)
            shared.state.withLock { $0.rowsWritten += Int64(rows.count) }
        } catch {
            shared.state.withLock { s in
                s.pending.insert(contentsOf: batch, at: 0)
                s.failures.append("\(error)")
            }
        }
    }
}
