import PCRE2

/// A definition that cannot be used for extraction, with its index so the message names
/// `MetricDefinitions[i]` the way validation does.
public struct MetricExtractorError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case doesNotCompile(PCRE2Error)
        case noCapturingGroup
    }
    public let index: Int
    public let name: String
    public let reason: Reason

    public var description: String {
        switch reason {
        case .doesNotCompile(let e):
            "MetricDefinitions[\(index)].Regex (\(name)): does not compile: \(e.message) at offset \(e.offset ?? 0)"
        case .noCapturingGroup:
            "MetricDefinitions[\(index)].Regex (\(name)): has no capturing group; group 1 is the metric value"
        }
    }
}
