/// Rule evaluations (schema v5).
extension MetricStore {
    public struct RuleEvaluationRecord: Sendable, Equatable {
        public var name: String
        /// `debug` or `profiler`.
        public var kind: String
        public var status: String
        public var statusDetails: String?
        public var step: Int64?
        public var lastModifiedMs: Int64

        public init(name: String, kind: String, status: String, statusDetails: String?, step: Int64?, lastModifiedMs: Int64) {
            self.name = name
            self.kind = kind
            self.status = status
            self.statusDetails = statusDetails
            self.step = step
            self.lastModifiedMs = lastModifiedMs
        }
    }

    /// Records (or replaces) the evaluation of one rule configuration.
    public func record(_ r: RuleEvaluationRecord) throws(SQLiteError) {
        let sql = """
            INSERT INTO rule_evaluation (name, kind, status, status_details, step, last_modified_ms) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, status = excluded.status,
                status_details = excluded.status_details, step = excluded.step, last_modified_ms = excluded.last_modified_ms
            """
        try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            try s.bind(r.name, at: 1)
            try s.bind(r.kind, at: 2)
            try s.bind(r.status, at: 3)
            try s.bind(r.statusDetails, at: 4)
            try s.bind(r.step, at: 5)
            try s.bind(r.lastModifiedMs, at: 6)
            try s.run()
        }
    }

    public func ruleEvaluations() throws(SQLiteError) -> [RuleEvaluationRecord] {
        let sql = "SELECT name, kind, status, status_details, step, last_modified_ms FROM rule_evaluation ORDER BY name"
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            var out: [RuleEvaluationRecord] = []
            while try s.step() {
                out.append(RuleEvaluationRecord(name: s.string(at: 0), kind: s.string(at: 1), status: s.string(at: 2),
                                                statusDetails: s.optionalString(at: 3), step: s.optionalInt64(at: 4),
                                                lastModifiedMs: s.int64(at: 5)))
            }
            return out
        }
    }
}
