import ArgumentParser
import Foundation
import Logging
import TrainScope

/// `trainscope tensors …`: SageMaker Debugger tensor directories.
struct Tensors: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read SageMaker Debugger (smdebug) tensor directories.",
        subcommands: [Dump.self, Serve.self])

    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a trial directory's steps, tensor names and values.",
            discussion: "DIR is an smdebug trial (DebugHookConfig.LocalPath): written by smdebug's hooks or by trainscope.")
        enum Format: String, ExpressibleByArgument { case text, json }

        @Argument(help: "The trial directory.") var directory: String
        @Option(help: "text, or json (one document; JSON Lines with --follow).") var format: Format = .text
        @Option(name: .customLong("step"), help: "Only this global step (repeatable).") var steps: [Int64] = []
        @Option(name: .customLong("tensor"), help: "Only this tensor (repeatable).") var tensors: [String] = []
        @Option(name: .customLong("max-elements"), help: "Leave out the values of larger tensors.") var maxElements: Int = 1 << 20
        @Flag(help: "Keep reading while the trial is written; stop when training_job_end.ts appears.") var follow = false
        @Option(name: .customLong("poll-interval"), help: "Seconds between reads with --follow.") var pollInterval: Double = 1
        @Flag(name: .customLong("include-incomplete"), help: "Also steps that not every worker has written yet.") var includeIncomplete = false

        func validate() throws {
            if maxElements < 0 { throw ValidationError("--max-elements must be >= 0") }
            if pollInterval <= 0 { throw ValidationError("--poll-interval must be > 0") }
        }

        func run() throws {
            let options = TensorsCommandRunner.DumpOptions(
                directory: directory, json: format == .json, steps: steps.isEmpty ? nil : Set(steps),
                tensors: tensors.isEmpty ? nil : Set(tensors), maxElements: maxElements, follow: follow,
                pollInterval: pollInterval, includeIncomplete: includeIncomplete)
            let status = TensorsCommandRunner.dump(options, output: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }, diagnostics: printError)
            throw ExitCode(status)
        }
    }
}

extension Tensors {
    /// `trainscope tensors serve`: the ingestion API alone (no training command), e.g. for a job whose
    /// logs are followed by `tail`, or to benchmark it.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the tensor ingestion API (POST /v1/tensors, PUT /v1/tensors/<name>) into a trial directory.",
            discussion: "Stops on SIGTERM or SIGINT, then writes training_job_end.ts.")

        @Option(help: "The trial directory to write (DebugHookConfig.LocalPath).") var dir: String
        @Option(help: "Address to listen on, HOST:PORT (port 0 picks one).") var listen: String = "127.0.0.1:9479"
        @Option(name: .customLong("hook-config"), help: "A DebugHookConfig JSON file, or a CreateTrainingJob request holding one.") var hookConfig: String?
        @Option(name: .customLong("tensorboard-dir"), help: "Write histograms and scalars for TensorBoard here.") var tensorBoardDir: String?
        @Option(help: "Workers that write the trial (a step is complete once all have).") var workers: Int = 1
        @Option(help: "Built-in collections of: generic, pytorch, tensorflow, mxnet, xgboost.") var framework: String = "generic"
        @Option(name: .customLong("max-body-bytes"), help: "Largest request body.") var maxBodyBytes: Int = 256 << 20
        @Option(name: .customLong("log-level"), help: "trainscope's own log level.") var logLevel: String = "info"

        func validate() throws {
            if workers < 1 { throw ValidationError("--workers must be >= 1") }
            if !["generic", "pytorch", "tensorflow", "mxnet", "xgboost"].contains(framework) {
                throw ValidationError("--framework must be one of generic, pytorch, tensorflow, mxnet, xgboost")
            }
            if maxBodyBytes < 1024 { throw ValidationError("--max-body-bytes must be >= 1024") }
            _ = try ListenAddress.parse(listen)
        }

        func run() async throws {
            let address = try ListenAddress.parse(listen)
            let logger = makeLogger(level: Logger.Level(rawValue: logLevel) ?? .info)
            let options = TensorsCommandRunner.ServeOptions(
                directory: dir, host: address.host, port: address.port, hookConfigPath: hookConfig,
                tensorBoardDirectory: tensorBoardDir, workers: workers, framework: framework,
                maxBodyBytes: maxBodyBytes)
            throw ExitCode(await TensorsCommandRunner.serve(options, logger: logger))
        }
    }
}
