import ArgumentParser
import Foundation
import Logging
import TrainScope

/// The executable parses arguments and nothing else; every command lives in the TrainScope library.
@main
struct TrainScopeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainscope",
        abstract: "SageMaker-style training observability beside any training process.",
        version: TrainScopeVersion.current,
        subcommands: [Run.self, Tail.self, Validate.self, Extract.self, Describe.self, Metrics.self, Profile.self, Tensors.self, Rules.self]
    )
}

/// trainscope's own messages go to stderr, never stdout, which belongs to the training process.
func makeLogger(level: Logger.Level = .info) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    var logger = Logger(label: "trainscope")
    logger.logLevel = level
    return logger
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a training command under trainscope.",
        discussion: "Example: trainscope run --job job.json -- python3 train.py --epochs 5")

    @Option(help: "CreateTrainingJob request as JSON (file:// prefix accepted).") var job: String
    @Option(name: .customLong("ml-root"), help: "SageMaker-style root for the run's files (default .trainscope/<TrainingJobName>).") var mlRoot: String?
    @Option(help: "SQLite database (default <ml-root>/trainscope.db).") var db: String?
    @Option(help: "Address of the Prometheus endpoint, HOST:PORT (default 127.0.0.1:9478; port 0 picks one).") var listen: String = "127.0.0.1:9478"
    @Option(name: .customLong("host-id"), help: "Host label, as SageMaker's algo-N.") var hostID: String = "algo-1"
    @Option(name: .customLong("stop-grace"), help: "Seconds between SIGTERM and SIGKILL when stopping (SageMaker: 120).") var stopGrace: Double = 120
    @Option(name: .customLong("max-line-bytes"), help: "Longer lines are matched in segments of this size.") var maxLineBytes: Int = 1 << 20
    @Option(help: "Seconds to keep serving /metrics after the job ends, so the last values get scraped.") var linger: Double = 0
    @Option(name: .customLong("log-level"), help: "trainscope's own log level.") var logLevel: String = "info"
    @Argument(parsing: .postTerminator, help: "The training command, after --.") var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the training command after --, e.g. -- python3 train.py") }
        if stopGrace < 0 { throw ValidationError("--stop-grace must be >= 0") }
        if linger < 0 || linger > 86_400 { throw ValidationError("--linger must be between 0 and 86400 seconds") }
        if maxLineBytes < 1024 || maxLineBytes > 256 << 20 { throw ValidationError("--max-line-bytes must be between 1024 and 268435456") }
        _ = try ListenAddress.parse(listen)
    }

    func run() async throws {
        let address = try ListenAddress.parse(listen)
        let logger = makeLogger(level: Logger.Level(rawValue: logLevel) ?? .info)
        let options = RunOptions(jobPath: job, mlRoot: mlRoot, databasePath: db, host: address.host, port: address.port,
                                 hostID: hostID, stopGraceSeconds: stopGrace, maxLineBytes: maxLineBytes,
                                 lingerSeconds: linger, command: command)
        let status = await TrainingRun.run(options, logger: logger)
        throw ExitCode(status)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a CreateTrainingJob request; with --sample, lint its MetricDefinitions against a log.")
    @Option(help: "CreateTrainingJob request as JSON.") var job: String
    @Option(help: "A sample log to lint the MetricDefinitions against.") var sample: String?
    @Flag(help: "Exit 1 on warnings and lint findings too.") var strict = false

    func run() throws {
        let status = ValidateCommandRunner.run(jobPath: job, samplePath: sample, strict: strict,
                                               output: { print($0) }, diagnostics: printError)
        throw ExitCode(status)
    }
}

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply a job's MetricDefinitions to a finished log; print JSON Lines.")
    @Option(help: "CreateTrainingJob request as JSON.") var job: String
    @Option(name: .customLong("max-line-bytes"), help: "Longer lines are matched in segments of this size.") var maxLineBytes: Int = 1 << 20
    @Argument(help: "The log file, or - for standard input (the default).") var log: String?

    func run() throws {
        let status = ExtractCommandRunner.run(jobPath: job, logPath: log, maxLineBytes: maxLineBytes, diagnostics: printError)
        throw ExitCode(status)
    }
}

struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the run as DescribeTrainingJob JSON.")
    @Option(help: "The run's SQLite database.") var db: String

    func run() throws {
        let status = DescribeCommandRunner.run(databasePath: db, output: { print($0) }, diagnostics: printError)
        throw ExitCode(status)
    }
}

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the stored metric time series, like TrainingJobAnalytics.")
    enum Format: String, ExpressibleByArgument { case csv, jsonl }
    @Option(help: "The run's SQLite database.") var db: String
    @Option(help: "Only this metric.") var name: String?
    @Option(help: "csv or jsonl.") var format: Format = .csv

    func run() throws {
        let status = MetricsCommandRunner.run(databasePath: db, name: name, jsonLines: format == .jsonl, diagnostics: printError)
        throw ExitCode(status)
    }
}
