import Exposition
import Foundation
import JobSpec
import Logging
import RuleEngine
import Store
import Synchronization
import TensorIO

/// The job's rule evaluations inside `run`: the DebugRuleConfigurations trainscope evaluates are
/// `InProgress` from the start, and evaluated over the trial once the job has ended and the trial
/// is finished (all of it, once: memory stays bounded during the run). Statuses go to the database
/// (`describe` lists them as DebugRuleEvaluationStatuses) and to `/metrics`.
final class RuleStatusBoard: Sendable {
    struct Configured: Sendable {
        var name: String
        var rule: String
        var parameters: [String: String]
    }

    let configured: [Configured]
    private let labels: [(String, String)]
    private let statuses: Mutex<[String: String]>

    init(spec: TrainingJobSpec, hostID: String) {
        var list: [Configured] = []
        for rule in spec.request["DebugRuleConfigurations"]?.arrayElements ?? [] {
            let image = rule["RuleEvaluatorImage"]?.stringValue ?? ""
            guard !image.contains("sagemaker-debugger-rule-evaluator"), let name = rule["RuleConfigurationName"]?.stringValue else { continue }
            let parameters = Dictionary((rule["RuleParameters"]?.objectMembers ?? []).compactMap { m in
                m.value.stringValue.map { (m.key, $0) } }, uniquingKeysWith: { a, _ in a })
            guard let invoke = parameters["rule_to_invoke"], DebugRules.implemented.contains(invoke) else { continue }
            list.append(Configured(name: name, rule: invoke, parameters: parameters))
        }
        configured = list
        labels = [("host", hostID), ("training_job", spec.name)]
        statuses = Mutex([:])
    }

    /// The rule configurations the job has that trainscope does not evaluate (said once at the start).
    static func notEvaluated(spec: TrainingJobSpec) -> [String] {
        (spec.request["DebugRuleConfigurations"]?.arrayElements ?? []).compactMap { rule in
            guard let name = rule["RuleConfigurationName"]?.stringValue else { return nil }
            let invoke = rule["RuleParameters"]?["rule_to_invoke"]?.stringValue ?? ""
            return DebugRules.implemented.contains(invoke) ? nil : name
        } + (spec.request["ProfilerRuleConfigurations"]?.arrayElements ?? []).compactMap { $0["RuleConfigurationName"]?.stringValue }
    }

    func start(store: StatusRecorder, timeMs: Int64, logger: Logger) {
        for c in configured {
            set(c.name, "InProgress")
            record(store, MetricStore.RuleEvaluationRecord(name: c.name, kind: "debug", status: "InProgress", statusDetails: nil,
                                                           step: nil, lastModifiedMs: timeMs), logger)
        }
    }

    /// Evaluates every configured rule over the trial in `directory`.
    func finish(directory: String?, store: StatusRecorder, timeMs: Int64, logger: Logger) {
        guard !configured.isEmpty else { return }
        let trial = directory.map { SmdebugTrialReader(directory: $0) }
        trial?.refresh()
        for c in configured {
            let result: RuleEvaluation
            if let trial, FileManager.default.fileExists(atPath: trial.directory) {
                result = DebugRules.evaluate(rule: c.rule, parameters: c.parameters, trial: trial)
            } else {
                // As SageMaker says for a job that saved nothing for its rules.
                result = RuleEvaluation(status: .error, statusDetails: "No debugging data was saved by the training job\n")
            }
            set(c.name, result.status.rawValue)
            record(store, MetricStore.RuleEvaluationRecord(name: c.name, kind: "debug", status: result.status.rawValue,
                                                           statusDetails: result.statusDetails, step: result.step,
                                                           lastModifiedMs: timeMs), logger)
            logger.notice("rule \(c.name) (\(c.rule)): \(result.status.rawValue)\(result.step.map { " at step \($0)" } ?? "")")
        }
    }

    private func set(_ name: String, _ status: String) { statuses.withLock { $0[name] = status } }

    private func record(_ store: StatusRecorder, _ r: MetricStore.RuleEvaluationRecord, _ logger: Logger) {
        do { try store.with { try $0.record(r) } } catch { logger.error("cannot record rule \(r.name): \(error)") }
    }

    static let statusValues = ["InProgress", "NoIssuesFound", "IssuesFound", "Error"]

    func families() -> [MetricFamily] {
        let current = statuses.withLock { $0 }
        guard !current.isEmpty else { return [] }
        var family = MetricFamily(name: "trainscope_rule_evaluation_status",
                                  help: "1 for each rule configuration's current RuleEvaluationStatus, 0 for the others.", kind: .gauge)
        for (name, status) in current.sorted(by: { $0.key < $1.key }) {
            for s in Self.statusValues {
                family.series.append(.init(labels: labels + [("rule", name), ("status", s)], value: .integer(status == s ? 1 : 0)))
            }
        }
        return [family]
    }
}
