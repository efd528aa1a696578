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
import RuleEngine
import Store
import Synchronization
import TensorIO
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
    let tensors: EmbeddedIngestion?
    let trial: TrialWatcher?
    let exitStatus = Atomic<Int32>(1)
    private let stopRequested = Atomic<Bool>(false)
    private let maxRuntimeExceeded = Atomic<Bool>(false)

    init(spec: TrainingJobSpec, options: RunOptions, paths: RunPaths, live: LiveMetrics, logger: Logger,
         clock: @escaping MillisecondClock, ready: AsyncStream<Int>, tensors: EmbeddedIngestion? = nil,
         trial: TrialWatcher? = nil) {
        self.tensors = tensors
        self.trial = trial
        self.spec = spec
        self.options = options
        self.paths = paths
        self.live = live
        self.logger = logger
        self.clock = clock
        self.ready = ready
    }

    func run() async throws {
        // Trap the stop signals before anything starts: one that came while the port opened or just
        // after the child started would otherwise kill trainscope (or be lost) and orphan the child,
        // the job left InProgress. A signal that comes before the child exists is forwarded to it.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup)
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
        let rules = RuleStatusBoard(spec: spec, hostID: options.hostID)
        live.addFamilies { rules.families() }
        rules.start(store: status, timeMs: now, logger: logger)
        let notEvaluated = RuleStatusBoard.notEvaluated(spec: spec)
        if !notEvaluated.isEmpty {
            logger.notice("rules not evaluated by trainscope yet: \(notEvaluated.joined(separator: ", ")) (it evaluates \(DebugRules.implemented.joined(separator: ", ")))")
        }
        logger.notice("job \(spec.name): metrics at http://\(displayHost):\(port)/metrics, database \(paths.database), logs in \(paths.logDirectory)")

        // Whatever can fail on our side (spool files, regexes, the store) fails before the child
        // exists, so a child never runs without someone reading its pipes.
        let child: ChildProcess
        let prepared: PreparedPipeline
        do {
            prepared = try PreparedPipeline(spec: spec, options: options, paths: paths, live: live, logger: logger, clock: clock)
            let ingestionURL: [(key: String, value: String)] = tensors == nil ? [] : [(key: "TRAINSCOPE_URL", value: "http://\(displayHost):\(port)")]
            let variables = ContainerConfig.environment(spec: spec, mlRoot: paths.mlRoot)
                + DebuggerContainerConfig.environment(request: spec.request, mlRoot: paths.mlRoot)
                + ingestionURL
                + spec.environment.map { (key: $0.key, value: $0.value) }
            child = try ChildProcess(arguments: options.command,
                                     environment: ChildProcess.environment(base: ProcessInfo.processInfo.environment,
                                                                           job: variables))
        } catch {
            logger.error("\(error)")
            let code = (error as? ChildProcess.SpawnError)?.exitStatus ?? 1
            let end = clock()
            status.transition("Failed", timeMs: end, message: "Training job failed")
            try status.with { try $0.finishJob(status: "Failed", secondaryStatus: "Failed",
                                              failureReason: "ClientError: \(error)", exitCode: code, endTimeMs: end) }
            live.update { $0.status = "Failed"; $0.secondaryStatus = "Failed" }
            exitStatus.store(code, ordering: .relaxed)
            return
        }
        let start = clock()
        try status.with { try $0.setStartTime(start) }
        status.transition("Training", timeMs: start, message: "Training in progress.")
        live.update { $0.secondaryStatus = "Training"; $0.startTimeMs = start }

        let pipeline = prepared.start(child: child)
        let flusher = tensors?.flushPeriodically()
        let watching = trial?.run()
        let profiler = EmbeddedProfiler.start(spec: spec, mlRoot: paths.mlRoot, database: paths.database, hostID: options.hostID,
                                              pid: child.pid, live: live, logger: logger)
        let forwarding = Task { await forwardSignals(signals, to: child, status: status) }
        let limit = Task { await enforceMaxRuntime(on: child, status: status) }
        let termination = await Self.wait(for: child)
        forwarding.cancel()
        limit.cancel()
        logger.info("training process \(child.pid) ended: \(termination)")
        await pipeline.drain(deadlineSeconds: 10)
        profiler?.stop()   // its last flush, and smdebug's training_job_end.ts
        flusher?.cancel()
        if let tensors {
            do { try tensors.ingestion.finish() } catch { logger.error("finishing the tensor trial in \(tensors.directory): \(error)") }
        } else if let trial = DebuggerContainerConfig.tensorDirectory(request: spec.request, mlRoot: paths.mlRoot),
                  FileManager.default.fileExists(atPath: trial) {
            // As the platform does on SageMaker: smdebug's hook does not mark the end under TRAINING_JOB_NAME.
            try? DebuggerContainerConfig.markTrialEnded(trial)
        }
        watching?.cancel()
        await watching?.value   // its last read sees the trial's end
        rules.finish(directory: DebuggerContainerConfig.tensorDirectory(request: spec.request, mlRoot: paths.mlRoot),
                     store: status, timeMs: clock(), logger: logger)

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
        await linger()
    }

    /// Keeps `/metrics` up after the job ended, so the scrape after the last values still finds
    /// them (a 15-60 s scrape interval would otherwise miss the end of every run). A stop signal
    /// ends it early.
    private func linger() async {
        let seconds = options.lingerSeconds
        guard seconds > 0 else { return }
        logger.notice("serving the final metrics for \(seconds) s more (--linger); SIGINT or SIGTERM ends it")
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
            group.addTask { for await _ in signals { return } }
            await group.next()
            group.cancelAll()
        }
    }

    private var displayHost: String { options.host.contains(":") ? "[\(options.host)]" : options.host }

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
