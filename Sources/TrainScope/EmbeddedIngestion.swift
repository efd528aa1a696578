#if canImport(Glibc)
import Glibc
#endif
import Exposition
import Foundation
import Hummingbird
import JobSpec
import Logging
import TensorIO

/// The tensor ingestion API inside `run` and `tail`, for training code without smdebug's hook: with a
/// DebugHookConfig, `POST /v1/tensors` and `PUT /v1/tensors/<name>` sit beside `/metrics`, write the
/// trial under the hook's LocalPath (re-rooted) as the hook configuration decides, and the trial is
/// finished (`training_job_end.ts`) when the job ends. The child finds the URL in `TRAINSCOPE_URL`.
struct EmbeddedIngestion: Sendable {
    let ingestion: TensorIngestion
    let directory: String
    let labels: [(String, String)]

    /// nil without a DebugHookConfig; throws on a hook configuration that cannot be used. The trial
    /// goes to `directory`, by default the hook's LocalPath re-rooted under `mlRoot`.
    static func make(spec: TrainingJobSpec, mlRoot: String, directory override: String? = nil, hostID: String,
                     logger: Logger) throws -> EmbeddedIngestion? {
        guard let json = spec.request["DebugHookConfig"], json != .null,
              let directory = override ?? DebuggerContainerConfig.tensorDirectory(request: spec.request, mlRoot: mlRoot) else { return nil }
        let hook = try DebugHookConfiguration(json: json)
        for warning in hook.warnings { logger.warning("DebugHookConfig: \(warning)") }
        let writer = try SmdebugTrialWriter(directory: directory, collections: hook.collections, numWorkers: 1, asynchronousIO: true)
        let tensorBoard = DebuggerContainerConfig.tensorBoardDirectory(request: spec.request, mlRoot: mlRoot)
        let ingestion = TensorIngestion(configuration: .init(hook: hook, tensorBoardDirectory: tensorBoard, hostname: hostID),
                                        writer: writer)
        // A trial already there (`tail` restarted while training goes on): continue it. The end
        // marker its last stop wrote goes, as the job goes back to InProgress.
        let point = ingestion.resumeExistingTrial()
        if !point.workers.isEmpty {
            let steps = point.workers.sorted { $0.key < $1.key }.map { "\($0.key) after step \($0.value.lastStep)" }
            logger.notice("continuing the tensor trial in \(directory): \(steps.joined(separator: ", "))")
        }
        if unlink("\(directory)/\(TrialLayout.endMarker)") == 0 {
            logger.notice("the tensor trial in \(directory) was marked ended; it is open again")
        }
        for path in point.unreadable { logger.warning("tensor trial: cannot read \(path); its step is not taken into account") }
        return EmbeddedIngestion(ingestion: ingestion, directory: directory, labels: [("host", hostID), ("training_job", spec.name)])
    }

    /// Closes the open steps every few seconds, so readers (rules, `tensors dump`) see them.
    func flushPeriodically(everySeconds seconds: Double = 5) -> Task<Void, Never> {
        let ingestion = self.ingestion
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(seconds))
                try? ingestion.flush()
            }
        }
    }

    var families: [MetricFamily] { TensorsCommandRunner.metricFamilies(ingestion, labels: labels) }

    /// Puts the ingestion's counters on `live` and returns the routes for the server (nil without one).
    static func mount(_ tensors: EmbeddedIngestion?, on live: LiveMetrics) -> (@Sendable (Router<BasicRequestContext>) -> Void)? {
        guard let tensors else { return nil }
        live.addFamilies { tensors.families }
        return { tensors.ingestion.register(on: $0) }
    }
}
