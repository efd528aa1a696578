import Exposition
import Logging
import Synchronization

/// One sample: every record the collectors gave for one slot of the schedule.
public struct ProfilerSample: Sendable, Equatable {
    /// The schedule slot (1, 2, …): sample k was due at start + k × interval.
    public var slot: UInt64
    /// When the collectors ran, in wall-clock microseconds since the epoch (smdebug's `Timestamp`).
    public var timeMicroseconds: Int64
    /// smdebug's `NodeId`, `algo-<n>`.
    public var nodeID: String
    public var records: [SystemRecord]

    public init(slot: UInt64, timeMicroseconds: Int64, nodeID: String, records: [SystemRecord]) {
        self.slot = slot
        self.timeMicroseconds = timeMicroseconds
        self.nodeID = nodeID
        self.records = records
    }
}

/// Where samples go (smdebug files, the store). Called from the sampler's thread only. A sink that
/// throws is counted in `trainscope_profiler_write_errors_total` and noticed once; it keeps getting
/// samples, since a full disk may clear.
public protocol SampleSink: AnyObject {
    var name: String { get }
    func write(_ sample: ProfilerSample) throws
    /// Called once after the last sample: flush, close, write end markers.
    func finish(endTimeMicroseconds: Int64) throws
}

/// Samples system metrics on a fixed, drift-free schedule (see `Schedule`) on a thread of its own,
/// hands each sample to the sinks, and keeps the latest for /metrics.
///
/// ```swift
/// let sampler = Sampler(configuration: .init(intervalMilliseconds: 500, nodeID: "algo-1"),
///                       collectors: CollectorSet.make(sources, logger: logger),
///                       sinks: [fileSink, storeSink], logger: logger)
/// sampler.start()            // or run SamplerService(sampler) in a ServiceGroup
/// server families: { live.families() + sampler.latestFamilies() }
/// sampler.stop()             // last flush, training_job_end.ts
/// ```
///
/// Collectors and sinks are touched by the sampler's thread only, which is what makes the class
/// safe to share (`@unchecked Sendable`); what other threads read goes through `published`.
public final class Sampler: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// ProfilingIntervalInMilliseconds.
        public var intervalMilliseconds: Int
        /// smdebug's NodeId (`algo-1`).
        public var nodeID: String
        /// Stop by itself after this many seconds (the last sample is the one due at the end).
        public var durationSeconds: Double?
        /// Labels put on every /metrics series, e.g. `host` and `training_job`.
        public var labels: [MetricLabel]

        public init(intervalMilliseconds: Int, nodeID: String = "algo-1", durationSeconds: Double? = nil,
                    labels: [MetricLabel] = []) {
            self.intervalMilliseconds = intervalMilliseconds
            self.nodeID = nodeID
            self.durationSeconds = durationSeconds
            self.labels = labels
        }
    }

    /// What the sampler has done so far.
    public struct Statistics: Sendable, Equatable {
        public var samples: UInt64 = 0
        /// Slots skipped because the sampler woke a whole interval or more after they were due.
        public var lateTicks: UInt64 = 0
        /// Whether each collector is still running, by name, in collector order.
        public var collectors: [CollectorState] = []
        public var sinkErrors: [String: UInt64] = [:]
        /// The sampler thread's own CPU time, in seconds.
        public var cpuSeconds: Double = 0
        public var lastSampleMicroseconds: Int64?
        public var finished = false
    }

    public struct CollectorState: Sendable, Equatable {
        public var name: String
        public var up: Bool
        /// How long its last `collect` took.
        public var lastDurationSeconds: Double
    }

    public let configuration: Configuration
    private let collectors: [any Collector]
    private let sinks: [any SampleSink]
    private let clock: any SamplerClock
    private let logger: Logger
    private let stopSignal = StopSignal()
    private let published: Mutex<(statistics: Statistics, latest: ProfilerSample?)>
    private let waiters = Mutex<(done: Bool, continuations: [CheckedContinuation<Void, Never>])>((false, []))
    private let thread = Mutex<WorkerThread?>(nil)

    public init(configuration: Configuration, collectors: [any Collector], sinks: [any SampleSink],
                clock: any SamplerClock = SystemSamplerClock(), logger: Logger) {
        precondition(configuration.intervalMilliseconds > 0, "ProfilingIntervalInMilliseconds must be positive")
        self.configuration = configuration
        self.collectors = collectors
        self.sinks = sinks
        self.clock = clock
        self.logger = logger
        var statistics = Statistics()
        statistics.collectors = collectors.map { CollectorState(name: $0.name, up: true, lastDurationSeconds: 0) }
        published = Mutex((statistics, nil))
    }

    // MARK: Control

    /// Starts the loop on a thread of its own; it runs until `stop()` or the configured duration.
    public func start() {
        thread.withLock { thread in
            precondition(thread == nil, "Sampler.start() called twice")
            thread = WorkerThread(name: "ts-profiler") { [self] in run() }
        }
    }

    /// Asks the loop to end after the sample in progress, without waiting.
    public func requestStop() { stopSignal.request() }

    /// Ends the loop and waits for its last flush (sinks finished, end marker written).
    public func stop() {
        stopSignal.request()
        let worker = thread.withLock { $0 }
        worker?.join()
    }

    /// Returns once the loop has ended (by `stop`, or at the end of the duration).
    public func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = waiters.withLock { state in
                if state.done { return true }
                state.continuations.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        thread.withLock { $0 }?.join()
    }

    public var statistics: Statistics { published.withLock { $0.statistics } }

    /// The newest sample, nil before the first.
    public var latestSample: ProfilerSample? { published.withLock { $0.latest } }

    /// The newest sample and the statistics as of that sample, read together.
    public var snapshot: (sample: ProfilerSample?, statistics: Statistics) {
        published.withLock { ($0.latest, $0.statistics) }
    }

    // MARK: The loop

    /// Runs the loop on the calling thread until stopped or the duration ends (tests call this
    /// directly, with a `ManualSamplerClock`).
    public func run() {
        let interval = UInt64(configuration.intervalMilliseconds) * 1_000_000
        let duration = configuration.durationSeconds.map { UInt64(max(0, $0) * 1e9) }
        let cpuAtStart = threadCPUSeconds()
        var schedule = Schedule(start: clock.nanoseconds(), interval: interval, duration: duration)
        var up = collectors.map { _ in true }
        var records: [SystemRecord] = []
        records.reserveCapacity(256)

        // Slot 0: the baseline that rates are computed from; nothing is recorded.
        _ = collect(into: &records, up: &up)
        while let deadline = schedule.nextDeadline, !clock.sleep(until: deadline, stop: stopSignal) {
            guard let slot = schedule.begin(at: clock.nanoseconds()) else { break }
            records.removeAll(keepingCapacity: true)
            let durations = collect(into: &records, up: &up)
            InstanceMetrics.append(into: &records)
            let sample = ProfilerSample(slot: slot, timeMicroseconds: clock.wallMicroseconds(),
                                        nodeID: configuration.nodeID, records: records)
            var failedSinks: [String] = []
            for sink in sinks {
                do {
                    try sink.write(sample)
                } catch {
                    failedSinks.append(sink.name)
                    noticeSinkError(sink.name, error)
                }
            }
            schedule.finish()
            let cpu = threadCPUSeconds() - cpuAtStart
            publish(sample: sample, up: up, durations: durations, late: schedule.late,
                    failedSinks: failedSinks, cpuSeconds: cpu)
        }
        finish(late: schedule.late, cpuSeconds: threadCPUSeconds() - cpuAtStart)
    }

    /// Runs every collector still up; one that throws is turned off for good, with one notice.
    private func collect(into records: inout [SystemRecord], up: inout [Bool]) -> [Double] {
        var durations = [Double](repeating: 0, count: collectors.count)
        for (i, collector) in collectors.enumerated() where up[i] {
            let before = clock.nanoseconds()
            let context = CollectContext(monotonicNanoseconds: before)
            let count = records.count
            do {
                try collector.collect(context, into: &records)
            } catch {
                records.removeSubrange(count...)
                up[i] = false
                logger.notice("profiler: collector \(collector.name) disabled: \(error); the others go on")
                collector.close()
            }
            let after = clock.nanoseconds()
            durations[i] = after >= before ? Double(after - before) / 1e9 : 0
        }
        return durations
    }

    private var noticedSinks: Set<String> = []

    private func noticeSinkError(_ sink: String, _ error: any Error) {
        guard noticedSinks.insert(sink).inserted else { return }
        logger.notice("profiler: cannot write to \(sink): \(error); later failures are counted, not logged")
    }

    private func publish(sample: ProfilerSample, up: [Bool], durations: [Double], late: UInt64,
                         failedSinks: [String], cpuSeconds: Double) {
        published.withLock { state in
            state.latest = sample
            state.statistics.samples += 1
            state.statistics.lateTicks = late
            state.statistics.cpuSeconds = cpuSeconds
            state.statistics.lastSampleMicroseconds = sample.timeMicroseconds
            for i in state.statistics.collectors.indices {
                state.statistics.collectors[i].up = up[i]
                state.statistics.collectors[i].lastDurationSeconds = durations[i]
            }
            for sink in failedSinks { state.statistics.sinkErrors[sink, default: 0] += 1 }
        }
    }

    private func finish(late: UInt64, cpuSeconds: Double) {
        for collector in collectors { collector.close() }
        let end = clock.wallMicroseconds()
        var failedSinks: [String] = []
        for sink in sinks {
            do {
                try sink.finish(endTimeMicroseconds: end)
            } catch {
                failedSinks.append(sink.name)
                logger.notice("profiler: cannot finish \(sink.name): \(error)")
            }
        }
        published.withLock { state in
            state.statistics.lateTicks = late
            state.statistics.cpuSeconds = cpuSeconds
            state.statistics.finished = true
            for sink in failedSinks { state.statistics.sinkErrors[sink, default: 0] += 1 }
        }
        let continuations = waiters.withLock { state in
            state.done = true
            defer { state.continuations = [] }
            return state.continuations
        }
        for c in continuations { c.resume() }
    }
}
