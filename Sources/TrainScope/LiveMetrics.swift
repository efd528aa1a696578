import Exposition
import LogMetrics
import Synchronization

/// What `/metrics` shows while a job runs: the newest state of every stage, published by the stages
/// once per block (not per value), read by the HTTP handler under the same lock.
///
/// A run has one source slot (its stdout and stderr share their metrics, told apart by `stream`);
/// `tail` has one slot per followed file, and every per-metric series gets a `source` label.
public final class LiveMetrics: Sendable {
    public struct MetricState: Sendable {
        public var name: String
        public var lastValue: Double?
        public var lastTimeMs: Int64 = 0
        public var counters = DefinitionCounters()
    }

    struct SourceState: Sendable {
        /// "" for a run's single slot (no `source` label), else the followed path.
        var label: String
        var metrics: [MetricState]
        /// Per line source: "stdout"/"stderr" for a run, the path for a followed file.
        var streams: [String: SourceStats] = [:]
    }

    struct State: Sendable {
        var jobName: String
        var hostID: String
        var status: String = "InProgress"
        var secondaryStatus: String = "Starting"
        var metricNames: [String]
        var sources: [SourceState]
        var samplesStored: Int64 = 0
        var storeErrors: Int64 = 0
        var startTimeMs: Int64?
    }

    private let state: Mutex<State>
    /// Byte counters owned by a run's forwarders, read at scrape time.
    private let streamBytes: Mutex<[String: @Sendable () -> (forwarded: Int64, notSpooled: Int64)]>
    /// The label name for a line source's series: `stream` in a run, `source` when following files.
    let streamLabel: String
    /// Families kept elsewhere (the system profiler's), appended at scrape time.
    private let providers = Mutex<[@Sendable () -> [MetricFamily]]>([])

    func addFamilies(_ provider: @escaping @Sendable () -> [MetricFamily]) {
        providers.withLock { $0.append(provider) }
    }

    public init(jobName: String, hostID: String, metricNames: [String], followsFiles: Bool = false) {
        let slot = SourceState(label: "", metrics: metricNames.map { MetricState(name: $0) })
        state = Mutex(State(jobName: jobName, hostID: hostID, metricNames: metricNames,
                            sources: followsFiles ? [] : [slot]))
        streamBytes = Mutex([:])
        streamLabel = followsFiles ? "source" : "stream"
    }

    func update<R>(_ body: (inout State) -> R) -> R { state.withLock { body(&$0) } }
    var snapshot: State { state.withLock { $0 } }

    /// Adds a slot for a followed file; returns its index.
    func addSource(label: String) -> Int {
        state.withLock { s in
            if let i = s.sources.firstIndex(where: { $0.label == label }) { return i }
            s.sources.append(SourceState(label: label, metrics: s.metricNames.map { MetricState(name: $0) }))
            return s.sources.count - 1
        }
    }

    func sourceLabel(_ slot: Int) -> String { state.withLock { slot < $0.sources.count ? $0.sources[slot].label : "" } }

    public func attachByteCounters(stream: String, _ read: @escaping @Sendable () -> (forwarded: Int64, notSpooled: Int64)) {
        streamBytes.withLock { $0[stream] = read }
    }

    static let statuses = ["InProgress", "Completed", "Failed", "Stopping", "Stopped"]

