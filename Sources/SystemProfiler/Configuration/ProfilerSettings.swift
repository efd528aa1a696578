import JobSpec

/// What the system profiler does for one job, from its ProfilerConfig: on or off, how often, where
/// the smdebug files go and how they rotate.
public struct ProfilerSettings: Sendable, Equatable {
    /// ProfilerConfig.DisableProfiler.
    public var disabled: Bool
    /// ProfilingIntervalInMilliseconds; 500 when the request leaves it out, as the service does.
    public var intervalMilliseconds: Int
    /// Where the smdebug files go: ProfilingParameters.LocalPath with `/opt/ml` re-rooted under the
    /// ML root, default `<ml-root>/output/profiler`.
    public var localPath: String
    public var rotateMaxFileSizeInBytes: Int
    public var rotateFileCloseIntervalInSeconds: Int
    public var fileOpenFailThreshold: Int
    public var parameters: ProfilingParameters

    public init(disabled: Bool = false, intervalMilliseconds: Int = defaultIntervalMilliseconds, localPath: String,
                rotateMaxFileSizeInBytes: Int = defaultRotateMaxFileSizeInBytes,
                rotateFileCloseIntervalInSeconds: Int = defaultRotateFileCloseIntervalInSeconds,
                fileOpenFailThreshold: Int = defaultFileOpenFailThreshold, parameters: ProfilingParameters = ProfilingParameters()) {
        self.disabled = disabled
        self.intervalMilliseconds = intervalMilliseconds
        self.localPath = localPath
        self.rotateMaxFileSizeInBytes = rotateMaxFileSizeInBytes
        self.rotateFileCloseIntervalInSeconds = rotateFileCloseIntervalInSeconds
        self.fileOpenFailThreshold = fileOpenFailThreshold
        self.parameters = parameters
    }

    public static let defaultIntervalMilliseconds = 500
    /// smdebug's defaults (profiler_constants.py).
    public static let defaultRotateMaxFileSizeInBytes = 10_485_760
    public static let defaultRotateFileCloseIntervalInSeconds = 60
    public static let defaultFileOpenFailThreshold = 50
    /// SageMaker's container root, which trainscope's `--ml-root` stands for.
    public static let sageMakerRoot = "/opt/ml"

    /// The settings for `spec`, whose `ProfilerConfig` passed validation (so the interval is one of
    /// the allowed values), with warnings for ProfilingParameters values that were not used.
    public static func make(spec: TrainingJobSpec, mlRoot: String) -> (ProfilerSettings, warnings: [String]) {
        let config = spec.request["ProfilerConfig"]
        let entries: [(key: String, value: PythonLiteral)] = (config?["ProfilingParameters"]?.objectMembers ?? []).map { member in
            let value: PythonLiteral
            if let s = member.value.stringValue { value = .string(s) }
            else if let n = member.value.numberValue?.int64 { value = .int(n) }
            else { value = .none }
            return (member.key, value)
        }
        let (parameters, warnings) = ProfilingParameters.parse(entries)
        let settings = ProfilerSettings(
            disabled: spec.disableProfiler,
            intervalMilliseconds: spec.profilingIntervalMilliseconds ?? defaultIntervalMilliseconds,
            localPath: rerooted(parameters.localPath ?? "\(sageMakerRoot)/output/profiler", mlRoot: mlRoot),
            rotateMaxFileSizeInBytes: parameters.rotateMaxFileSizeInBytes ?? defaultRotateMaxFileSizeInBytes,
            rotateFileCloseIntervalInSeconds: parameters.rotateFileCloseIntervalInSeconds ?? defaultRotateFileCloseIntervalInSeconds,
            fileOpenFailThreshold: parameters.fileOpenFailThreshold ?? defaultFileOpenFailThreshold,
            parameters: parameters)
        return (settings, warnings)
    }

    /// `/opt/ml/x` becomes `<mlRoot>/x`; any other path is kept as written.
    public static func rerooted(_ path: String, mlRoot: String) -> String {
        var trimmed = path
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        if trimmed == sageMakerRoot { return mlRoot }
        if trimmed.hasPrefix(sageMakerRoot + "/") { return mlRoot + trimmed.dropFirst(sageMakerRoot.count) }
        return trimmed
    }

    /// The smdebug file sink's configuration for these settings.
    public var fileSinkConfiguration: SmdebugFileSink.Configuration {
        SmdebugFileSink.Configuration(localPath: localPath, rotateMaxFileSizeInBytes: rotateMaxFileSizeInBytes,
                                      rotateFileCloseIntervalInSeconds: rotateFileCloseIntervalInSeconds,
                                      fileOpenFailThreshold: fileOpenFailThreshold)
    }
}
