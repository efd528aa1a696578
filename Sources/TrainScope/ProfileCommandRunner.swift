#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Exposition
import Foundation
import JobSpec
import Logging
import ServiceLifecycle
import Store
import SystemProfiler

/// Everything `trainscope profile` needs, already parsed by the executable.
public struct ProfileOptions: Sendable {
    public var jobPath: String
    /// Defaults to `.trainscope/<job name>`, as for `run`.
    public var mlRoot: String?
    /// Defaults to `<ml root>/trainscope.db`.
    public var databasePath: String?
    public var host: String
    public var port: Int
    /// smdebug's NodeId; smdebug's readers only take `algo-<n>`.
    public var hostID: String
    /// Also watch this process and its descendants.
    public var pid: Int32?
    /// Stop after this many seconds; nil runs until SIGINT or SIGTERM.
    public var durationSeconds: Double?
    public var procRoot: String
    public var sysRoot: String
    /// Defaults to `<sys root>/fs/cgroup`.
    public var cgroupRoot: String?

    public init(jobPath: String, mlRoot: String? = nil, databasePath: String? = nil, host: String = "127.0.0.1",
                port: Int = 9478, hostID: String = "algo-1", pid: Int32? = nil, durationSeconds: Double? = nil,
                procRoot: String = "/proc", sysRoot: String = "/sys", cgroupRoot: String? = nil) {
        self.jobPath = jobPath
        self.mlRoot = mlRoot
        self.databasePath = databasePath
        self.host = host
        self.port = port
        self.hostID = hostID
        self.pid = pid
        self.durationSeconds = durationSeconds
        self.procRoot = procRoot
        self.sysRoot = sysRoot
        self.cgroupRoot = cgroupRoot
    }
}

/// `trainscope profile`: the system profiler alone, as SageMaker's system monitor runs beside a
/// training container. It samples every ProfilingIntervalInMilliseconds until `--duration` ends or
/// SIGINT/SIGTERM, writing smdebug's files under the profiler LocalPath, every sample to the
/// database, and the latest to `/metrics`. Everything that can fail on bad input fails before the
/// first sample.
public enum ProfileCommandRunner {
    public static func run(_ options: ProfileOptions, logger: Logger,
                           environment: [String: String] = ProcessInfo.processInfo.environment) async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        guard let spec = CommandPreflight.loadJob(options.jobPath, logger: logger),
              CommandPreflight.checkHostID(options.hostID, logger: logger) else { return 1 }
        if !isSageMakerNodeID(options.hostID) {
            logger.warning("--host-id \(options.hostID): smdebug reads system-metric files of nodes named algo-<n> only and will skip these")
        }
        let mlRoot = options.mlRoot ?? ".trainscope/\(spec.name)"
        let (settings, warnings) = ProfilerSettings.make(spec: spec, mlRoot: mlRoot)
        for w in warnings { logger.warning("\(w)") }
        if settings.disabled {
            logger.notice("job \(spec.name): ProfilerConfig.DisableProfiler is true; nothing to profile")
            return 0
        }
        if let pid = options.pid, access("\(options.procRoot)/\(pid)/stat", R_OK) != 0 {
            logger.error("--pid \(pid): no such process in \(options.procRoot)")
            return 1
        }
        let databasePath = options.databasePath ?? "\(mlRoot)/trainscope.db"
        let storeSink: StoreSink
        do {
            try FileManager.default.createDirectory(atPath: mlRoot, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: settings.localPath, withIntermediateDirectories: true)
            storeSink = StoreSink(store: try MetricStore(path: databasePath))
        } catch {
            logger.error("\(describe(error))")
            return 1
        }

        let sources = SystemSources(procRoot: options.procRoot, sysRoot: options.sysRoot, cgroupRoot: options.cgroupRoot,
                                    pid: options.pid, diskSpacePath: mlRoot)
        let collectors = CollectorSet.make(sources, environment: environment, logger: logger)
        let sampler = Sampler(
            configuration: .init(intervalMilliseconds: settings.intervalMilliseconds, nodeID: options.hostID,
                                 durationSeconds: options.durationSeconds,
                                 labels: [MetricLabel("host", options.hostID), MetricLabel("training_job", spec.name)]),
            collectors: collectors, sinks: [SmdebugFileSink(configuration: settings.fileSinkConfiguration), storeSink],
            logger: logger)

        let server = MetricsServer(configuration: .init(host: options.host, port: options.port),
                                   logger: TrainingRun.quiet(logger)) { sampler.latestFamilies() }
        let displayHost = options.host.contains(":") ? "[\(options.host)]" : options.host
        let names = collectors.map(\.name).joined(separator: ", ")
        let (ready, readyContinuation) = AsyncStream<Int>.makeStream()
        let app = server.application { port in readyContinuation.yield(port) }
        let profiler = AfterBind(ready: ready, sampler: sampler) { port in
            logger.notice("""
                profiling job \(spec.name) every \(settings.intervalMilliseconds) ms (\(names)): \
                metrics at http://\(displayHost):\(port)/metrics, files in \(settings.localPath), database \(databasePath)
                """)
        }
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: profiler, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: TrainingRun.quiet(logger)))
        do {
            try await group.run()
        } catch {
            readyContinuation.finish()
            sampler.stop()
            logger.error("\(TrainingRun.describe(error, host: options.host, port: options.port))")
            return 1
        }
        sampler.stop()
        let s = sampler.statistics
        logger.notice("profiled \(s.samples) samples, \(s.lateTicks) late ticks, \(String(format: "%.3f", s.cpuSeconds)) s of CPU")
        return 0
    }

    /// Runs the sampler once the endpoint listens, so a port already in use fails before any sample.
    struct AfterBind: Service {
        let ready: AsyncStream<Int>
        let sampler: Sampler
        let announce: @Sendable (Int) -> Void

        func run() async throws {
            var iterator = ready.cancelOnGracefulShutdown().makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            announce(port)
            try await SamplerService(sampler).run()
        }
    }

    /// smdebug's file pattern wants `algo-<digits>`.
    static func isSageMakerNodeID(_ id: String) -> Bool {
        id.hasPrefix("algo-") && id.count > 5 && id.dropFirst(5).allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? SQLiteError { return "\(error)" }
        return (error as NSError).localizedDescription
    }
}
