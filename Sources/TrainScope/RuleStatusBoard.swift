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
        configured = Self.evaluated(spec.ruleConfigurations(.debug)).map {
            Configured(name: $0.name ?? "?", rule: $0.ruleToInvoke ?? "", parameters: $0.parameterMap)
        }
        labels = [("host", hostID), ("training_job", spec.name)]
        statuses = Mutex([:])
    }

    /// The configurations trainscope evaluates: built-in rules it implements.
    static func evaluated(_ rules: [RuleConfiguration]) -> [RuleConfiguration] {
        rules.filter { !$0.isCustomRule && DebugRules.implemented.contains($0.ruleToInvoke ?? "") }
    }

    /// The rule configurations the job has that trainscope does not evaluate (said once at the start).
    static func notEvaluated(spec: TrainingJobSpec) -> [String] {
        let evaluated = Set(Self.evaluated(spec.ruleConfigurations(.debug)).map(\.index))
        return spec.ruleConfigurations(.debug).filter { !evaluated.contains($0.index) }.compactMap(\.name)
            + spec.ruleConfigurations(.profiler).compactMap(\.name)
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
