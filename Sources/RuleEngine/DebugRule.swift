import Foundation
import PCRE2
import TensorIO

/// A built-in debug rule, evaluated one global step at a time as smdebug's `Rule.invoke_at_step`.
protocol DebugRule {
    var name: String { get }
    /// True when the rule's condition is met at `step`.
    mutating func invoke(at step: Int64, trial: SmdebugTrialReader) throws -> Bool
}

/// The debug rules trainscope evaluates, and how a rule configuration becomes one.
public enum DebugRules {
    /// Implemented so far; the others of the catalogue are validated but not evaluated.
    public static let implemented = ["ExplodingTensor", "LossNotDecreasing"]

    static func make(_ name: String, parameters: [String: String], trial: SmdebugTrialReader) throws -> any DebugRule {
        switch name {
        case "LossNotDecreasing": return try LossNotDecreasing(parameters: parameters, trial: trial)
        case "ExplodingTensor": return try ExplodingTensor(parameters: parameters)
        default: throw RuleError("trainscope does not evaluate \(name) yet (it evaluates \(implemented.joined(separator: ", ")))")
        }
    }

    /// Evaluates the rule over the trial's complete steps in order, as smdebug's `invoke_rule` does:
    /// the first step at which the condition holds ends it (`IssuesFound`); every step evaluated
    /// without it, on a trial that has ended, is `NoIssuesFound`; on one still being written,
    /// `InProgress`. A rule that cannot be set up or read is an `Error`.
    public static func evaluate(rule name: String, parameters: [String: String], trial: SmdebugTrialReader,
                                fromStep start: Int64 = 0) -> RuleEvaluation {
        do {
            var rule = try make(name, parameters: parameters, trial: trial)
            for step in trial.steps() where step >= start {
                if try rule.invoke(at: step, trial: trial) { return .conditionMet(rule: rule.name, step: step) }
            }
            return RuleEvaluation(status: trial.hasEnded ? .noIssuesFound : .inProgress)
        } catch {
            return RuleEvaluation(status: .error, statusDetails: "\(error)\n")
        }
    }
}

/// Parameter readings shared by the rules (values are strings, as SageMaker sends them).
enum RuleParameters {
    static func list(_ value: String?) -> [String] {
        guard let value, value != "None" else { return [] }
        return value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func bool(_ value: String?, default d: Bool) -> Bool {
        guard let value, value != "None" else { return d }
        return ["1", "true", "yes"].contains(value.trimmingCharacters(in: .whitespaces).lowercased())
    }

    static func integer(_ value: String?, _ name: String, default d: Int64) throws -> Int64 {
        guard let value, value != "None" else { return d }
        guard let n = Int64(value.trimmingCharacters(in: .whitespaces)) else { throw RuleError("\(name): \"\(value)\" is not an integer") }
        return n
    }

    static func number(_ value: String?, _ name: String, default d: Double) throws -> Double {
        guard let value, value != "None" else { return d }
        guard let n = Double(value.trimmingCharacters(in: .whitespaces)) else { throw RuleError("\(name): \"\(value)\" is not a number") }
        return n
    }

    /// `tensor_regex`, compiled once per rule: anchored at the start, as Python's `re.match` that
    /// smdebug's `tensor_names(regex=)` uses.
    static func regexes(_ value: String?) throws -> [PCRE2Regex] {
        try list(value).map { pattern in
            do { return try PCRE2Regex(pattern, options: [.anchored]) } catch { throw RuleError("tensor_regex \"\(pattern)\": \(error)") }
        }
    }

    /// The tensors of the named collections and those whose names `regexes` match, sorted.
    static func tensors(collections: [String], regexes: [PCRE2Regex], trial: SmdebugTrialReader) -> [String] {
        var names = Set<String>()
        for c in collections {
            if let collection = trial.collectionsFile?.collections.first(where: { $0.name == c }) {
                names.formUnion(collection.tensorNames.filter { trial.tensorNames.contains($0) })
            }
        }
        for regex in regexes {
            for name in trial.tensorNames where Array(name.utf8).withUnsafeBytes({ regex.matches($0) }) { names.insert(name) }
        }
        return names.sorted()
    }
}
