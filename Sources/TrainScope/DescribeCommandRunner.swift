import JobSpec
import Store

/// `trainscope describe`: the run as DescribeTrainingJob JSON, field names as the API has them and
/// times as epoch seconds (the AWS CLI v1's default), so scripts written for SageMaker read it.
public enum DescribeCommandRunner {
    public static func run(databasePath: String, output: (String) -> Void, diagnostics: (String) -> Void) -> Int32 {
        do {
            let store = try MetricStore.openReadOnly(path: databasePath)
            guard let job = try store.job() else {
                diagnostics("error: \(databasePath) holds no training job yet")
                return 1
            }
            let document = try describe(job: job, store: store)
            output(JSONSerializer.string(document, style: .pretty))
            return 0
        } catch {
            diagnostics("error: \(error)")
            return 1
        }
    }

    /// Members echoed from the request, as DescribeTrainingJob does.
    static let echoed = ["HyperParameters", "AlgorithmSpecification", "RoleArn", "InputDataConfig", "OutputDataConfig",
                         "ResourceConfig", "VpcConfig", "StoppingCondition", "EnableNetworkIsolation",
                         "EnableInterContainerTrafficEncryption", "EnableManagedSpotTraining", "CheckpointConfig",
                         "DebugHookConfig", "DebugRuleConfigurations", "TensorBoardOutputConfig", "ExperimentConfig",
                         "ProfilerConfig", "ProfilerRuleConfigurations", "Environment", "RetryStrategy"]

    static func describe(job: JobRecord, store: MetricStore) throws -> JSONValue {
        let request = (try? JSONParser.parse(Array(job.requestJSON.utf8))) ?? .object([])
        func seconds(_ ms: Int64) -> JSONValue { .number(JSONNumber(Double(ms) / 1000)) }
        var members: [JSONMember] = [
            JSONMember("TrainingJobName", .string(job.name)),
            JSONMember("TrainingJobArn", .string(ContainerConfig.trainingJobARN(job.name))),
            JSONMember("ModelArtifacts", .object([JSONMember("S3ModelArtifacts", .string(""))])),
            JSONMember("TrainingJobStatus", .string(job.status)),
            JSONMember("SecondaryStatus", .string(job.secondaryStatus)),
        ]
        if let reason = job.failureReason { members.append(JSONMember("FailureReason", .string(reason))) }
        for name in echoed {
            guard var value = request[name] else { continue }
            // Environment values are secrets as often as not; DescribeTrainingJob output gets pasted
            // into tickets, so only the names are shown.
            if name == "Environment", case .object(let env) = value {
                value = .object(env.map { JSONMember($0.key, .string("<redacted>")) })
            }
            // The service echoes ProfilerConfig with the interval it uses, 500 when none was asked for.
            if name == "ProfilerConfig", case .object(var config) = value, config.allSatisfy({ $0.key != "ProfilingIntervalInMilliseconds" }) {
                config.append(JSONMember("ProfilingIntervalInMilliseconds", .number(JSONNumber(500 as Int))))
                value = .object(config)
            }
            members.append(JSONMember(name, value))
        }
        members.append(JSONMember("CreationTime", seconds(job.creationTimeMs)))
        if let start = job.startTimeMs { members.append(JSONMember("TrainingStartTime", seconds(start))) }
        if let end = job.endTimeMs {
            members.append(JSONMember("TrainingEndTime", seconds(end)))
            if let start = job.startTimeMs {
                members.append(JSONMember("TrainingTimeInSeconds", .number(JSONNumber(max(1, (end - start + 999) / 1000)))))
            }
        }
        let transitions = try store.transitions()
        members.append(JSONMember("LastModifiedTime", seconds(max(job.endTimeMs ?? 0, transitions.last?.startTimeMs ?? job.creationTimeMs))))
        members.append(JSONMember("SecondaryStatusTransitions", .array(transitions.map { t in
            var m = [JSONMember("Status", .string(t.status)), JSONMember("StartTime", seconds(t.startTimeMs))]
            if let end = t.endTimeMs { m.append(JSONMember("EndTime", seconds(end))) }
            if let message = t.message { m.append(JSONMember("StatusMessage", .string(message))) }
            return .object(m)
        })))
        members.append(JSONMember("FinalMetricDataList", .array(try store.finalMetrics().map { f in
            .object([JSONMember("MetricName", .string(f.name)), JSONMember("Value", .number(JSONNumber(f.value))),
                     JSONMember("Timestamp", seconds(f.timeMs))])
        })))
        if let code = job.exitCode { members.append(JSONMember("ExitCode", .number(JSONNumber(code)))) }
        // The rules trainscope evaluated, in the order the request lists them.
        let evaluations = Dictionary(try store.ruleEvaluations().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (list, kind) in [("DebugRuleConfigurations", "debug"), ("ProfilerRuleConfigurations", "profiler")] {
            let rows = (request[list]?.arrayElements ?? []).compactMap { rule -> JSONValue? in
                guard let name = rule["RuleConfigurationName"]?.stringValue, let r = evaluations[name], r.kind == kind else { return nil }
                var m = [JSONMember("RuleConfigurationName", .string(name)), JSONMember("RuleEvaluationStatus", .string(r.status))]
                if let details = r.statusDetails { m.append(JSONMember("StatusDetails", .string(details))) }
                m.append(JSONMember("LastModifiedTime", seconds(r.lastModifiedMs)))
                return .object(m)
            }
            if !rows.isEmpty {
                members.append(JSONMember(kind == "debug" ? "DebugRuleEvaluationStatuses" : "ProfilerRuleEvaluationStatuses", .array(rows)))
            }
        }
        // The system profiler runs unless ProfilerConfig.DisableProfiler is true (as on SageMaker).
        let profilingDisabled = request["ProfilerConfig"]?["DisableProfiler"]?.boolValue ?? false
        members.append(JSONMember("ProfilingStatus", .string(profilingDisabled ? "Disabled" : "Enabled")))
        return .object(members)
    }
}
