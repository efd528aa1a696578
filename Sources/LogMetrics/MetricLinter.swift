/// Finds the MetricDefinitions mistakes users hit most (sagemaker-api.md §3.2, §4): a regex that never
/// matches the job's output, a capture that is never a number, a lazy group with nothing after it
/// (`F1=(.*?)` always captures ""), and a TAB in the regex (the log shows TAB as `#011`).
public enum MetricLinter {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public let index: Int
        public let name: String
        public let message: String
        public var description: String { "AlgorithmSpecification.MetricDefinitions[\(index)].Regex (\(name)): \(message)" }
    }

    /// Checks that need only the pattern.
    public static func lintPatterns(_ definitions: [MetricDefinition]) -> [Finding] {
        var findings: [Finding] = []
        for (i, d) in definitions.enumerated() {
            if d.regex.contains("\t") || d.regex.contains("\\t") {
                findings.append(Finding(index: i, name: d.name, message:
                    "contains a TAB or \\t, which never matches: SageMaker's log shows TAB as #011, so write #011"))
            }
            if endsWithLazyGroup(d.regex) {
                findings.append(Finding(index: i, name: d.name, message:
                    "group 1 is lazy with nothing after it, so it captures as little as possible (often \"\"); add what follows the value, e.g. (.*?);"))
            }
        }
        return findings
    }

    /// Checks against a sample of the job's output, from the counters of an extraction over it.
    public static func lintSample(_ definitions: [MetricDefinition], counters: [DefinitionCounters]) -> [Finding] {
        var findings: [Finding] = []
        for (i, d) in definitions.enumerated() {
            let c = counters[i]
            if c.matches == 0 {
                findings.append(Finding(index: i, name: d.name, message: "never matches the sample"))
            } else if c.values == 0 {
                findings.append(Finding(index: i, name: d.name, message:
                    "matches \(c.matches) lines of the sample but never captures a number (\(c.parseFailures) captures were not numbers)"))
            }
        }
        return findings
    }

    /// Whether group 1 ends with a lazy quantifier and the pattern ends with it (ignoring closing
    /// parentheses of enclosing groups and a final `$`).
    static func endsWithLazyGroup(_ pattern: String) -> Bool {
        var p = Array(pattern.utf8)
        if p.last == UInt8(ascii: "$") { p.removeLast() }
        guard p.last == UInt8(ascii: ")") else { return false }
        while p.last == UInt8(ascii: ")") { p.removeLast() }
        guard p.count >= 2, p[p.count - 1] == UInt8(ascii: "?") else { return false }
        let q = p[p.count - 2]
        guard q == UInt8(ascii: "*") || q == UInt8(ascii: "+") || q == UInt8(ascii: "?") || q == UInt8(ascii: "}") else { return false }
        // An escaped quantifier character (`\*?`) is a literal followed by `?`, not a lazy group.
        return !(p.count >= 3 && p[p.count - 3] == UInt8(ascii: "\\") && q != UInt8(ascii: "}"))
    }
}
