import RuleCatalogue

/// DebugRuleConfigurations and ProfilerRuleConfigurations against the built-in rule catalogue
/// (`Rules/`): a built-in rule must be named in `rule_to_invoke`, sit in the list of its kind, and
/// get parameters it knows, each reading as its type. SageMaker would take a misspelt parameter
/// silently (the rule keeps its default) and a malformed value would fail the rule job later; here
/// both are said before the job starts. Custom rules (the rule-evaluator image) are not checked.
enum RuleConfigurationRules {
    static func check(_ request: JSONValue) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        for list in RuleConfiguration.List.allCases {
            for rule in RuleConfiguration.all(in: request, list) where !rule.isCustomRule { check(rule, &issues) }
        }
        return issues
    }

    private static func check(_ rule: RuleConfiguration, _ issues: inout [ValidationIssue]) {
        let kind: RuleDefinition.Kind = rule.list == .debug ? .debug : .profiler
        let parametersPath = JSONPath.root.appending(rule.list.rawValue).appending(index: rule.index).appending("RuleParameters")
        let parameters = rule.parameters
        guard let invoke = rule.ruleToInvoke else {
            if rule.isBuiltInRuleImage {
                issues.append(.error(parametersPath, "rule_to_invoke is missing: the built-in rules image runs the rule it names ("
                                     + "one of \(names(kind)))"))
            }
            return
        }
        guard let definition = BuiltInRules.named(invoke) else {
            if rule.isBuiltInRuleImage {
                var message = "\(quoted(invoke)) is not a built-in \(kind.rawValue) rule"
                if let close = Suggestion.closest(to: invoke, in: BuiltInRules.all.map(\.name)) { message += "; did you mean \(close)?" }
                issues.append(.error(parametersPath.appending("rule_to_invoke"), message))
            }
            return
        }
        guard definition.kind == kind else {
            let other = definition.kind == .debug ? "DebugRuleConfigurations" : "ProfilerRuleConfigurations"
            issues.append(.error(parametersPath.appending("rule_to_invoke"),
                                 "\(invoke) is a \(definition.kind.rawValue) rule: configure it in \(other), not \(rule.list.rawValue)"))
            return
        }
        let given = Set(parameters.map(\.key))
        for (key, value) in parameters where !BuiltInRules.commonParameters.contains(key) {
            let at = parametersPath.appending(key)
            if definition.name == "ProfilerReport" {
                checkProfilerReport(key: key, value: value, at: at, &issues)
            } else if let p = definition.parameter(key) {
                if let reason = p.reasonInvalid(value) { issues.append(.error(at, reason)) }
            } else if isOtherTrial(key), definition.parameter("other_trial") != nil {
                continue
            } else {
                issues.append(.warning(at, unknown(key, of: definition)))
            }
        }
        for group in definition.requiresOneOf {
            let satisfied = group.contains { given.contains($0) || ($0 == "other_trial" && given.contains(where: isOtherTrial)) }
            guard !satisfied else { continue }
            let names = group.map { $0 == "other_trial" ? "other_trial_0" : $0 }
            issues.append(.error(parametersPath, "\(definition.name) needs "
                                 + (names.count == 1 ? names[0] : "one of " + names.joined(separator: ", "))))
        }
    }

    /// ProfilerReport passes `<Rule>_<parameter>` on to a profiler rule (the rule name in any case).
    private static func checkProfilerReport(key: String, value: String, at: JSONPath, _ issues: inout [ValidationIssue]) {
        let rules = BuiltInRules.all.filter { $0.kind == .profiler && $0.name != "ProfilerReport" }
        guard let rule = rules.first(where: { key.lowercased().hasPrefix($0.name.lowercased() + "_") }) else {
            issues.append(.warning(at, "ProfilerReport takes <Rule>_<parameter> for a profiler rule (e.g. CPUBottleneck_threshold); "
                                   + "this names none of \(rules.map(\.name).joined(separator: ", "))"))
            return
        }
        let name = String(key.dropFirst(rule.name.count + 1))
        guard let p = rule.parameter(name) else {
            issues.append(.warning(at, unknown(name, of: rule)))
            return
        }
        if let reason = p.reasonInvalid(value) { issues.append(.error(at, reason)) }
    }

    private static func unknown(_ key: String, of rule: RuleDefinition) -> String {
        let names = rule.parameters.map(\.name)
        var message = "not a parameter of \(rule.name), which would keep its defaults"
        if let close = Suggestion.closest(to: key, in: names) {
            message += "; did you mean \(close)?"
        } else if !names.isEmpty {
            message += "; it takes \(names.joined(separator: ", "))"
        }
        return message
    }

    private static func isOtherTrial(_ key: String) -> Bool {
        let rest = key.dropFirst("other_trial_".count)
        return key.hasPrefix("other_trial_") && !rest.isEmpty && rest.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func names(_ kind: RuleDefinition.Kind) -> String {
        BuiltInRules.all.filter { $0.kind == kind }.map(\.name).joined(separator: ", ")
    }

    private static func quoted(_ s: String) -> String { "\"" + s + "\"" }
}
