import CSQLite

/// Reads. Each is one statement, so it sees one committed state; wrap several in `snapshot` for a
/// consistent combination.
extension MetricStore {
    /// The job row, or nil before `startJob`.
    public func job() throws(SQLiteError) -> JobRecord? {
        let sql = """
            SELECT name, host_id, status, secondary_status, failure_reason, creation_time_ms,
                   start_time_ms, end_time_ms, exit_code, request_json
            FROM job WHERE id = 1
            """
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) -> JobRecord? in
            guard try s.step() else { return nil }
            return JobRecord(
                name: s.string(at: 0), hostId: s.string(at: 1), status: s.string(at: 2),
                secondaryStatus: s.string(at: 3), failureReason: s.optionalString(at: 4),
                creationTimeMs: s.int64(at: 5), startTimeMs: s.optionalInt64(at: 6),
                endTimeMs: s.optionalInt64(at: 7),
                exitCode: s.optionalInt64(at: 8).map { Int32(truncatingIfNeeded: $0) },
                requestJSON: s.string(at: 9))
        }
    }

    /// SecondaryStatusTransitions, oldest first.
    public func transitions() throws(SQLiteError) -> [StatusTransition] {
        let sql = "SELECT status, start_time_ms, end_time_ms, message FROM status_transition ORDER BY seq"
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            var result: [StatusTransition] = []
            while try s.step() {
                result.append(StatusTransition(status: s.string(at: 0), startTimeMs: s.int64(at: 1),
                                               endTimeMs: s.optionalInt64(at: 2), message: s.optionalString(at: 3)))
            }
            return result
        }
    }

    /// The metric definitions in MetricDefinitions order (the index `MetricSample.metricIndex` uses).
    public func definitions() throws(SQLiteError) -> [(name: String, regex: String)] {
        try connection.withStatement("SELECT name, regex FROM metric ORDER BY definition_index") {
            (s: Statement) throws(SQLiteError) in
            var result: [(name: String, regex: String)] = []
            while try s.step() { result.append((s.string(at: 0), s.string(at: 1))) }
            return result
        }
    }

    /// FinalMetricDataList: the sample with the highest seq of each metric, in definition order;
    /// metrics that never matched are left out, as SageMaker leaves them out. Kept on the `metric`
    /// row by `append`, so this reads a dozen rows however many samples there are.
    public func finalMetrics() throws(SQLiteError) -> [(name: String, value: Double, timeMs: Int64)] {
        let sql = """
            SELECT name, last_value, last_is_nan, last_time_ms FROM metric
            WHERE last_seq IS NOT NULL ORDER BY definition_index
            """
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            var result: [(name: String, value: Double, timeMs: Int64)] = []
            while try s.step() {
                result.append((s.string(at: 0), Self.value(s, column: 1, isNaNColumn: 2), s.int64(at: 3)))
            }
            return result
        }
    }

    /// The highest stored seq per metric index; a resumed run continues from these.
    public func lastSeq() throws(SQLiteError) -> [Int: Int64] {
        let sql = "SELECT definition_index, last_seq FROM metric WHERE last_seq IS NOT NULL"
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            var result: [Int: Int64] = [:]
            while try s.step() { result[Int(s.int64(at: 0))] = s.int64(at: 1) }
            return result
        }
    }

    /// Where extraction of `source` got to, or nil if it never committed a batch.
    public func position(source: String) throws(SQLiteError) -> SourcePosition? {
        let sql = """
            SELECT byte_offset, line, device, inode, fingerprint, fingerprint_length, pending, file_modified_ns
            FROM source_position WHERE source = ?
            """
        return try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) -> SourcePosition? in
            try s.bind(source, at: 1)
            guard try s.step() else { return nil }
            var file: FileIdentityRecord?
            if !s.isNull(at: 2) {
                file = FileIdentityRecord(device: UInt64(bitPattern: s.int64(at: 2)), inode: UInt64(bitPattern: s.int64(at: 3)),
                                          fingerprint: UInt64(bitPattern: s.int64(at: 4)), fingerprintLength: Int(s.int64(at: 5)),
                                          modifiedNs: s.optionalInt64(at: 7))
            }
            let pending = s.isNull(at: 6) ? nil : s.bytes(at: 6)
            return SourcePosition(source: source, byteOffset: s.int64(at: 0), line: s.int64(at: 1), file: file,
                                  pending: pending)
        }
    }

    /// Whether any followed source was registered (a `tail` job), so listings add a source column.
    public func hasSources() throws(SQLiteError) -> Bool {
        try connection.withStatement("SELECT EXISTS (SELECT 1 FROM source)") { (s: Statement) throws(SQLiteError) -> Bool in
            try s.step() && s.int64(at: 0) == 1
        }
    }

    /// The id of the followed source `name`, registering it on first use.
    public func sourceID(name: String) throws(SQLiteError) -> Int64 {
        try connection.withStatement("INSERT INTO source (name) VALUES (?) ON CONFLICT (name) DO NOTHING") {
            (s: Statement) throws(SQLiteError) in
            try s.bind(name, at: 1)
            try s.run()
        }
        return try connection.withStatement("SELECT id FROM source WHERE name = ?") { (s: Statement) throws(SQLiteError) -> Int64 in
            try s.bind(name, at: 1)
            guard try s.step() else { throw .store("source \(name) vanished", path: path) }
            return s.int64(at: 0)
        }
    }

    /// Every persisted counter, sorted by name then labels.
    public func counters() throws(SQLiteError) -> [(name: String, labels: String, value: Int64)] {
        try connection.withStatement("SELECT name, labels, value FROM counter ORDER BY name, labels") {
            (s: Statement) throws(SQLiteError) in
            var result: [(name: String, labels: String, value: Int64)] = []
            while try s.step() { result.append((s.string(at: 0), s.string(at: 1), s.int64(at: 2))) }
            return result
        }
    }

    public func sampleCount() throws(SQLiteError) -> Int64 {
        try connection.scalarInt64("SELECT COALESCE(SUM(sample_count), 0) FROM metric")
    }

    /// Calls `body` for each sample (of `metricName` only, when given) in time order, then metric
    /// definition order, then seq. Rows are read one at a time, so memory stays flat however many
    /// samples there are (SQLite's sorter spills to temporary files); the whole iteration sees one
    /// snapshot. Ordering by `metric_id` is ordering by definition index (they are equal, see `Schema.v1`).
    public func forEachSample(metricName: String?, _ body: (StoredSample) throws -> Void) throws {
        let columns = "SELECT m.name, s.time_ms, s.value, s.is_nan, s.stream, s.line, s.seq, src.name"
        let from = "FROM sample s JOIN metric m ON m.id = s.metric_id LEFT JOIN source src ON src.id = s.source_id"
        let sql = metricName == nil
            ? "\(columns) \(from) ORDER BY s.time_ms, s.metric_id, s.seq"
            : "\(columns) \(from) WHERE m.name = ? ORDER BY s.time_ms, s.metric_id, s.seq"
        let statement = try connection.cachedStatement(sql)
        defer { statement.reset() }
        if let metricName { try statement.bind(metricName, at: 1) }
        while try statement.step() {
            let rawStream = statement.int64(at: 4)
            guard let stream = LogStream(rawValue: Int(rawStream)) else {
                throw SQLiteError(extendedCode: SQLITE_CORRUPT, message: "sample has unknown stream \(rawStream)",
                                  sql: sql, path: path)
            }
            try body(StoredSample(metricName: statement.string(at: 0), timeMs: statement.int64(at: 1),
                                  value: Self.value(statement, column: 2, isNaNColumn: 3), stream: stream,
                                  line: statement.int64(at: 5), seq: statement.int64(at: 6),
                                  source: statement.isNull(at: 7) ? nil : statement.string(at: 7)))
        }
    }

    /// A stored sample value: NaN is a NULL `value` flagged by `is_nan` (SQLite cannot store NaN).
    private static func value(_ s: Statement, column: Int32, isNaNColumn: Int32) -> Double {
        if s.int64(at: isNaNColumn) != 0 || s.isNull(at: column) { return .nan }
        return s.double(at: column)
    }
}
