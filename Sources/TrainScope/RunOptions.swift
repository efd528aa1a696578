/// Everything `trainscope run` needs, already parsed by the executable.
public struct RunOptions: Sendable {
    public var jobPath: String
    /// The SageMaker-style root (`/opt/ml` on SageMaker); defaults to `.trainscope/<job name>`.
    public var mlRoot: String?
    /// Defaults to `<ml root>/trainscope.db`.
    public var databasePath: String?
    public var host: String
    public var port: Int
    public var hostID: String
    /// Seconds between SIGTERM and SIGKILL when stopping (SageMaker gives 120).
    public var stopGraceSeconds: Double
    public var maxLineBytes: Int
    /// Seconds to keep serving `/metrics` after the job ended, for a last scrape.
    public var lingerSeconds: Double
    public var command: [String]

    public init(jobPath: String, mlRoot: String? = nil, databasePath: String? = nil, host: String = "127.0.0.1",
                port: Int = 9478, hostID: String = "algo-1", stopGraceSeconds: Double = 120,
                maxLineBytes: Int = 1 << 20, lingerSeconds: Double = 0, command: [String]) {
        self.jobPath = jobPath
        self.mlRoot = mlRoot
        self.databasePath = databasePath
        self.host = host
        self.port = port
        self.hostID = hostID
        self.stopGraceSeconds = stopGraceSeconds
        self.maxLineBytes = maxLineBytes
        self.lingerSeconds = lingerSeconds
        self.command = command
    }
}
