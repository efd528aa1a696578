#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import JobSpec
import LogMetrics
import LogSources
import Logging
import ServiceLifecycle
import Store
import Synchronization
import UnixSignals

/// The lifecycle of one training process: start it once the endpoint listens, forward its output and
/// its signals, enforce the runtime limit, and record how it ended after every value is stored.
/// When it returns, the service group shuts the HTTP server down.
final class TrainingSupervisor: Service, @unchecked Sendable {
    let spec: TrainingJobSpec
    let options: RunOptions
    let paths: RunPaths
    let live: LiveMetrics
    let logger: Logger
    let clock: MillisecondClock
    let ready: AsyncStream<Int>
    let exitStatus = Atomic<Int32>(1)
    private let stopRequested = Atomic<Bool>(false)
    private let maxRuntimeExceeded = Atomic<Bool>(false)

    init(spec: TrainingJobSpec, options: RunOptions, paths: RunPaths, live: LiveMetrics, logger: Logger,
         clock: @escaping MillisecondClock, ready: AsyncStream<Int>) {
        self.spec = spec
        self.options = options
        self.paths = paths
        self.live = live
        self.logger = logger
        self.clock = clock
        self.ready = ready
    }

    func run() async throws {
        // If the server fails to bind, the group shuts down gracefully and no port ever comes: stop waiting then.
        var iterator = ready.cancelOnGracefulShutdown().makeAsyncIterator()
        guard let port = await iterator.next() else { return }   // the server failed or we were cancelled
        let status = try StatusRecorder(path: paths.database)
        let now = clock()
        try status.with { try $0.startJob(JobRecord(name: spec.name, hostId: options.hostID, status: "InProgress",
                                      secondaryStatus: "Starting", failureReason: nil, creationTimeMs: now,
                                      startTimeMs: nil, endTimeMs: nil, exitCode: nil,
                                      requestJSON: JSONSerializer.string(spec.request, style: .compact)),
                            definitions: spec.metricDefinitions.map { (name: $0.name, regex: $0.regex) }) }
        status.transition("Starting", timeMs: now, message: "Starting the training job.")
        logger.notice("job \(spec.name): metrics at http://\(displayHost):\(port)/metrics, database \(paths.database), logs in \(paths.logDirectory)")

        // Trap the stop signals before the child exists: one that came just after it started would
        // otherwise kill trainscope (or be lost) and orphan the child, the job left InProgress.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup)
        let child: ChildProcess
        do {
            child = try ChildProcess(arguments: options.command,
                                     environment: ChildProcess.environment(base: ProcessInfo.processInfo.environment,
                                                                           job: spec.environment.map { ($0.key, $0.value) }))
        } catch {
            logger.error("\(error)")
            let end = clock()
            status.transition("Failed", timeMs: end, message: "Training job failed")
            try status.with { try $0.finishJob(status: "Failed", secondaryStatus: "Failed",
                                              failureReason: "ClientError: \(error)", exitCode: error.exitStatus, endTimeMs: end) }
            live.update { $0.status = "Failed"; $0.secondaryStatus = "Failed" }
            exitStatus.store(error.exitStatus, ordering: .relaxed)
            return
        }
        let start = clock()
        try status.with { try $0.setStartTime(start) }
        status.transition("Training", timeMs: start, message: "Training in progress.")
        live.update { $0.secondaryStatus = "Training"; $0.startTimeMs = start }

        let pipeline = try startPipeline(child: child)
        let forwarding = Task { await forwardSignals(signals, to: child, status: status) }
        let limit = Task { await enforceMaxRuntime(on: child, status: status) }
        let termination = await Self.wait(for: child)
        forwarding.cancel()
        limit.cancel()
        logger.info("training process \(child.pid) ended: \(termination)")
        await pipeline.drain(deadlineSeconds: 10)

        let outcome = JobOutcome.from(termination, stopRequested: stopRequested.load(ordering: .relaxed),
                                      maxRuntimeExceeded: maxRuntimeExceeded.load(ordering: .relaxed))
        let end = clock()
        status.transition(outcome.secondaryStatus, timeMs: end, message: outcome.message)
        try status.with { try $0.finishJob(status: outcome.status, secondaryStatus: outcome.secondaryStatus,
                                           failureReason: outcome.failureReason, exitCode: termination.exitStatus, endTimeMs: end) }
        live.update { $0.status = outcome.status; $0.secondaryStatus = outcome.secondaryStatus }
        if let reason = outcome.failureReason { logger.error("job \(spec.name) \(outcome.status): \(reason)") }
        else { logger.notice("job \(spec.name) \(outcome.status) (\(outcome.secondaryStatus))") }
        exitStatus.store(termination.exitStatus, ordering: .relaxed)
    }

    private var displayHost: String { options.host.contains(":") ? "[\(options.host)]" : options.host }

