/// One SageMaker MetricDefinition: the metric's name and the regex whose group 1 is its value.
public struct MetricDefinition: Sendable, Equatable, Hashable {
    public var name: String
    public var regex: String
    public init(name: String, regex: String) {
        self.name = name
        self.regex = regex
    }
}

/// What happened to one definition so far. Kept per definition because "why does my metric not show"
/// is answered by comparing these: no matches means the regex is wrong, matches without values means
/// the capture is not a number.
public struct DefinitionCounters: Sendable, Equatable {
    /// Lines on which the regex matched.
    public var matches: Int64 = 0
    /// Values emitted.
    public var values: Int64 = 0
    /// Matches whose group 1 was not a number (or was empty).
    public var parseFailures: Int64 = 0
    /// Matches where PCRE2 gave up (match or JIT stack limit).
    public var matchErrors: Int64 = 0
    public init(matches: Int64 = 0, values: Int64 = 0, parseFailures: Int64 = 0, matchErrors: Int64 = 0) {
        self.matches = matches
        self.values = values
        self.parseFailures = parseFailures
        self.matchErrors = matchErrors
    }
}
