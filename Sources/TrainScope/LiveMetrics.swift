import Exposition
import LogMetrics
import Synchronization

/// What `/metrics` shows while a job runs: the newest state of every stage, published by the stages
/// once per block (not per value), read by the HTTP handler under the same lock.
public final class LiveMetrics: Sendable {
    public struct MetricState: Sendable {
        public var name: String
        public var lastValue: Double?
        public var lastTimeMs: Int64 = 0
        public var counters = DefinitionCounters()
    }

    public struct StreamState: Sendable {
        public var lines: Int64 = 0
        public var splitLines: Int64 = 0
        public var extractedBytes: Int64 = 0
    }

    public struct State: Sendable {
        public var jobName: String
        public var hostID: String
        public var status: String = "InProgress"
        public var secondaryStatus: String = "Starting"
        public var metrics: [MetricState]
        public var streams: [String: StreamState] = ["stdout": .init(), "stderr": .init()]
        public var samplesStored: Int64 = 0
        public var storeErrors: Int64 = 0
        public var startTimeMs: Int64?
    }

    private let state: Mutex<State>
    /// Byte counters owned by other stages, read at scrape time.
    private let streamBytes: Mutex<[String: @Sendable () -> (forwarded: Int64, notSpooled: Int64)]>

    public init(jobName: String, hostID: String, metricNames: [String]) {
        state = Mutex(State(jobName: jobName, hostID: hostID,
                            metrics: metricNames.map { MetricState(name: $0) }))
        streamBytes = Mutex([:])
    }

    public func update<R>(_ body: (inout State) -> R) -> R { state.withLock { body(&$0) } }
    public var snapshot: State { state.withLock { $0 } }

    public func attachByteCounters(stream: String, _ read: @escaping @Sendable () -> (forwarded: Int64, notSpooled: Int64)) {
        streamBytes.withLock { $0[stream] = read }
    }

    static let statuses = ["InProgress", "Completed", "Failed", "Stopping", "Stopped"]

    /// The exposition families; every series carries the job and host labels.
    public func families() -> [MetricFamily] {
        let s = snapshot
        let readers = streamBytes.withLock { $0 }
        let base = [("host", s.hostID), ("training_job", s.jobName)]
        func labels(_ extra: (String, String)...) -> [(String, String)] { base + extra }
        var lastValue = MetricFamily(name: "trainscope_training_metric",
                                     help: "Last value extracted for each MetricDefinition.", kind: .gauge)
        var lastTime = MetricFamily(name: "trainscope_training_metric_timestamp_seconds",
                                    help: "Time the line holding the last value was read, in seconds since the epoch.", kind: .gauge)
        var samples = MetricFamily(name: "trainscope_training_metric_samples_total",
                                   help: "Values extracted for each MetricDefinition.", kind: .counter)
        var matches = MetricFamily(name: "trainscope_metric_matches_total",
                                   help: "Lines on which each MetricDefinition regex matched.", kind: .counter)
        var failures = MetricFamily(name: "trainscope_metric_parse_failures_total",
                                    help: "Matches whose capture group was not a number.", kind: .counter)
        var matchErrors = MetricFamily(name: "trainscope_metric_match_errors_total",
                                       help: "Matches abandoned by PCRE2 (match or stack limit).", kind: .counter)
        for m in s.metrics {
            let l = labels(("metric", m.name))
            if let v = m.lastValue {
                lastValue.series.append(.init(labels: l, value: .double(v)))
                lastTime.series.append(.init(labels: l, value: .double(Double(m.lastTimeMs) / 1000)))
            }
            samples.series.append(.init(labels: l, value: .integer(m.counters.values)))
            matches.series.append(.init(labels: l, value: .integer(m.counters.matches)))
            failures.series.append(.init(labels: l, value: .integer(m.counters.parseFailures)))
            matchErrors.series.append(.init(labels: l, value: .integer(m.counters.matchErrors)))
        }
        var lines = MetricFamily(name: "trainscope_log_lines_total", help: "Log lines read from the training process.", kind: .counter)
        var bytes = MetricFamily(name: "trainscope_log_bytes_total", help: "Bytes forwarded from the training process.", kind: .counter)
        var split = MetricFamily(name: "trainscope_log_lines_split_total",
                                 help: "Over-long lines matched in segments of the maximum line length.", kind: .counter)
        var dropped = MetricFamily(name: "trainscope_log_dropped_bytes_total",
                                   help: "Bytes forwarded but not spooled for extraction (write errors such as a full disk).", kind: .counter)
        var lag = MetricFamily(name: "trainscope_extraction_lag_bytes",
                               help: "Bytes forwarded but not yet through extraction.", kind: .gauge)
        for stream in s.streams.keys.sorted() {
            let st = s.streams[stream]!
            let l = labels(("stream", stream))
            let counts: (forwarded: Int64, notSpooled: Int64) = readers[stream]?() ?? (0, 0)
            lines.series.append(.init(labels: l, value: .integer(st.lines)))
            bytes.series.append(.init(labels: l, value: .integer(counts.forwarded)))
            split.series.append(.init(labels: l, value: .integer(st.splitLines)))
            dropped.series.append(.init(labels: l, value: .integer(counts.notSpooled)))
            lag.series.append(.init(labels: l, value: .integer(max(0, counts.forwarded - counts.notSpooled - st.extractedBytes))))
        }
        let stored = MetricFamily(name: "trainscope_store_samples_total", help: "Values committed to the SQLite store.",
                                  kind: .counter, series: [.init(labels: base, value: .integer(s.samplesStored))])
        let storeErrors = MetricFamily(name: "trainscope_store_errors_total", help: "Failed store transactions.",
                                       kind: .counter, series: [.init(labels: base, value: .integer(s.storeErrors))])
        var status = MetricFamily(name: "trainscope_training_job_status",
                                  help: "1 for the job's current TrainingJobStatus, 0 for the others.", kind: .gauge)
        for name in LiveMetrics.statuses {
            status.series.append(.init(labels: labels(("status", name)), value: .integer(name == s.status ? 1 : 0)))
        }
        var families = [lastValue, lastTime, samples, matches, failures, matchErrors, lines, bytes, split, dropped, lag,
                        stored, storeErrors, status]
        if let start = s.startTimeMs {
            families.append(MetricFamily(name: "trainscope_training_start_time_seconds",
                                         help: "TrainingStartTime in seconds since the epoch.", kind: .gauge,
                                         series: [.init(labels: base, value: .double(Double(start) / 1000))]))
        }
        return families
    }
}
