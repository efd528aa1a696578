/// A rule's outcome as DescribeTrainingJob reports it (`DebugRuleEvaluationStatuses[]`).
public struct RuleEvaluation: Sendable, Equatable {
    /// SageMaker's RuleEvaluationStatus values this engine produces.
    public enum Status: String, Sendable {
        case inProgress = "InProgress"
        case noIssuesFound = "NoIssuesFound"
        case issuesFound = "IssuesFound"
        case error = "Error"
    }

    public var status: Status
    /// The global step at which the condition was met.
    public var step: Int64?
    /// As SageMaker words it: `RuleEvaluationConditionMet: Evaluation of the rule <Name> at step <N>
    /// resulted in the condition being met\n` (smdebug's exception, `f"{type(e).__name__}: {e}\n"`).
    public var statusDetails: String?

    public init(status: Status, step: Int64? = nil, statusDetails: String? = nil) {
        self.status = status
        self.step = step
        self.statusDetails = statusDetails
    }

    static func conditionMet(rule: String, step: Int64) -> RuleEvaluation {
        RuleEvaluation(status: .issuesFound, step: step,
                       statusDetails: "RuleEvaluationConditionMet: Evaluation of the rule \(rule) at step \(step) resulted in the condition being met\n")
    }
}

/// Why a rule could not be set up or evaluated (an `Error` status).
public struct RuleError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
