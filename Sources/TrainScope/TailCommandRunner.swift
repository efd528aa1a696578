#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Exposition
import Foundation
import JobSpec
import LogMetrics
import LogSources
import Logging
import ServiceLifecycle
import Store
import Synchronization
import TensorIO
import UnixSignals

/// `trainscope tail`: the sidecar that cannot wrap the training process and reads its log instead.
/// Every followed file commits its offset with the values extracted up to it, so a restart after
/// kill -9 goes on exactly where the store ends.
public enum TailCommandRunner {
    public static func run(_ options: TailOptions, logger: Logger, clock: @escaping MillisecondClock = SystemClock.milliseconds) async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        guard let spec = CommandPreflight.loadJob(options.jobPath, logger: logger),
              CommandPreflight.checkHostID(options.hostID, logger: logger) else { return 1 }
        if options.paths.contains("-") && options.paths.count > 1 {
            logger.error("- (standard input) must be the only PATH: it is read to its end, one line at a time")
            return 1
        }
        let database = options.databasePath ?? ".trainscope/\(spec.name)/trainscope.db"
        let live = LiveMetrics(jobName: spec.name, hostID: options.hostID, metricNames: spec.metricDefinitions.map(\.name),
                               followsFiles: true)
        let prepared: PreparedTail
        do {
            try FileManager.default.createDirectory(atPath: (database as NSString).deletingLastPathComponent.isEmpty ? "." :
                                                    (database as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            prepared = try PreparedTail(spec: spec, options: options, database: database, live: live, logger: logger, clock: clock)
        } catch {
            logger.error("\(error)")
            return 1
        }
        // With a DebugHookConfig the ingestion API sits beside /metrics, as in `run`: in a pod, the
        // training container reaches it on localhost.
        let tensors: EmbeddedIngestion?
        do {
            tensors = try EmbeddedIngestion.make(spec: spec, mlRoot: PreparedTail.mlRoot(database: database),
                                                 directory: options.trialDirectory, hostID: options.hostID, logger: logger)
        } catch {
            logger.error("\(error)")
            return 1
        }
        let routes = EmbeddedIngestion.mount(tensors, on: live)
        let server = MetricsServer(configuration: .init(host: options.host, port: options.port), logger: TrainingRun.quiet(logger),
                                   extraRoutes: routes) {
            live.families()
        }
        let (ready, readyContinuation) = AsyncStream<Int>.makeStream()
        let app = server.application { port in readyContinuation.yield(port) }
        let service = TailService(prepared: prepared, options: options, database: database, live: live, logger: logger,
                                  clock: clock, ready: ready, tensors: tensors)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [], cancellationSignals: [], logger: TrainingRun.quiet(logger)))
        do {
            try await group.run()
        } catch {
            readyContinuation.finish()
            logger.error("\(TrainingRun.describe(error, host: options.host, port: options.port))")
            return 1
        }
        return service.exitStatus.load(ordering: .relaxed)
    }
}

/// The store, the sources and the extraction thread of a tail, made before anything listens.
final class PreparedTail: @unchecked Sendable {
    let pipeline: ExtractionPipeline
    let writer: StoreWriter
    let watcher = FileWatcher()
    let status: StatusRecorder
    let spec: TrainingJobSpec
    private let globs: [String]
    private var known: Set<String>
    private let makeSource: (String) throws -> any LineSource & Sendable

