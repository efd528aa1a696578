import ArgumentParser
import Foundation
import TrainScope

/// `trainscope tensors …`: SageMaker Debugger tensor directories.
struct Tensors: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read SageMaker Debugger (smdebug) tensor directories.",
        subcommands: [Dump.self])

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