    private func startPipeline(child: ChildProcess) throws -> RunningPipeline {
        let wakeup = Wakeup()
        var sources: [ExtractionPipeline.Source] = []
        var forwarders: [StreamForwarder] = []
        for (stream, fd, out) in [(LogStream.stdout, child.stdoutFD, Int32(1)), (LogStream.stderr, child.stderrFD, Int32(2))] {
            let name = stream == .stdout ? "stdout" : "stderr"
            let path = "\(paths.logDirectory)/\(name).log"
            let spool = try SpoolWriter(path: path)
            let forwarder = StreamForwarder(name: name, input: fd, output: out, spool: spool, wakeup: wakeup, clock: clock)
            live.attachByteCounters(stream: name) {
                (forwarder.bytesForwarded.load(ordering: .relaxed), forwarder.bytesNotSpooled.load(ordering: .relaxed))
            }
            let readFD = open(path, O_RDONLY | O_CLOEXEC)
            guard readFD >= 0, let times = SpoolTimeIndex(path: path) else {
                throw SpoolWriter.OpenError(path: path, code: errno)
            }
            let reader = LineBlockReader(fd: readFD, configuration: .init(maxLineBytes: options.maxLineBytes))
            sources.append(.init(stream: stream, name: name, reader: reader, times: times, forwarder: forwarder))
            forwarders.append(forwarder)
        }
        let extractor = try MetricExtractor(definitions: spec.metricDefinitions.map { LogMetrics.MetricDefinition(name: $0.name, regex: $0.regex) })
        let store = try MetricStore(path: paths.database)
        let last = try store.lastSeq()
        let firstSeq = (0..<spec.metricDefinitions.count).map { (last[$0] ?? -1) + 1 }
        let writer = StoreWriter(store: store, live: live, logger: logger)
        let pipeline = ExtractionPipeline(sources: sources, extractor: extractor, writer: writer, live: live,
                                          wakeup: wakeup, firstSeq: firstSeq, clock: clock)
        for f in forwarders { f.start() }
        writer.start()
        pipeline.start()
        return RunningPipeline(forwarders: forwarders, pipeline: pipeline, writer: writer, wakeup: wakeup, logger: logger)
    }

    /// SIGINT, SIGTERM and SIGHUP go to the child's process group; after the grace period a SIGKILL
    /// follows, as StopTrainingJob does.
    private func forwardSignals(_ signals: UnixSignalsSequence, to child: ChildProcess, status: StatusRecorder) async {
        var escalation: Task<Void, Never>?
        for await signal in signals {
            let number = signal.rawValue
            logger.notice("forwarding \(JobOutcome.signalName(number)) to the training process")
            if !stopRequested.exchange(true, ordering: .relaxed) {
                live.update { $0.status = "Stopping"; $0.secondaryStatus = "Stopping" }
                status.transition("Stopping", timeMs: clock(), message: "Stopping the training job.")
                let grace = options.stopGraceSeconds
                escalation = Task {
                    try? await Task.sleep(for: .seconds(grace))
                    if !Task.isCancelled { child.send(SIGKILL) }
                }
            }
            child.send(number)
        }
        escalation?.cancel()
    }

    private func enforceMaxRuntime(on child: ChildProcess, status: StatusRecorder) async {
        guard let seconds = spec.maxRuntimeSeconds else { return }
        do { try await Task.sleep(for: .seconds(seconds)) } catch { return }
        maxRuntimeExceeded.store(true, ordering: .relaxed)
        logger.warning("MaxRuntimeInSeconds (\(seconds)) exceeded: sending SIGTERM, SIGKILL in \(options.stopGraceSeconds) s")
        live.update { $0.status = "Stopping"; $0.secondaryStatus = "Stopping" }
        status.transition("Stopping", timeMs: clock(), message: "MaxRuntimeInSeconds exceeded.")
        child.send(SIGTERM)
        do { try await Task.sleep(for: .seconds(options.stopGraceSeconds)) } catch { return }
        child.send(SIGKILL)
    }

    /// waitpid blocks, so it gets a thread of its own rather than one of the few cooperative ones.
    private static func wait(for child: ChildProcess) async -> ChildProcess.Termination {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: child.wait()) }
            thread.name = "waitpid"
            thread.start()
        }
    }
}

/// The threads of a run, so the supervisor can wait for all of them to finish.
struct RunningPipeline: @unchecked Sendable {
    let forwarders: [StreamForwarder]
    let pipeline: ExtractionPipeline
    let writer: StoreWriter
    let wakeup: Wakeup
    let logger: Logger

    /// Waits for the child's pipes to close (a grandchild may hold them open: then give up after the
    /// deadline), for extraction to reach the end of the spool, and for the last commit.
    func drain(deadlineSeconds: Double) async {
        let forwarders = self.forwarders, pipeline = self.pipeline, writer = self.writer, logger = self.logger
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                let deadline = Date().addingTimeInterval(deadlineSeconds)
                while forwarders.contains(where: { !$0.isFinished }) && Date() < deadline { usleep(10_000) }
                if forwarders.contains(where: { !$0.isFinished }) {
                    logger.warning("the training process exited but its output is still open (a background process?); extracting what was written")
                    pipeline.forceFinal()
                }
                pipeline.waitUntilFinished()
                writer.waitUntilFinished()
                continuation.resume()
            }
            thread.start()
        }
    }
}