    init(spec: TrainingJobSpec, options: TailOptions, database: String, live: LiveMetrics, logger: Logger,
         clock: @escaping MillisecondClock) throws {
        self.spec = spec
        let store = try MetricStore(path: database)
        if let existing = try store.job(), existing.name != spec.name {
            throw RunPaths.Error(description: "\(database) holds training job \(existing.name), not \(spec.name): use another --db")
        }
        status = try StatusRecorder(path: database)
        let now = clock()
        try status.with { try $0.startJob(JobRecord(name: spec.name, hostId: options.hostID, status: "InProgress",
                                                    secondaryStatus: "Training", failureReason: nil, creationTimeMs: now,
                                                    startTimeMs: now, endTimeMs: nil, exitCode: nil,
                                                    requestJSON: JSONSerializer.string(spec.request, style: .compact)),
                                          definitions: spec.metricDefinitions.map { (name: $0.name, regex: $0.regex) }) }
        status.transition("Training", timeMs: now, message: "Following \(options.paths.joined(separator: " ")).")
        live.update { $0.secondaryStatus = "Training"; $0.startTimeMs = now }

        let configuration = FileFollower.Configuration(maxLineBytes: options.maxLineBytes, startAtEnd: options.fromEnd)
        let watcher = self.watcher
        makeSource = { path in
            let id = try store.sourceID(name: path)
            let slot = live.addSource(label: path)
            if path == "-" {
                let source = StdinLineSource(slot: slot, sourceID: id, maxLineBytes: options.maxLineBytes, clock: clock)
                watcher.watch(fd: source.fd)
                return source
            }
            watcher.watch(path: path)
            return FollowedFileSource(name: path, slot: slot, sourceID: id, format: options.format,
                                      resume: try store.position(source: path), configuration: configuration,
                                      clock: clock, logger: logger)
        }
        globs = options.paths.filter(Self.isGlob)
        var sources: [any LineSource & Sendable] = []
        var names: [String] = []
        for path in options.paths {
            for name in Self.isGlob(path) ? Self.expand(path) : [path] where !names.contains(name) {
                names.append(name)
                sources.append(try makeSource(name))
            }
            if Self.isGlob(path) { watcher.watch(path: path) }   // new matches appear in that folder
        }
        known = Set(names)
        let last = try store.lastSeq()
        let firstSeq = (0..<spec.metricDefinitions.count).map { (last[$0] ?? -1) + 1 }
        writer = StoreWriter(store: store, live: live, logger: logger)
        let rescan = Rescan(lastMs: clock())
        let waiting = ExtractionPipeline.Waiting(
            current: { 0 },
            wait: { _, _ in
                watcher.wait(timeoutMs: watcher.isEventDriven ? 1000 : 250)
                // Only the extraction thread calls this, so the state needs no lock.
                let now = clock()
                if now - rescan.lastMs >= Rescan.everyMs { rescan.lastMs = now; rescan.owner?.rescan(logger: logger) }
            },
            writerFinished: { _ in false })
        pipeline = ExtractionPipeline(sources: sources, extractor: try MetricExtractor(definitions: spec.metricDefinitions),
                                      writer: writer, live: live, waiting: waiting, firstSeq: firstSeq,
                                      slots: max(1, sources.count),
                                      scalars: try TensorBoardScalars.writer(spec: spec, mlRoot: Self.mlRoot(database: database),
                                                                             hostID: options.hostID),
                                      clock: clock)
        rescan.owner = self
    }

    /// When the globs were last expanded again; touched by the extraction thread only.
    private final class Rescan: @unchecked Sendable {
        static let everyMs: Int64 = 2000
        var lastMs: Int64
        weak var owner: PreparedTail?
        init(lastMs: Int64) { self.lastMs = lastMs }
    }

    /// New files matching a glob are followed from their start.
    private func rescan(logger: Logger) {
        for glob in globs {
            for name in Self.expand(glob) where !known.contains(name) {
                known.insert(name)
                do {
                    pipeline.add(try makeSource(name))
                    logger.notice("following \(name) (matches \(glob))")
                } catch {
                    logger.error("cannot follow \(name): \(error)")
                }
            }
        }
    }

