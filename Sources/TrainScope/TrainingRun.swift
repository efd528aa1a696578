#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Exposition
import Hummingbird
import JobSpec
import Logging
import ServiceLifecycle
import Store
import TensorIO

/// `trainscope run`: everything that can fail on bad input fails here, before the child starts:
/// the job spec, the folders, the database, the listening socket.
public enum TrainingRun {
    public static func run(_ options: RunOptions, logger: Logger, clock: @escaping MillisecondClock = SystemClock.milliseconds) async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        guard let spec = CommandPreflight.loadJob(options.jobPath, logger: logger),
              CommandPreflight.checkHostID(options.hostID, logger: logger) else { return 1 }
        let paths: RunPaths
        do {
            paths = try RunPaths.prepare(options: options, jobName: spec.name)
            try ContainerConfig.write(spec: spec, hostID: options.hostID, mlRoot: paths.mlRoot)
            // debughookconfig.json, tensorboardoutputconfig.json, profilerconfig.json, with their paths
            // re-rooted, so a script using smdebug's own hook writes where trainscope reads.
            try DebuggerContainerConfig.write(request: spec.request, mlRoot: paths.mlRoot)
            let store = try MetricStore(path: paths.database)
            if let existing = try store.job() {
                logger.error("\(paths.database) already holds training job \(existing.name) (\(existing.status)); job names are unique, as on SageMaker: use a new TrainingJobName or --db")
                return 1
            }
        } catch {
            logger.error("\(error)")
            return 1
        }

        let live = LiveMetrics(jobName: spec.name, hostID: options.hostID, metricNames: spec.metricDefinitions.map(\.name))
        let tensors: EmbeddedIngestion?
        do {
            tensors = try EmbeddedIngestion.make(spec: spec, mlRoot: paths.mlRoot, hostID: options.hostID, logger: logger)
        } catch {
            logger.error("\(error)")
            return 1
        }
        let routes = EmbeddedIngestion.mount(tensors, on: live)
        let trial = TrialWatcher.make(spec: spec, mlRoot: paths.mlRoot, override: nil, hostID: options.hostID, logger: logger)
        if let trial { live.addFamilies { trial.families() } }
        let server = MetricsServer(configuration: .init(host: options.host, port: options.port), logger: quiet(logger),
                                   extraRoutes: routes) {
            live.families()
        }
        let (ready, readyContinuation) = AsyncStream<Int>.makeStream()
        let app = server.application { port in readyContinuation.yield(port) }
        let supervisor = TrainingSupervisor(spec: spec, options: options, paths: paths, live: live, logger: logger,
                                            clock: clock, ready: ready, tensors: tensors, trial: trial)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: supervisor, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [], cancellationSignals: [], logger: quiet(logger)))
        do {
            try await group.run()
        } catch {
            readyContinuation.finish()
            logger.error("\(describe(error, host: options.host, port: options.port))")
            let status = supervisor.exitStatus.load(ordering: .relaxed)
            return status == 0 ? 1 : status
        }
        return supervisor.exitStatus.load(ordering: .relaxed)
    }

    /// A bind failure from NIO reads "bind(descriptor:ptr:bytes:): Address already in use (errno: 98)";
    /// say which address instead.
    static func describe(_ error: any Error, host: String, port: Int) -> String {
        let text = "\(error)"
        if text.contains("bind(") || text.contains("Address already in use") || text.contains("Cannot assign") {
            return "cannot listen on \(host):\(port): \(text)"
        }
        return text
    }

    /// Library chatter (Hummingbird's "Server started") stays below notice unless asked for.
    static func quiet(_ logger: Logger) -> Logger {
        var l = logger
        if l.logLevel < .warning { l.logLevel = .warning }
        return l
    }
}

enum HostID {
    static func isValid(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F
        }
    }
}
