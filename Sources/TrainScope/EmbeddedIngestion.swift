import Exposition
import Foundation
import JobSpec
import Logging
import TensorIO

/// The tensor ingestion API inside `run`, for training code without smdebug's hook: with a
/// DebugHookConfig, `POST /v1/tensors` and `PUT /v1/tensors/<name>` sit beside `/metrics`, write the
/// trial under the hook's LocalPath (re-rooted) as the hook configuration decides, and the trial is
/// finished (`training_job_end.ts`) when the job ends. The child finds the URL in `TRAINSCOPE_URL`.
struct EmbeddedIngestion: Sendable {
    let ingestion: TensorIngestion
    let directory: String
    let labels: [(String, String)]

    /// nil without a DebugHookConfig; throws on a hook configuration that cannot be used.
    static func make(spec: TrainingJobSpec, mlRoot: String, hostID: String, logger: Logger) throws -> EmbeddedIngestion? {
        guard let json = spec.request["DebugHookConfig"], json != .null,
              let directory = DebuggerContainerConfig.tensorDirectory(request: spec.request, mlRoot: mlRoot) else { return nil }
        let hook = try DebugHookConfiguration(json: json)
        for warning in hook.warnings { logger.warning("DebugHookConfig: \(warning)") }
        let writer = try SmdebugTrialWriter(directory: directory, collections: hook.collections, numWorkers: 1, asynchronousIO: true)
        let tensorBoard = DebuggerContainerConfig.tensorBoardDirectory(request: spec.request, mlRoot: mlRoot)
        return EmbeddedIngestion(ingestion: TensorIngestion(configuration: .init(hook: hook, tensorBoardDirectory: tensorBoard,
                                                                                 hostname: hostID), writer: writer),
                                 directory: directory, labels: [("host", hostID), ("training_job", spec.name)])
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
}
