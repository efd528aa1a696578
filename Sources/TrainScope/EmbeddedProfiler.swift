import Foundation
import JobSpec
import Logging
import Store
import SystemProfiler

/// The system profiler inside `run` and `tail`, as SageMaker's system monitor runs beside every
/// training container unless ProfilerConfig.DisableProfiler says otherwise. Its latest samples join
/// the job's families on `/metrics`; its samples go to smdebug's files and the same database.
enum EmbeddedProfiler {
    /// A started sampler, or nil when the job disables profiling. Failing to set it up is a notice,
    /// not an error: the metrics from the logs are what the job cannot do without.
    static func start(spec: TrainingJobSpec, mlRoot: String, database: String, hostID: String, pid: Int32?,
                      live: LiveMetrics, logger: Logger) -> Sampler? {
        let (settings, warnings) = ProfilerSettings.make(spec: spec, mlRoot: mlRoot)
        for w in warnings { logger.warning("\(w)") }
        guard !settings.disabled else {
            logger.info("ProfilerConfig.DisableProfiler is true: no system profiling")
            return nil
        }
        do {
            try FileManager.default.createDirectory(atPath: settings.localPath, withIntermediateDirectories: true)
            let collectors = CollectorSet.make(SystemSources(procRoot: "/proc", sysRoot: "/sys", pid: pid, diskSpacePath: mlRoot),
                                               environment: ProcessInfo.processInfo.environment, logger: logger)
            let sampler = Sampler(
                configuration: .init(intervalMilliseconds: settings.intervalMilliseconds, nodeID: hostID,
                                     labels: [MetricLabel("host", hostID), MetricLabel("training_job", spec.name)]),
                collectors: collectors,
                sinks: [SmdebugFileSink(configuration: settings.fileSinkConfiguration), StoreSink(store: try MetricStore(path: database))],
                logger: logger)
            live.addFamilies { sampler.latestFamilies() }
            sampler.start()
            logger.info("system profiler every \(settings.intervalMilliseconds) ms, files in \(settings.localPath)")
            return sampler
        } catch {
            logger.notice("system profiling is off: \(error)")
            return nil
        }
    }
}