    /// A tail has no --ml-root: its files go beside the database.
    static func mlRoot(database: String) -> String {
        let folder = (database as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }

    static func isGlob(_ path: String) -> Bool { path.contains(where: { "*?[".contains($0) }) }

    /// Regular files matching `pattern`, sorted.
    static func expand(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            guard let p = g.gl_pathv[i] else { continue }
            let path = String(cString: p)
            var st = stat()
            if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG || (st.st_mode & S_IFMT) == S_IFIFO { out.append(path) }
        }
        return out.sorted()
    }
}

/// Runs the tail until a stop signal (or the end of standard input), then stores what was read.
final class TailService: Service, @unchecked Sendable {
    let prepared: PreparedTail
    let options: TailOptions
    let database: String
    let live: LiveMetrics
    let logger: Logger
    let clock: MillisecondClock
    let ready: AsyncStream<Int>
    let tensors: EmbeddedIngestion?
    let exitStatus = Atomic<Int32>(0)

    init(prepared: PreparedTail, options: TailOptions, database: String, live: LiveMetrics, logger: Logger,
         clock: @escaping MillisecondClock, ready: AsyncStream<Int>, tensors: EmbeddedIngestion? = nil) {
        self.tensors = tensors
        self.prepared = prepared
        self.options = options
        self.database = database
        self.live = live
        self.logger = logger
        self.clock = clock
        self.ready = ready
    }

    func run() async throws {
        // Trap the stop signals first: one that came while the port was opening would otherwise end
        // the process with the job left InProgress.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup)
        var iterator = ready.cancelOnGracefulShutdown().makeAsyncIterator()
        guard let port = await iterator.next() else { return }
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        logger.notice("following \(options.paths.joined(separator: " ")): metrics at http://\(host):\(port)/metrics, database \(database)")
        let pipeline = prepared.pipeline, writer = prepared.writer, watcher = prepared.watcher
        writer.start()
        pipeline.start()
        let profiler = EmbeddedProfiler.start(spec: prepared.spec, mlRoot: PreparedTail.mlRoot(database: database), database: database,
                                              hostID: options.hostID, pid: nil, live: live, logger: logger)
        let trial = TrialWatcher.make(spec: prepared.spec, mlRoot: PreparedTail.mlRoot(database: database),
                                      override: options.trialDirectory, hostID: options.hostID, logger: logger)
        if let trial {
            live.addFamilies { trial.families() }
            logger.info("watching the Debugger trial in \(trial.directory)")
        }
        let watching = trial?.run()
        let flusher = tensors?.flushPeriodically()
        if let tensors { logger.notice("tensor ingestion at http://\(host):\(port)/v1/tensors, trial \(tensors.directory)") }
        let stoppedBySignal = Atomic<Bool>(false)
        let stopper = Task {
            for await signal in signals {
                logger.notice("\(JobOutcome.signalName(signal.rawValue)): storing what was read, then stopping")
                stoppedBySignal.store(true, ordering: .relaxed)
                pipeline.stop()
                watcher.wake()
                return
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                pipeline.waitUntilFinished()
                writer.waitUntilFinished()
                continuation.resume()
            }
            thread.start()
        }
        stopper.cancel()
        profiler?.stop()
        flusher?.cancel()
        if let tensors {
            // As the job's status: a stopped tail marks the trial ended; a tail started again on it
            // takes the marker away and goes on (see EmbeddedIngestion.make).
            do { try tensors.ingestion.finish() } catch { logger.error("finishing the tensor trial in \(tensors.directory): \(error)") }
        }
        watching?.cancel()
        await watching?.value
        let end = clock()
        let stopped = stoppedBySignal.load(ordering: .relaxed)
        let (status, secondary) = stopped ? ("Stopped", "Stopped") : ("Completed", "Completed")
        prepared.status.transition(secondary, timeMs: end, message: stopped ? "trainscope tail stopped." : "The input ended.")
        try prepared.status.with { try $0.finishJob(status: status, secondaryStatus: secondary, failureReason: nil,
                                                   exitCode: nil, endTimeMs: end) }
        live.update { $0.status = status; $0.secondaryStatus = secondary }
    }
}
