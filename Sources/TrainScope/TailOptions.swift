import LogSources

/// Everything `trainscope tail` needs, already parsed by the executable.
public struct TailOptions: Sendable {
    public var jobPath: String
    /// Defaults to `.trainscope/<TrainingJobName>/trainscope.db`.
    public var databasePath: String?
    public var host: String
    public var port: Int
    public var hostID: String
    /// nil: detect each file's format from its first line.
    public var format: LogFormat?
    public var fromEnd: Bool
    public var maxLineBytes: Int
    /// Paths, globs, or `-` for standard input.
    public var paths: [String]
    /// The Debugger trial folder to watch; nil: DebugHookConfig.LocalPath re-rooted under the
    /// database's folder (none without a DebugHookConfig).
    public var trialDirectory: String?

    public init(jobPath: String, databasePath: String? = nil, host: String = "127.0.0.1", port: Int = 9478,
                hostID: String = "algo-1", format: LogFormat? = nil, fromEnd: Bool = false,
                maxLineBytes: Int = 1 << 20, paths: [String], trialDirectory: String? = nil) {
        self.jobPath = jobPath
        self.databasePath = databasePath
        self.host = host
        self.port = port
        self.hostID = hostID
        self.format = format
        self.fromEnd = fromEnd
        self.maxLineBytes = maxLineBytes
        self.paths = paths
        self.trialDirectory = trialDirectory
    }
}
