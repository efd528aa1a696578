/// One built-in SageMaker Debugger rule, as the catalogue in `Rules/` describes it: what it looks at,
/// when it fires, the collections SageMaker asks the hook to save for it, and its parameters.
/// RuleParameters arrive as strings (the SDK sends `str(value)`), so a parameter's type says how
/// the string must read.
public struct RuleDefinition: Sendable {
    public enum Kind: String, Sendable {
        /// Reads the tensors of a Debugger trial (DebugRuleConfigurations).
        case debug
        /// Reads the system and framework profile (ProfilerRuleConfigurations).
        case profiler
    }

    public struct Collection: Sendable {
        public var name: String
        /// CollectionParameters, in the catalogue's order.
        public var parameters: [(String, String)]
        public init(name: String, parameters: [(String, String)]) {
            self.name = name
            self.parameters = parameters
        }
    }

    public struct Parameter: Sendable {
        public enum ValueType: String, Sendable {
            /// A float as Python's `float()` reads it.
            case number
            /// An integer (an integral float such as `10.0` too).
            case integer
            /// `True` or `False` (any case).
            case boolean
            case string
            /// A regular expression (Python `re`); not compiled here, as PCRE2's dialect differs.
            case regex
            /// A comma-separated list.
            case list
            /// Two numbers, `(low, high)`.
            case range
            /// `TRAIN`, `EVAL`, `PREDICT` or `GLOBAL`.
            case mode
            /// Another trial's path or URI.
            case trial
        }

        public var name: String
        public var type: ValueType
        /// As SageMaker documents it; nil where it is Python's None.
        public var defaultValue: String?
        public var description: String
        public var minimum: Double?
        public var maximum: Double?
        public var exclusiveMinimum: Double?
        public var exclusiveMaximum: Double?

        public init(name: String, type: ValueType, defaultValue: String?, description: String, minimum: Double? = nil,
                    maximum: Double? = nil, exclusiveMinimum: Double? = nil, exclusiveMaximum: Double? = nil) {
            self.name = name
            self.type = type
            self.defaultValue = defaultValue
            self.description = description
            self.minimum = minimum
            self.maximum = maximum
            self.exclusiveMinimum = exclusiveMinimum
            self.exclusiveMaximum = exclusiveMaximum
        }
    }

    public var name: String
    public var kind: Kind
    public var summary: String
    public var condition: String
    /// The frameworks whose SDK rule group "SIMPLE" includes the rule.
    public var ruleGroups: [String]
    public var collections: [Collection]
    public var parameters: [Parameter]
    /// Each group: at least one of these parameters must be given.
    public var requiresOneOf: [[String]]

    public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }
}

/// The catalogue (generated from `Rules/` into `Generated/BuiltInRules.swift`).
public enum BuiltInRules {
    public static func named(_ name: String) -> RuleDefinition? { all.first { $0.name == name } }

    /// Parameters every rule takes besides its own: the rule's name, the trial, and actions.
    public static let commonParameters: Set<String> = ["rule_to_invoke", "base_trial", "action_json"]
}
