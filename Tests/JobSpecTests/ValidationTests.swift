import Testing
import JobSpec

/// One bad request and the error it must produce: exact path, message containing `message`.
struct BadCase: Sendable, CustomTestStringConvertible {
    var name: String
    var json: String
    var path: String
    var message: String
    var testDescription: String { name }
}

private let longName = String(repeating: "n", count: 256)
private let longRegex = "loss=([0-9]+)" + String(repeating: "x", count: 488)
private let manyHyperParameters = (0..<101).map { #""p\#($0)":"1""# }.joined(separator: ",")

let badCases: [BadCase] = [
    BadCase(name: "unknown top-level member", json: request(#""Foo":1"#), path: "Foo",
            message: "unknown member (CreateTrainingJobRequest has no member \"Foo\")"),
    BadCase(name: "unknown top-level member with a suggestion", json: request(#""DebugRulesConfigurations":[]"#),
            path: "DebugRulesConfigurations", message: "did you mean DebugRuleConfigurations?"),
    BadCase(name: "unknown nested member",
            json: request(#""AlgorithmSpecification":{"TrainingInputMode":"File","MetricDefinition":[]}"#),
            path: "AlgorithmSpecification.MetricDefinition", message: "did you mean MetricDefinitions?"),
    BadCase(name: "unknown member in a list item",
            json: request(#""AlgorithmSpecification":{"MetricDefinitions":[{"Name":"a","Regex":"(a)","Unit":"s"}]}"#),
            path: "AlgorithmSpecification.MetricDefinitions[0].Unit", message: "unknown member"),
    BadCase(name: "string where an integer belongs", json: request(#""StoppingCondition":{"MaxRuntimeInSeconds":"3600"}"#),
            path: "StoppingCondition.MaxRuntimeInSeconds", message: "expected an integer, got a string"),
    BadCase(name: "fraction where an integer belongs", json: request(#""StoppingCondition":{"MaxRuntimeInSeconds":3600.0}"#),
            path: "StoppingCondition.MaxRuntimeInSeconds", message: "expected an integer, got a number with a fraction or exponent"),
    BadCase(name: "number as a hyperparameter value", json: request(#""HyperParameters":{"epochs":10}"#),
            path: "HyperParameters.epochs", message: "expected a string, got a number"),
    BadCase(name: "object where a list belongs", json: request(#""Tags":{"Key":"a","Value":"b"}"#),
            path: "Tags", message: "expected an array, got an object"),
    BadCase(name: "string where a boolean belongs", json: request(#""ProfilerConfig":{"DisableProfiler":"false"}"#),
            path: "ProfilerConfig.DisableProfiler", message: "expected a boolean (true or false), got a string"),
    BadCase(name: "integer beyond 32 bits", json: request(#""ResourceConfig":{"InstanceCount":4294967296}"#),
            path: "ResourceConfig.InstanceCount", message: "4294967296 is out of range for a 32-bit integer"),
    BadCase(name: "41 metric definitions",
            json: request(#""AlgorithmSpecification":{"TrainingInputMode":"File","MetricDefinitions":[\#(metricDefinitions(41))]}"#),
            path: "AlgorithmSpecification.MetricDefinitions", message: "has 41 items; at most 40 allowed"),
    BadCase(name: "empty metric name",
            json: request(#""AlgorithmSpecification":{"MetricDefinitions":[{"Name":"","Regex":"a=(1)"}]}"#),
            path: "AlgorithmSpecification.MetricDefinitions[0].Name", message: "is empty; the minimum length is 1"),
    BadCase(name: "256-character metric name",
            json: request(#""AlgorithmSpecification":{"MetricDefinitions":[{"Name":"\#(longName)","Regex":"a=(1)"}]}"#),
            path: "AlgorithmSpecification.MetricDefinitions[0].Name", message: "length 256 exceeds the maximum of 255"),
    BadCase(name: "501-character regex",
            json: request(#""AlgorithmSpecification":{"MetricDefinitions":[{"Name":"a","Regex":"\#(longRegex)"}]}"#),
            path: "AlgorithmSpecification.MetricDefinitions[0].Regex", message: "length 501 exceeds the maximum of 500"),
    BadCase(name: "duplicate metric names",
            json: request(#""AlgorithmSpecification":{"MetricDefinitions":[\#(metricDefinitions(3)),{"Name":"m1","Regex":"x=(1)"}]}"#),
            path: "AlgorithmSpecification.MetricDefinitions[3].Name",
            message: "duplicate metric name \"m1\"; MetricDefinitions[1] already uses it"),
    BadCase(name: "regex that does not compile",
            json: request(#""AlgorithmSpecification":{"MetricDefinitions":[\#(metricDefinitions(2)),{"Name":"x","Regex":"loss=([0-9]+"}]}"#),
            path: "AlgorithmSpecification.MetricDefinitions[2].Regex",
            message: "does not compile: missing closing parenthesis at offset 12"),
    BadCase(name: "regex without a capturing group",
            json: request(#""AlgorithmSpecification":{"MetricDefinitions":[{"Name":"x","Regex":"loss=[0-9]+(?:x)"}]}"#),
            path: "AlgorithmSpecification.MetricDefinitions[0].Regex", message: "has no capturing group"),
    BadCase(name: "101 hyperparameters", json: request(#""HyperParameters":{\#(manyHyperParameters)}"#),
            path: "HyperParameters", message: "has 101 entries; at most 100 allowed"),
    BadCase(name: "2501-character hyperparameter value",
            json: request(#""HyperParameters":{"notes":"\#(String(repeating: "v", count: 2501))"}"#),
            path: "HyperParameters.notes", message: "length 2501 exceeds the maximum of 2500"),
    BadCase(name: "257-character hyperparameter key",
            json: request(#""HyperParameters":{"\#(String(repeating: "k", count: 257))":"1"}"#),
            path: "HyperParameters.\(String(repeating: "k", count: 257))", message: "key length 257 exceeds the maximum of 256"),
    BadCase(name: "environment key starting with a digit", json: request(#""Environment":{"1BAD":"x"}"#),
            path: #"Environment["1BAD"]"#, message: "key does not match the pattern [a-zA-Z_][a-zA-Z0-9_]*"),
    BadCase(name: "environment key with a dash", json: request(#""Environment":{"MY-VAR":"x"}"#),
            path: #"Environment["MY-VAR"]"#, message: "key does not match the pattern"),
    BadCase(name: "513-character environment value",
            json: request(#""Environment":{"X":"\#(String(repeating: "v", count: 513))"}"#),
            path: "Environment.X", message: "length 513 exceeds the maximum of 512"),
    BadCase(name: "profiling interval 123", json: request(#""ProfilerConfig":{"ProfilingIntervalInMilliseconds":123}"#),
            path: "ProfilerConfig.ProfilingIntervalInMilliseconds",
            message: "123 is not an allowed interval; use one of 100, 200, 500, 1000, 5000, 60000"),
    BadCase(name: "max wait below max runtime",
            json: request(#""StoppingCondition":{"MaxRuntimeInSeconds":86400,"MaxWaitTimeInSeconds":3600}"#),
            path: "StoppingCondition.MaxWaitTimeInSeconds", message: "3600 is less than MaxRuntimeInSeconds (86400)"),
    BadCase(name: "max runtime zero", json: request(#""StoppingCondition":{"MaxRuntimeInSeconds":0}"#),
            path: "StoppingCondition.MaxRuntimeInSeconds", message: "0 is below the minimum of 1"),
    BadCase(name: "max pending time too short", json: request(#""StoppingCondition":{"MaxPendingTimeInSeconds":60}"#),
            path: "StoppingCondition.MaxPendingTimeInSeconds", message: "60 is below the minimum of 7200"),
    BadCase(name: "bad enum", json: request(#""AlgorithmSpecification":{"TrainingInputMode":"Nope"}"#),
            path: "AlgorithmSpecification.TrainingInputMode", message: "must be one of Pipe, File, FastFile (got \"Nope\")"),
    BadCase(name: "bad instance type", json: request(#""ResourceConfig":{"InstanceType":"ml.m5.xlarg"}"#),
            path: "ResourceConfig.InstanceType", message: "TrainingInstanceType values; did you mean ml.m5.xlarge?"),
    BadCase(name: "job name with underscore", json: #"{"TrainingJobName":"my_job"}"#, path: "TrainingJobName",
            message: "does not match the pattern [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62} (got \"my_job\")"),
    BadCase(name: "job name with trailing dash", json: #"{"TrainingJobName":"my-job-"}"#, path: "TrainingJobName",
            message: "does not match the pattern"),
    BadCase(name: "64-character job name", json: #"{"TrainingJobName":"\#(String(repeating: "j", count: 64))"}"#,
            path: "TrainingJobName", message: "length 64 exceeds the maximum of 63"),
    BadCase(name: "missing job name", json: #"{"RoleArn":"arn:aws:iam::111122223333:role/R"}"#, path: "TrainingJobName",
            message: "missing required member"),
    BadCase(name: "bad role ARN", json: request(#""RoleArn":"arn:aws:iam::1234:role/R""#), path: "RoleArn",
            message: "does not match the pattern"),
    BadCase(name: "retry attempts zero", json: request(#""RetryStrategy":{"MaximumRetryAttempts":0}"#),
            path: "RetryStrategy.MaximumRetryAttempts", message: "0 is below the minimum of 1"),
    BadCase(name: "retry strategy without attempts", json: request(#""RetryStrategy":{}"#),
            path: "RetryStrategy.MaximumRetryAttempts", message: "missing required member"),
    BadCase(name: "tag without value", json: request(#""Tags":[{"Key":"a"}]"#), path: "Tags[0].Value",
            message: "missing required member"),
    BadCase(name: "rule without image",
            json: request(#""DebugRuleConfigurations":[{"RuleConfigurationName":"R"}]"#),
            path: "DebugRuleConfigurations[0].RuleEvaluatorImage", message: "missing required member"),
    BadCase(name: "rule name used in both rule lists",
            json: request(#""DebugRuleConfigurations":[{"RuleConfigurationName":"R","RuleEvaluatorImage":"i"}],"ProfilerRuleConfigurations":[{"RuleConfigurationName":"P","RuleEvaluatorImage":"i"},{"RuleConfigurationName":"R","RuleEvaluatorImage":"i"}]"#),
            path: "ProfilerRuleConfigurations[1].RuleConfigurationName",
            message: "duplicate rule configuration name \"R\"; DebugRuleConfigurations[0] already uses it"),
    BadCase(name: "21 hook parameters",
            json: request(#""DebugHookConfig":{"HookParameters":{\#((0..<21).map { #""k\#($0)":"v""# }.joined(separator: ","))}}"#),
            path: "DebugHookConfig.HookParameters", message: "has 21 entries; at most 20 allowed"),
    BadCase(name: "empty collection parameter key",
            json: request(#""DebugHookConfig":{"CollectionConfigurations":[{"CollectionName":"c","CollectionParameters":{"":"1"}}]}"#),
            path: #"DebugHookConfig.CollectionConfigurations[0].CollectionParameters[""]"#,
            message: "key is empty; the minimum length is 1"),
    BadCase(name: "request is not an object", json: "[]", path: "job.json",
            message: "expected a JSON object (a CreateTrainingJob request), got an array"),
]

@Suite struct ValidationTests {
    @Test(arguments: badCases)
    func badRequestIsReportedAtItsPath(_ bad: BadCase) {
        let found = errors(bad.json)
        let atPath = found.filter { $0.path == bad.path }
        #expect(atPath.contains { $0.message.contains(bad.message) },
                "errors: \(found.map(\.description).joined(separator: "\n"))")
    }

    @Test func examplesAndFullRequestHaveNoErrors() throws {
        for name in ["full-request.json", "example-a-debugger.json", "example-b-profiler.json"] {
            let found = JobSpecLoader.validate(bytes: Fixtures.bytes(name), source: name)
            #expect(found.isEmpty, "\(name): \(found.map(\.description))")
        }
    }

    @Test func minimalRequestPassesWithWarnings() {
        let found = issues(#"{"TrainingJobName":"x"}"#)
        #expect(found.filter(\.isError).isEmpty)
        #expect(found.map(\.description) == [
            "warning: AlgorithmSpecification: missing; the service needs it for a job that is not serverless (a local run does not)",
            "warning: ResourceConfig: missing; the service needs it for a job that is not serverless (a local run does not)",
        ])
    }

    @Test func localOnlyRequirementsAreWarnings() {
        let json = request(#""AlgorithmSpecification":{"TrainingImage":"img"},"ResourceConfig":{},"OutputDataConfig":{},"DebugHookConfig":{},"TensorBoardOutputConfig":{"LocalPath":"/opt/ml/output/tensorboard"},"CheckpointConfig":{}"#)
        #expect(errors(json).isEmpty, "\(errors(json))")
        let paths = warnings(json).map(\.path)
        #expect(paths == [
            "AlgorithmSpecification.TrainingInputMode", "OutputDataConfig.S3OutputPath", "DebugHookConfig.S3OutputPath",
            "TensorBoardOutputConfig.S3OutputPath", "CheckpointConfig.S3Uri", "TensorBoardOutputConfig.LocalPath",
        ])
        #expect(warnings(json).last?.message.contains("reserved path /opt/ml") == true)
    }

    @Test func everyProblemInOneRequestIsReported() {
        let json = #"""
            {"TrainingJobName": "bad_name", "Bogus": true,
             "AlgorithmSpecification": {"TrainingInputMode": "Nope", "MetricDefinitions": [
               {"Name": "a", "Regex": "a=([0-9]+"}, {"Name": "a", "Regex": "no-group"}]},
             "HyperParameters": {"password": "x", "lr": 0.1},
             "Environment": {"bad key": "v"},
             "StoppingCondition": {"MaxRuntimeInSeconds": 100, "MaxWaitTimeInSeconds": 50},
             "ProfilerConfig": {"ProfilingIntervalInMilliseconds": 123}}
            """#
        let paths = errors(json).map(\.path)
        #expect(Set(paths) == [
            "TrainingJobName", "Bogus", "AlgorithmSpecification.TrainingInputMode",
            "AlgorithmSpecification.MetricDefinitions[0].Regex", "AlgorithmSpecification.MetricDefinitions[1].Name",
            "AlgorithmSpecification.MetricDefinitions[1].Regex", "HyperParameters.password", "HyperParameters.lr",
            #"Environment["bad key"]"#, "StoppingCondition.MaxWaitTimeInSeconds",
            "ProfilerConfig.ProfilingIntervalInMilliseconds",
        ])
        #expect(paths.count == 11)
    }

    @Test func issueDescriptionFormat() {
        let issue = ValidationIssue(.error, path: "AlgorithmSpecification.MetricDefinitions[3].Regex", "has no capturing group")
        #expect(issue.description == "error: AlgorithmSpecification.MetricDefinitions[3].Regex: has no capturing group")
    }
}
