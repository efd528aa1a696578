import Foundation
import JobSpec
import RuleCatalogue
import RuleEngine
import TensorIO

/// `trainscope rules list|show`: the built-in rule catalogue (`Rules/`), so that a rule
/// configuration can be written, and checked, without the SageMaker docs at hand.
public enum RulesCommandRunner {
    public static func list(kind: String?, output: (String) -> Void) -> Int32 {
        for k in [RuleDefinition.Kind.debug, .profiler] where kind == nil || kind == k.rawValue {
            output("\(k.rawValue) rules (\(k == .debug ? "DebugRuleConfigurations" : "ProfilerRuleConfigurations"))")
            let rules = BuiltInRules.all.filter { $0.kind == k }
            let width = rules.map(\.name.count).max() ?? 0
            for r in rules { output("  " + r.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + r.summary) }
        }
        return 0
    }

    public static func show(name: String, json: Bool, output: (String) -> Void, diagnostics: (String) -> Void) -> Int32 {
        guard let rule = BuiltInRules.all.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            var message = "\(name) is not a built-in rule"
            if let close = Suggestion.closest(to: name, in: BuiltInRules.all.map(\.name)) { message += "; did you mean \(close)?" }
            diagnostics(message + " (trainscope rules list)")
            return 1
        }
        if json {
            output(JSONSerializer.string(document(rule)))
            return 0
        }
        let list = rule.kind == .debug ? "DebugRuleConfigurations" : "ProfilerRuleConfigurations"
        output("\(rule.name): a \(rule.kind.rawValue) rule, for \(list) with RuleParameters.rule_to_invoke = \"\(rule.name)\"")
        output(rule.summary)
        output("Fires: " + rule.condition)
        if !rule.collections.isEmpty {
            let c = rule.collections.map { c in "\(c.name) (\(c.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")))" }
            output("Collections SageMaker saves for it: " + c.joined(separator: "; "))
        }
        if !rule.ruleGroups.isEmpty { output("In the SDK's SIMPLE rule group for: " + rule.ruleGroups.joined(separator: ", ")) }
        if rule.parameters.isEmpty {
            output(rule.name == "ProfilerReport" ? "Parameters: <Rule>_<parameter> for any profiler rule, e.g. CPUBottleneck_threshold"
                                                 : "Parameters: none of its own")
        } else {
            output("Parameters (RuleParameters values are strings):")
            let width = rule.parameters.map(\.name.count).max() ?? 0
            for p in rule.parameters {
                let kind = ([p.type.rawValue] + p.boundsDescription).joined(separator: " ")
                let def = "default " + (p.defaultValue ?? "None")
                output("  " + p.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                       + kind.padding(toLength: 24, withPad: " ", startingAt: 0) + def.padding(toLength: 30, withPad: " ", startingAt: 0)
                       + p.description)
            }
        }
        for group in rule.requiresOneOf { output("Needs " + (group.count == 1 ? group[0] : "one of " + group.joined(separator: ", "))) }
        output("Every rule also takes rule_to_invoke, base_trial, action_json.")
        return 0
    }

    /// The rule as its catalogue file has it.
    static func document(_ rule: RuleDefinition) -> JSONValue {
        func s(_ v: String?) -> JSONValue { v.map { .string($0) } ?? .null }
        var members: [JSONMember] = [
            JSONMember("name", .string(rule.name)), JSONMember("kind", .string(rule.kind.rawValue)),
            JSONMember("summary", .string(rule.summary)), JSONMember("condition", .string(rule.condition)),
        ]
        if !rule.ruleGroups.isEmpty { members.append(JSONMember("ruleGroups", .array(rule.ruleGroups.map { .string($0) }))) }
        members.append(JSONMember("collections", .array(rule.collections.map { c in
            .object([JSONMember("CollectionName", .string(c.name)),
                     JSONMember("CollectionParameters", .object(c.parameters.map { JSONMember($0.0, .string($0.1)) }))])
        })))
        members.append(JSONMember("parameters", .array(rule.parameters.map { p in
            var m = [JSONMember("name", .string(p.name)), JSONMember("type", .string(p.type.rawValue)),
                     JSONMember("default", s(p.defaultValue)), JSONMember("description", .string(p.description))]
            for (key, value) in [("minimum", p.minimum), ("maximum", p.maximum), ("exclusiveMinimum", p.exclusiveMinimum),
                                 ("exclusiveMaximum", p.exclusiveMaximum)] {
                if let value { m.append(JSONMember(key, .number(JSONNumber(value)))) }
            }
            return .object(m)
        })))
        if !rule.requiresOneOf.isEmpty {
            members.append(JSONMember("requiresOneOf", .array(rule.requiresOneOf.map { .array($0.map { .string($0) }) })))
        }
        return .object(members)
    }
}

extension RulesCommandRunner {
    /// `trainscope rules evaluate`: the job's DebugRuleConfigurations over a trial folder, as
    /// DescribeTrainingJob's `DebugRuleEvaluationStatuses`. Rules trainscope does not evaluate yet
    /// are left out, with a note.
    public static func evaluate(jobPath: String, trial directory: String, now: Double,
                                output: (String) -> Void, diagnostics: (String) -> Void) -> Int32 {
        let spec: TrainingJobSpec
        do {
            spec = try JobSpecLoader.load(path: jobPath).spec
        } catch {
            for issue in error.issues { diagnostics("\(issue)") }
            return 1
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            diagnostics("\(directory): no such trial folder")
            return 1
        }
        let trial = SmdebugTrialReader(directory: directory)
        trial.refresh()
        for (file, problem) in trial.problems.sorted(by: { $0.key < $1.key }) { diagnostics("\(directory)/\(file): \(problem)") }
        var statuses: [JSONValue] = []
        let evaluated = Set(RuleStatusBoard.evaluated(spec.ruleConfigurations(.debug)).map(\.index))
        for rule in spec.ruleConfigurations(.debug) {
            let name = rule.name ?? "?"
            guard evaluated.contains(rule.index), let invoke = rule.ruleToInvoke else {
                diagnostics("\(name): not evaluated (trainscope evaluates \(DebugRules.implemented.joined(separator: ", ")) so far)")
                continue
            }
            let result = DebugRules.evaluate(rule: invoke, parameters: rule.parameterMap, trial: trial)
            var members = [JSONMember("RuleConfigurationName", .string(name)),
                           JSONMember("RuleEvaluationStatus", .string(result.status.rawValue))]
            if let details = result.statusDetails { members.append(JSONMember("StatusDetails", .string(details))) }
            members.append(JSONMember("LastModifiedTime", .number(JSONNumber(now))))
            statuses.append(.object(members))
        }
        output(JSONSerializer.string(.object([JSONMember("DebugRuleEvaluationStatuses", .array(statuses))])))
        return 0
    }
}
