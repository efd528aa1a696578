/// Constraints the service enforces (or documents) that the botocore model does not express,
/// from sagemaker-api.md §1. Each tolerates wrong types: the schema pass reports those.
enum RequestRules {
    /// The only intervals the Debugger docs allow; the model says just "long".
    static let profilingIntervals: [Int64] = [100, 200, 500, 1000, 5000, 60000]
    /// The service rejects these TensorBoard LocalPath prefixes although the docs default to one of them.
    static let reservedTensorBoardPrefixes = ["/opt/ml", "/tmp", "/usr/local/nvidia"]

    static func check(_ request: JSONValue) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        checkSections(request, &issues)
        checkStoppingCondition(request, &issues)
        checkProfilingInterval(request, &issues)
        checkRuleNames(request, &issues)
        checkTensorBoardPath(request, &issues)
        return issues
    }

    /// Optional in the model since serverless jobs arrived, but a container job needs both.
    private static func checkSections(_ request: JSONValue, _ issues: inout [ValidationIssue]) {
        guard request.objectMembers != nil, request["ServerlessJobConfig"] == nil else { return }
        for member in ["AlgorithmSpecification", "ResourceConfig"] where request[member] == nil {
            issues.append(.warning(JSONPath.root.appending(member),
                "missing; the service needs it for a job that is not serverless (a local run does not)"))
        }
    }

    private static func checkStoppingCondition(_ request: JSONValue, _ issues: inout [ValidationIssue]) {
        guard let condition = request["StoppingCondition"],
              let wait = condition["MaxWaitTimeInSeconds"]?.numberValue?.int64,
              let runtime = condition["MaxRuntimeInSeconds"]?.numberValue?.int64,
              wait < runtime
        else { return }
        issues.append(.error(JSONPath.root.appending("StoppingCondition").appending("MaxWaitTimeInSeconds"),
            "\(wait) is less than MaxRuntimeInSeconds (\(runtime)); the wait time must cover the run time"))
    }

    private static func checkProfilingInterval(_ request: JSONValue, _ issues: inout [ValidationIssue]) {
        guard let n = request["ProfilerConfig"]?["ProfilingIntervalInMilliseconds"]?.numberValue,
              let v = n.int64, !profilingIntervals.contains(v)
        else { return }
        let allowed = profilingIntervals.map(String.init).joined(separator: ", ")
        issues.append(.error(JSONPath.root.appending("ProfilerConfig").appending("ProfilingIntervalInMilliseconds"),
            "\(v) is not an allowed interval; use one of \(allowed)"))
    }

    /// Rule names key the rule's output folder and status, so they must be unique across both lists.
    private static func checkRuleNames(_ request: JSONValue, _ issues: inout [ValidationIssue]) {
        var firstUse: [[Unicode.Scalar]: JSONPath] = [:]
        for list in ["DebugRuleConfigurations", "ProfilerRuleConfigurations"] {
            guard let rules = request[list]?.arrayElements else { continue }
            for (i, rule) in rules.enumerated() {
                guard let name = rule["RuleConfigurationName"]?.stringValue, !name.isEmpty else { continue }
                let path = JSONPath.root.appending(list).appending(index: i)
                let key = Array(name.unicodeScalars)
                if let first = firstUse[key] {
                    issues.append(.error(path.appending("RuleConfigurationName"),
                        "duplicate rule configuration name \(quoted(name)); \(first) already uses it"))
                } else {
                    firstUse[key] = path
                }
            }
        }
    }

    private static func checkTensorBoardPath(_ request: JSONValue, _ issues: inout [ValidationIssue]) {
        guard let local = request["TensorBoardOutputConfig"]?["LocalPath"]?.stringValue,
              let prefix = reservedTensorBoardPrefixes.first(where: { local.utf8.starts(with: $0.utf8) })
        else { return }
        issues.append(.warning(JSONPath.root.appending("TensorBoardOutputConfig").appending("LocalPath"),
            "starts with the reserved path \(prefix), which the service rejects; accepted for a local run"))
    }
}
