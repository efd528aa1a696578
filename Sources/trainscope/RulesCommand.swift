import ArgumentParser
import Foundation
import TrainScope

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The built-in SageMaker Debugger rules: their parameters, defaults and collections.",
        subcommands: [List.self, Show.self, Evaluate.self])

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate the job's DebugRuleConfigurations over a Debugger trial folder (ExplodingTensor, LossNotDecreasing so far).",
            discussion: "Prints DebugRuleEvaluationStatuses as DescribeTrainingJob does: IssuesFound with the step, NoIssuesFound once the trial has ended, InProgress while it has not.")
        @Option(help: "CreateTrainingJob request as JSON (file:// prefix accepted).") var job: String
        @Option(help: "The trial folder (DebugHookConfig.LocalPath as written).") var trial: String

        func run() throws {
            throw ExitCode(RulesCommandRunner.evaluate(jobPath: job, trial: trial, now: Date().timeIntervalSince1970,
                                                       output: { print($0) }, diagnostics: printError))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the built-in debug and profiler rules.")
        @Option(help: "debug or profiler (default both).") var kind: String?

        func validate() throws {
            if let kind, !["debug", "profiler"].contains(kind) { throw ValidationError("--kind is debug or profiler") }
        }

        func run() throws {
            throw ExitCode(RulesCommandRunner.list(kind: kind, output: { print($0) }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one rule: when it fires, its parameters, the collections it needs.")
        @Argument(help: "The rule (its rule_to_invoke name), e.g. LossNotDecreasing.") var name: String
        @Option(help: "text or json (the rule as its catalogue file in Rules/ has it).") var format: String = "text"

        func validate() throws {
            if !["text", "json"].contains(format) { throw ValidationError("--format is text or json") }
        }

        func run() throws {
            throw ExitCode(RulesCommandRunner.show(name: name, json: format == "json", output: { print($0) }, diagnostics: printError))
        }
    }
}
