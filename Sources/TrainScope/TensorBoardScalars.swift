import JobSpec
import TensorIO

/// TensorBoardOutputConfig for the log-derived metrics: an event file under its LocalPath
/// (re-rooted under the ML root), so TensorBoard shows every MetricDefinition as a scalar.
enum TensorBoardScalars {
    static func writer(spec: TrainingJobSpec, mlRoot: String, hostID: String) throws -> TensorBoardWriter? {
        guard let directory = DebuggerContainerConfig.tensorBoardDirectory(request: spec.request, mlRoot: mlRoot) else { return nil }
        return try TensorBoardWriter(directory: directory, hostname: hostID, fileSuffix: ".trainscope")
    }
}
