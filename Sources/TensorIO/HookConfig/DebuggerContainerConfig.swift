import Foundation
import JobSpec

/// What SageMaker gives a training container for the debugger (sagemaker-api.md 5.5), re-rooted under
/// trainscope's ML root: the tensor and TensorBoard directories, the config files smdebug's hook reads
/// (`input/config/debughookconfig.json`, `tensorboardoutputconfig.json`, `profilerconfig.json`) and
/// the variables that point smdebug at them.
public enum DebuggerContainerConfig {
    public static let sageMakerRoot = "/opt/ml"

    /// A container path under `/opt/ml` moved under `mlRoot`; other paths are kept.
    public static func reroot(_ path: String, mlRoot: String) -> String {
        if path == sageMakerRoot { return mlRoot }
        if path.hasPrefix(sageMakerRoot + "/") { return mlRoot + path.dropFirst(sageMakerRoot.count) }
        return path
    }

    /// `DebugHookConfig.LocalPath` (default `/opt/ml/output/tensors`), re-rooted; nil without a DebugHookConfig.
    public static func tensorDirectory(request: JSONValue, mlRoot: String) -> String? {
        guard let hook = request["DebugHookConfig"], hook != .null else { return nil }
        return reroot(trimmed(hook["LocalPath"]?.stringValue) ?? DebugHookConfiguration.defaultLocalPath, mlRoot: mlRoot)
    }

    /// `TensorBoardOutputConfig.LocalPath` (default `/opt/ml/output/tensorboard`), re-rooted; nil without one.
    public static func tensorBoardDirectory(request: JSONValue, mlRoot: String) -> String? {
        guard let tb = request["TensorBoardOutputConfig"], tb != .null else { return nil }
        return reroot(trimmed(tb["LocalPath"]?.stringValue) ?? "/opt/ml/output/tensorboard", mlRoot: mlRoot)
    }

    /// The config files to write under `<mlRoot>/input/config/`, name and bytes, for the members the
    /// request has. Their `LocalPath`s are the re-rooted ones, so smdebug's own hook writes where
    /// trainscope reads.
    public static func files(request: JSONValue, mlRoot: String) -> [(name: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = []
        if let hook = request["DebugHookConfig"], case .object(var members) = hook,
           let dir = tensorDirectory(request: request, mlRoot: mlRoot) {
            members.removeAll { $0.key == "LocalPath" }
            members.append(JSONMember("LocalPath", .string(dir)))
            out.append(("debughookconfig.json", Array((JSONSerializer.string(.object(members)) + "\n").utf8)))
        }
        if let dir = tensorBoardDirectory(request: request, mlRoot: mlRoot) {
            var members = request["TensorBoardOutputConfig"]?.objectMembers ?? []
            members.removeAll { $0.key == "LocalPath" }
            members.append(JSONMember("LocalPath", .string(dir)))
            out.append(("tensorboardoutputconfig.json", Array((JSONSerializer.string(.object(members)) + "\n").utf8)))
        }
        if let profiler = request["ProfilerConfig"], profiler != .null {
            out.append(("profilerconfig.json", Array((JSONSerializer.string(profiler) + "\n").utf8)))
        }
        return out
    }

    /// Writes `files(request:mlRoot:)` into `<mlRoot>/input/config` and returns their paths.
    @discardableResult
    public static func write(request: JSONValue, mlRoot: String) throws -> [String] {
        let dir = "\(mlRoot)/input/config"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var paths: [String] = []
        for (name, bytes) in files(request: request, mlRoot: mlRoot) {
            let path = "\(dir)/\(name)"
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw TrialWriteError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            paths.append(path)
        }
        return paths
    }

    /// The variables smdebug reads the config files' locations from (set only for files that exist).
    public static func environment(request: JSONValue, mlRoot: String) -> [(key: String, value: String)] {
        let dir = "\(mlRoot)/input/config"
        var env: [(key: String, value: String)] = []
        for (name, _) in files(request: request, mlRoot: mlRoot) {
            switch name {
            case "debughookconfig.json": env.append((key: "SMDEBUG_CONFIG_FILE_PATH", value: "\(dir)/\(name)"))
            case "tensorboardoutputconfig.json": env.append((key: "TENSORBOARD_CONFIG_FILE_PATH", value: "\(dir)/\(name)"))
            case "profilerconfig.json": env.append((key: "SMPROFILER_CONFIG_PATH", value: "\(dir)/\(name)"))
            default: break
            }
        }
        return env
    }

    /// Writes `training_job_end.ts` into a trial directory. In SageMaker the platform does this, and
    /// smdebug's hook does not when `TRAINING_JOB_NAME` is set, as it is under `trainscope run`: call
    /// this when the job ends, or readers keep waiting for more steps.
    public static func markTrialEnded(_ directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(TrialLayout.endMarker)"
        guard FileManager.default.createFile(atPath: path, contents: Data()) else {
            throw TrialWriteError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func trimmed(_ s: String?) -> String? {
        guard var s, !s.isEmpty else { return nil }
        while s.count > 1 && s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
