/// One item of DebugRuleConfigurations or ProfilerRuleConfigurations, as trainscope reads it: the
/// validator checks these, and the rule engine evaluates the built-in ones.
public struct RuleConfiguration: Sendable {
    public enum List: String, Sendable, CaseIterable {
        case debug = "DebugRuleConfigurations"
        case profiler = "ProfilerRuleConfigurations"
    }

    public var list: List
    public var index: Int
    public var name: String?
    public var image: String
    /// RuleParameters in request order (string values only: other types are the schema's to report).
    public var parameters: [(key: String, value: String)]

    public var ruleToInvoke: String? { parameter("rule_to_invoke") }
    public func parameter(_ key: String) -> String? { parameters.first { $0.key == key }?.value }
    public var parameterMap: [String: String] { Dictionary(parameters.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }

    /// The image SageMaker runs custom rules in (`…/sagemaker-debugger-rule-evaluator:…`): its rule
    /// is user code, named anything and taking anything.
    public var isCustomRule: Bool { image.contains("sagemaker-debugger-rule-evaluator") }
    /// The image of the built-in rules (`…/sagemaker-debugger-rules:latest`).
    public var isBuiltInRuleImage: Bool { image.contains("sagemaker-debugger-rules") }

    public static func all(in request: JSONValue, _ list: List) -> [RuleConfiguration] {
        (request[list.rawValue]?.arrayElements ?? []).enumerated().map { i, rule in
            RuleConfiguration(list: list, index: i, name: rule["RuleConfigurationName"]?.stringValue,
                              image: rule["RuleEvaluatorImage"]?.stringValue ?? "",
                              parameters: (rule["RuleParameters"]?.objectMembers ?? []).compactMap { m in
                                  m.value.stringValue.map { (key: m.key, value: $0) }
                              })
        }
    }
}

extension TrainingJobSpec {
    public func ruleConfigurations(_ list: RuleConfiguration.List) -> [RuleConfiguration] {
        RuleConfiguration.all(in: request, list)
    }
}
