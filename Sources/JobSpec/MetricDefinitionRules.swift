import PCRE2

/// Metric-definition checks beyond the model's lengths: the ones whose failure would otherwise show
/// up only as a metric that silently never appears.
enum MetricDefinitionRules {
    static let listPath = JSONPath.root.appending("AlgorithmSpecification").appending("MetricDefinitions")

    static func check(_ request: JSONValue) -> [ValidationIssue] {
        guard let definitions = request["AlgorithmSpecification"]?["MetricDefinitions"]?.arrayElements else { return [] }
        var issues: [ValidationIssue] = []
        var firstIndexByName: [[Unicode.Scalar]: Int] = [:]
        for (i, definition) in definitions.enumerated() {
            let path = listPath.appending(index: i)
            if let name = definition["Name"]?.stringValue, !name.isEmpty {
                let key = Array(name.unicodeScalars)
                if let first = firstIndexByName[key] {
                    issues.append(.error(path.appending("Name"),
                        "duplicate metric name \(quoted(name)); MetricDefinitions[\(first)] already uses it"))
                } else {
                    firstIndexByName[key] = i
                }
            }
            if let regex = definition["Regex"]?.stringValue, !regex.isEmpty, let issue = regexIssue(regex) {
                issues.append(.error(path.appending("Regex"), issue))
            }
        }
        return issues
    }

    /// Compiled exactly as extraction compiles it: no options, so byte mode (SageMaker matches log
    /// bytes, and a pattern that compiles only in UTF mode would fail at run time).
    static func regexIssue(_ regex: String) -> String? {
        do {
            let compiled = try PCRE2Regex(regex, options: [])
            if compiled.captureCount == 0 {
                return "has no capturing group; group 1 must capture the metric value, e.g. loss=([0-9.]+)"
            }
            return nil
        } catch {
            return "does not compile: \(error.message) at offset \(error.offset ?? 0)"
        }
    }
}