    /// The exposition families; every series carries the job and host labels.
    public func families() -> [MetricFamily] {
        let s = snapshot
        let readers = streamBytes.withLock { $0 }
        let base = [("host", s.hostID), ("training_job", s.jobName)]
        var f = Families()
        for source in s.sources {
            for m in source.metrics {
                var l = base + [("metric", m.name)]
                if !source.label.isEmpty { l.append(("source", source.label)) }
                if let v = m.lastValue {
                    f.lastValue.series.append(.init(labels: l, value: .double(v)))
                    f.lastTime.series.append(.init(labels: l, value: .double(Double(m.lastTimeMs) / 1000)))
                }
                f.samples.series.append(.init(labels: l, value: .integer(m.counters.values)))
                f.matches.series.append(.init(labels: l, value: .integer(m.counters.matches)))
                f.failures.series.append(.init(labels: l, value: .integer(m.counters.parseFailures)))
                f.matchErrors.series.append(.init(labels: l, value: .integer(m.counters.matchErrors)))
            }
            for name in source.streams.keys.sorted() {
                let st = source.streams[name]!
                let l = base + [(streamLabel, name)]
                f.lines.series.append(.init(labels: l, value: .integer(st.lines)))
                f.split.series.append(.init(labels: l, value: .integer(st.splitLines)))
                if let read = readers[name] {
                    let counts = read()
                    f.bytes.series.append(.init(labels: l, value: .integer(counts.forwarded)))
                    f.dropped.series.append(.init(labels: l, value: .integer(counts.notSpooled)))
                    f.lag.series.append(.init(labels: l, value: .integer(max(0, counts.forwarded - counts.notSpooled - st.bytes))))
                } else {
                    f.bytes.series.append(.init(labels: l, value: .integer(st.bytes)))
                    f.invalid.series.append(.init(labels: l, value: .integer(st.invalidRecords)))
                    f.rotations.series.append(.init(labels: l, value: .integer(st.rotations)))
                    f.truncations.series.append(.init(labels: l, value: .integer(st.truncations)))
                    f.lag.series.append(.init(labels: l, value: .integer(st.lagBytes)))
                }
            }
        }
        var families = f.all(followsFiles: streamLabel == "source")
        families.append(MetricFamily(name: "trainscope_store_samples_total", help: "Values committed to the SQLite store.",
                                     kind: .counter, series: [.init(labels: base, value: .integer(s.samplesStored))]))
        families.append(MetricFamily(name: "trainscope_store_errors_total", help: "Failed store transactions.",
                                     kind: .counter, series: [.init(labels: base, value: .integer(s.storeErrors))]))
        var status = MetricFamily(name: "trainscope_training_job_status",
                                  help: "1 for the job's current TrainingJobStatus, 0 for the others.", kind: .gauge)
        for name in LiveMetrics.statuses {
            status.series.append(.init(labels: base + [("status", name)], value: .integer(name == s.status ? 1 : 0)))
        }
        families.append(status)
        if let start = s.startTimeMs {
            families.append(MetricFamily(name: "trainscope_training_start_time_seconds",
                                         help: "TrainingStartTime in seconds since the epoch.", kind: .gauge,
                                         series: [.init(labels: base, value: .double(Double(start) / 1000))]))
        }
        for provider in providers.withLock({ $0 }) { families += provider() }
        return families
    }

    /// The families whose series are filled per metric and per line source.
    private struct Families {
        var lastValue = MetricFamily(name: "trainscope_training_metric",
                                     help: "Last value extracted for each MetricDefinition.", kind: .gauge)
        var lastTime = MetricFamily(name: "trainscope_training_metric_timestamp_seconds",
                                    help: "Time of the line holding the last value, in seconds since the epoch.", kind: .gauge)
        var samples = MetricFamily(name: "trainscope_training_metric_samples_total",
                                   help: "Values extracted for each MetricDefinition.", kind: .counter)
        var matches = MetricFamily(name: "trainscope_metric_matches_total",
                                   help: "Lines on which each MetricDefinition regex matched.", kind: .counter)
        var failures = MetricFamily(name: "trainscope_metric_parse_failures_total",
                                    help: "Matches whose capture group was not a number.", kind: .counter)
        var matchErrors = MetricFamily(name: "trainscope_metric_match_errors_total",
                                       help: "Matches abandoned by PCRE2 (match or stack limit).", kind: .counter)
        var lines = MetricFamily(name: "trainscope_log_lines_total", help: "Log lines read.", kind: .counter)
        var bytes = MetricFamily(name: "trainscope_log_bytes_total", help: "Bytes read (forwarded, in a run).", kind: .counter)
        var split = MetricFamily(name: "trainscope_log_lines_split_total",
                                 help: "Over-long lines matched in segments of the maximum line length.", kind: .counter)
        var dropped = MetricFamily(name: "trainscope_log_dropped_bytes_total",
                                   help: "Bytes forwarded but not spooled for extraction (write errors such as a full disk).", kind: .counter)
        var lag = MetricFamily(name: "trainscope_extraction_lag_bytes",
                               help: "Bytes written but not yet through extraction.", kind: .gauge)
        var invalid = MetricFamily(name: "trainscope_log_invalid_records_total",
                                   help: "CRI or Docker records that did not parse (skipped).", kind: .counter)
        var rotations = MetricFamily(name: "trainscope_log_rotations_total",
                                     help: "Times the followed path named a new file.", kind: .counter)
        var truncations = MetricFamily(name: "trainscope_log_truncations_total",
                                       help: "Times the followed file got shorter or was rewritten.", kind: .counter)

        func all(followsFiles: Bool) -> [MetricFamily] {
            var list = [lastValue, lastTime, samples, matches, failures, matchErrors, lines, bytes, split, lag]
            list += followsFiles ? [invalid, rotations, truncations] : [dropped]
            return list
        }
    }
}
