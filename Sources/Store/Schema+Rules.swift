extension Schema {
    /// v5: rule evaluations, one row per rule configuration that trainscope evaluates, as
    /// DescribeTrainingJob's `DebugRuleEvaluationStatuses` and `ProfilerRuleEvaluationStatuses`
    /// report them (`kind` says which list).
    static let v5RuleEvaluations = """
        CREATE TABLE rule_evaluation (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('debug', 'profiler')),
            status TEXT NOT NULL,
            status_details TEXT,
            step INTEGER,
            last_modified_ms INTEGER NOT NULL
        );
        """
}
