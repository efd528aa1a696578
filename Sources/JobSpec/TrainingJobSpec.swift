import LogMetrics

/// What trainscope acts on, taken from a request that passed validation. Everything else in the
/// request is kept only in `request`, for echoing back in `describe`.
public struct TrainingJobSpec: Sendable {
    public var name: String
    public var metricDefinitions: [MetricDefinition]
    /// In request order (hyperparameters are passed to the container in that order).
    public var hyperParameters: [KeyValue]
    /// In request order.
    public var environment: [KeyValue]
    public var maxRuntimeSeconds: Int?
    public var maxWaitTimeSeconds: Int?
    /// nil when the request leaves it out (the service then uses 500).
    public var profilingIntervalMilliseconds: Int?
    public var disableProfiler: Bool
    /// The whole request as written, member order and number literals preserved.
    public var request: JSONValue

    public init(name: String, metricDefinitions: [MetricDefinition] = [], hyperParameters: [KeyValue] = [],
                environment: [KeyValue] = [], maxRuntimeSeconds: Int? = nil, maxWaitTimeSeconds: Int? = nil,
                profilingIntervalMilliseconds: Int? = nil, disableProfiler: Bool = false, request: JSONValue) {
        self.name = name
        self.metricDefinitions = metricDefinitions
        self.hyperParameters = hyperParameters
        self.environment = environment
        self.maxRuntimeSeconds = maxRuntimeSeconds
        self.maxWaitTimeSeconds = maxWaitTimeSeconds
        self.profilingIntervalMilliseconds = profilingIntervalMilliseconds
        self.disableProfiler = disableProfiler
        self.request = request
    }

    /// Reads the fields out of a request that validated without errors, so types are already right.
    init(validatedRequest request: JSONValue) {
        let algorithm = request["AlgorithmSpecification"]
        let stopping = request["StoppingCondition"]
        let profiler = request["ProfilerConfig"]
        self.init(
            name: request["TrainingJobName"]?.stringValue ?? "",
            metricDefinitions: (algorithm?["MetricDefinitions"]?.arrayElements ?? []).map {
                MetricDefinition(name: $0["Name"]?.stringValue ?? "", regex: $0["Regex"]?.stringValue ?? "")
            },
            hyperParameters: Self.pairs(request["HyperParameters"]),
            environment: Self.pairs(request["Environment"]),
            maxRuntimeSeconds: Self.int(stopping?["MaxRuntimeInSeconds"]),
            maxWaitTimeSeconds: Self.int(stopping?["MaxWaitTimeInSeconds"]),
            profilingIntervalMilliseconds: Self.int(profiler?["ProfilingIntervalInMilliseconds"]),
            disableProfiler: profiler?["DisableProfiler"]?.boolValue ?? false,
            request: request)
    }

    private static func pairs(_ map: JSONValue?) -> [KeyValue] {
        (map?.objectMembers ?? []).map { KeyValue(key: $0.key, value: $0.value.stringValue ?? "") }
    }

    private static func int(_ value: JSONValue?) -> Int? {
        value?.numberValue?.int64.flatMap { Int(exactly: $0) }
    }
}

/// An ordered map entry (tuples are neither Equatable nor convenient in Sendable structs).
public struct KeyValue: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
