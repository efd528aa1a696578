import ArgumentParser
import Logging
import LogSources
import TrainScope

struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a training job's log files (plain, Kubernetes CRI or Docker json-file) as a sidecar.",
        discussion: """
        Example: trainscope tail --job job.json '/var/log/pods/ns_train-*/trainer/*.log'
        Each file's read position is stored with the values extracted up to it, so a restart resumes \
        exactly where the store ends, through rotation (rename, copytruncate, truncation, a switched \
        symlink). Stops on SIGINT or SIGTERM after storing what was read.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case auto, plain, cri, docker }

    @Option(help: "CreateTrainingJob request as JSON (file:// prefix accepted).") var job: String
    @Option(help: "SQLite database (default .trainscope/<TrainingJobName>/trainscope.db).") var db: String?
    @Option(help: "Address of the Prometheus endpoint, HOST:PORT (default 127.0.0.1:9478; port 0 picks one).") var listen: String = "127.0.0.1:9478"
    @Option(name: .customLong("host-id"), help: "Host label, as SageMaker's algo-N.") var hostID: String = "algo-1"
    @Option(help: "Log format; auto detects it per file from its first line.") var format: Format = .auto
    @Flag(help: "Where to start a file with no stored position (a restart always resumes at the stored one).")
    var start: StartPoint = .fromStart
    @Option(name: .customLong("max-line-bytes"), help: "Longer lines are matched in segments of this size.") var maxLineBytes: Int = 1 << 20
    @Option(name: .customLong("tensor-dir"), help: "Debugger trial folder to watch, as smdebug's hook writes it (default: the job's DebugHookConfig.LocalPath under the database's folder).")
    var tensorDir: String?
    @Option(name: .customLong("log-level"), help: "trainscope's own log level.") var logLevel: String = "info"
    @Argument(help: "Files, globs (quote them), or - for standard input.") var paths: [String] = []

    enum StartPoint: EnumerableFlag { case fromStart, fromEnd }

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one PATH to follow (a file, a glob, or - for standard input)") }
        if maxLineBytes < 1024 || maxLineBytes > 256 << 20 { throw ValidationError("--max-line-bytes must be between 1024 and 268435456") }
        _ = try ListenAddress.parse(listen)
    }

    func run() async throws {
        let address = try ListenAddress.parse(listen)
        let logger = makeLogger(level: Logger.Level(rawValue: logLevel) ?? .info)
        let formats: [Format: LogFormat?] = [.auto: nil, .plain: .plain, .cri: .cri, .docker: .docker]
        let options = TailOptions(jobPath: job, databasePath: db, host: address.host, port: address.port, hostID: hostID,
                                  format: formats[format]!, fromEnd: start == .fromEnd, maxLineBytes: maxLineBytes, paths: paths,
                                  trialDirectory: tensorDir)
        throw ExitCode(await TailCommandRunner.run(options, logger: logger))
    }
}
