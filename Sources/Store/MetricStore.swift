import CSQLite
import Foundation

/// The training job's database: job row, status transitions, metric definitions and samples, log
/// source positions and counters, in one SQLite file.
///
/// One instance per thread (it wraps a `SQLiteConnection` opened without SQLite's mutex). The run
/// loop writes through one read-write instance; `describe`/`metrics` read through their own
/// `openReadOnly` instances, which WAL mode lets run alongside the writer.
public final class MetricStore {
    public let path: String
    let connection: SQLiteConnection
    /// Sources seen in the `source` table; a source is never deleted, so once seen it stays valid.
    private var knownSourceIDs = Set<Int64>()

    /// Opens `path`, creating the file if needed, and brings its schema up to date.
    public init(path: String) throws(SQLiteError) {
        self.path = path
        do {
            connection = try SQLiteConnection(path: path, mode: .readWrite)
            try Migrator.migrate(connection)
        } catch {
            throw Self.explained(error.within("cannot open database"), path: path)
        }
    }

    private init(path: String, connection: SQLiteConnection) {
        self.path = path
        self.connection = connection
    }

    /// Opens an existing database without writing to it, for reading while a run may be writing.
    /// Fails for a file no run has written yet, rather than reading empty results from it.
    public static func openReadOnly(path: String) throws(SQLiteError) -> MetricStore {
        do {
            let connection = try SQLiteConnection(path: path, mode: .readOnly)
            try Migrator.checkReadable(connection)
            return MetricStore(path: path, connection: connection)
        } catch {
            throw explained(error.within("cannot open database"), path: path)
        }
    }

    /// SQLite says only "unable to open database file" for every kind of bad path; say which kind.
    private static func explained(_ error: SQLiteError, path: String) -> SQLiteError {
        guard error.code == SQLITE_CANTOPEN else { return error }
        let files = FileManager.default
        let parent = (path as NSString).deletingLastPathComponent
        let parentPath = parent.isEmpty ? "." : parent
        var isDirectory: ObjCBool = false
        let reason: String
        if files.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            reason = "the path is a directory"
        } else if !files.fileExists(atPath: parentPath, isDirectory: &isDirectory) {
            reason = "directory \(parentPath) does not exist"
        } else if !isDirectory.boolValue {
            reason = "\(parentPath) is not a directory"
        } else if !files.fileExists(atPath: path) {
            reason = files.isWritableFile(atPath: parentPath)
                ? "the file does not exist" : "directory \(parentPath) is not writable"
        } else {
            return error
        }
        return SQLiteError(extendedCode: error.extendedCode, message: "\(error.message) (\(reason))",
                           sql: error.sql, path: path, context: error.context)
    }

    /// Calls `body` with the SQL of every statement this store runs, for debugging and tests.
    public func traceSQL(_ body: ((String) -> Void)?) {
        connection.trace(body)
    }

    /// Runs `body`'s reads against one snapshot, e.g. so that `describe` never pairs a finished
    /// job row with metrics from before the last batch.
    public func snapshot<R>(_ body: () throws(SQLiteError) -> R) throws(SQLiteError) -> R {
        try connection.transaction(.deferred, body)
    }

    // MARK: Job lifecycle

    /// Records the job and its metric definitions.
    ///
    /// A database belongs to one job. Starting the job it already holds resumes it: samples,
    /// transitions, positions and counters stay; the job row takes the new values except
    /// `creationTimeMs`, which keeps the first start's. The definitions must then be the ones the job
    /// was started with, since stored samples refer to metrics by index.
    public func startJob(_ job: JobRecord, definitions: [(name: String, regex: String)]) throws(SQLiteError) {
        try connection.transaction { () throws(SQLiteError) in
            if let existing = try self.job() {
                guard existing.name == job.name else {
                    throw .store("database holds training job \"\(existing.name)\", not \"\(job.name)\"; "
                                 + "use a separate database file per job", path: path)
                }
                let stored = try self.definitions()
                let same = stored.count == definitions.count
                    && zip(stored, definitions).allSatisfy { $0.name == $1.name && $0.regex == $1.regex }
                guard same else {
                    throw .store("training job \"\(job.name)\" was started with different metric definitions "
                                 + "(\(stored.map(\.name))); they cannot change on resume", path: path)
                }
                try updateJob(job)
            } else {
                try insertJob(job)
                try insertDefinitions(definitions)
            }
        }
    }

    private func insertJob(_ job: JobRecord) throws(SQLiteError) {
        let sql = """
            INSERT INTO job (id, name, host_id, status, secondary_status, failure_reason, creation_time_ms,
                             start_time_ms, end_time_ms, exit_code, request_json)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            try s.bind(job.name, at: 1)
            try s.bind(job.hostId, at: 2)
            try s.bind(job.status, at: 3)
            try s.bind(job.secondaryStatus, at: 4)
            try s.bind(job.failureReason, at: 5)
            try s.bind(job.creationTimeMs, at: 6)
            try s.bind(job.startTimeMs, at: 7)
            try s.bind(job.endTimeMs, at: 8)
            try s.bind(job.exitCode.map(Int64.init), at: 9)
            try s.bind(job.requestJSON, at: 10)
            try s.run()
        }
    }

    private func updateJob(_ job: JobRecord) throws(SQLiteError) {
        let sql = """
            UPDATE job SET host_id = ?, status = ?, secondary_status = ?, failure_reason = ?,
                           start_time_ms = ?, end_time_ms = ?, exit_code = ?, request_json = ?
            WHERE id = 1
            """
        try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            try s.bind(job.hostId, at: 1)
            try s.bind(job.status, at: 2)
            try s.bind(job.secondaryStatus, at: 3)
            try s.bind(job.failureReason, at: 4)
            try s.bind(job.startTimeMs, at: 5)
            try s.bind(job.endTimeMs, at: 6)
            try s.bind(job.exitCode.map(Int64.init), at: 7)
            try s.bind(job.requestJSON, at: 8)
            try s.run()
        }
    }

    private func insertDefinitions(_ definitions: [(name: String, regex: String)]) throws(SQLiteError) {
        let sql = "INSERT INTO metric (id, name, definition_index, regex) VALUES (?1, ?2, ?1, ?3)"
        try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            for (index, definition) in definitions.enumerated() {
                try s.bind(Int64(index), at: 1)
                try s.bind(definition.name, at: 2)
                try s.bind(definition.regex, at: 3)
                try s.run()
                s.reset()
            }
        }
    }

    /// Enters `status` as the current secondary status, ending the previous one at `timeMs`.
    /// Repeating the current status only replaces its message, as SageMaker lists each status once
    /// per stay with its latest StatusMessage. The job row's `secondary_status` follows.
    public func recordTransition(status: String, timeMs: Int64, message: String?) throws(SQLiteError) {
        try connection.transaction { () throws(SQLiteError) in
            let open = try connection.withStatement(
                "SELECT seq, status FROM status_transition WHERE end_time_ms IS NULL ORDER BY seq DESC LIMIT 1"
            ) { (s: Statement) throws(SQLiteError) in try s.step() ? (seq: s.int64(at: 0), status: s.string(at: 1)) : nil }
            if let open, open.status == status {
                if let message {
                    try connection.withStatement("UPDATE status_transition SET message = ? WHERE seq = ?") {
                        (s: Statement) throws(SQLiteError) in
                        try s.bind(message, at: 1)
                        try s.bind(open.seq, at: 2)
                        try s.run()
                    }
                }
            } else {
                try closeOpenTransitions(at: timeMs)
                let sql = "INSERT INTO status_transition (status, start_time_ms, end_time_ms, message) VALUES (?, ?, NULL, ?)"
                try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
                    try s.bind(status, at: 1)
                    try s.bind(timeMs, at: 2)
                    try s.bind(message, at: 3)
                    try s.run()
                }
            }
            try connection.withStatement("UPDATE job SET secondary_status = ? WHERE id = 1") {
                (s: Statement) throws(SQLiteError) in
                try s.bind(status, at: 1)
                try s.run()
            }
        }
    }

    private func closeOpenTransitions(at timeMs: Int64) throws(SQLiteError) {
        try connection.withStatement("UPDATE status_transition SET end_time_ms = ? WHERE end_time_ms IS NULL") {
            (s: Statement) throws(SQLiteError) in
            try s.bind(timeMs, at: 1)
            try s.run()
        }
    }

    /// Records the outcome and ends the current transition at `endTimeMs`, as SageMaker gives the
    /// final Completed/Failed/Stopped transition an end time.
    public func finishJob(status: String, secondaryStatus: String, failureReason: String?, exitCode: Int32?,
                          endTimeMs: Int64) throws(SQLiteError) {
        try connection.transaction { () throws(SQLiteError) in
            let sql = """
                UPDATE job SET status = ?, secondary_status = ?, failure_reason = ?, exit_code = ?, end_time_ms = ?
                WHERE id = 1
                """
            try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
                try s.bind(status, at: 1)
                try s.bind(secondaryStatus, at: 2)
                try s.bind(failureReason, at: 3)
                try s.bind(exitCode.map(Int64.init), at: 4)
                try s.bind(endTimeMs, at: 5)
                try s.run()
            }
            try requireJobRow("finishJob")
            try closeOpenTransitions(at: endTimeMs)
        }
    }

    public func setStartTime(_ ms: Int64) throws(SQLiteError) {
        try connection.withStatement("UPDATE job SET start_time_ms = ? WHERE id = 1") {
            (s: Statement) throws(SQLiteError) in
            try s.bind(ms, at: 1)
            try s.run()
        }
        try requireJobRow("setStartTime")
    }

    /// Fails when the UPDATE just run matched no job row, i.e. `startJob` was never called: a silent
    /// no-op would lose the update.
    private func requireJobRow(_ caller: String) throws(SQLiteError) {
        guard sqlite3_changes(connection.handle) > 0 else {
            throw .store("\(caller): no job has been started in this database", path: path, code: SQLITE_MISUSE)
        }
    }

    // MARK: Samples

    /// Writes one extraction step in one transaction: the samples, where each log source got to,
    /// and the counter deltas. Either all of it becomes visible or none, so a crash between batches
    /// never loses or double-counts a line. The batch is refused, and nothing of it written, when a
    /// sample names an undefined metric or an unregistered source, or repeats a seq: one already
    /// stored for its metric (at or below the metric's `last_seq`) or one earlier in the batch.
    public func append(samples: [MetricSample], positions: [SourcePosition], counters: [CounterDelta]) throws(SQLiteError) {
        guard !samples.isEmpty || !positions.isEmpty || !counters.isEmpty else { return }
        try connection.transaction { () throws(SQLiteError) in
            if !positions.isEmpty { try upsert(positions) }
            if !counters.isEmpty { try add(counters) }
            if !samples.isEmpty { try insert(samples) }
        }
    }

    /// Rows per INSERT statement: one statement step per row costs more than SQLite's B-tree work
    /// for a row this small, so rows go in groups (8 parameters each, far below SQLite's limit).
    public static let rowsPerInsert = 64

    private static func insertSQL(rows: Int) -> String {
        "INSERT INTO sample (metric_id, seq, time_ms, value, is_nan, stream, line, source_id) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    private static let fullInsertSQL = insertSQL(rows: rowsPerInsert)

    private func insert(_ samples: [MetricSample]) throws(SQLiteError) {
        var metrics = try metricStates()
        try check(samples, against: &metrics)
        var start = 0
        while start < samples.count {
            let rows = min(Self.rowsPerInsert, samples.count - start)
            let sql = rows == Self.rowsPerInsert ? Self.fullInsertSQL : Self.insertSQL(rows: rows)
            try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
                var column: Int32 = 1
                for sample in samples[start..<start + rows] {
                    try s.bind(Int64(sample.metricIndex), at: column)
                    try s.bind(sample.seq, at: column + 1)
                    try s.bind(sample.timeMs, at: column + 2)
                    try bindValue(sample.value, s, at: column + 3)
                    try s.bind(Int64(sample.stream.rawValue), at: column + 5)
                    try s.bind(sample.line, at: column + 6)
                    try s.bind(sample.sourceID, at: column + 7)
                    column += 8
                }
                try s.run()
                s.reset()
            }
            start += rows
        }
        try update(metrics)
    }

    /// A value and its NaN flag, at `column` and `column + 1` (SQLite turns a bound NaN into NULL).
    private func bindValue(_ value: Double, _ s: Statement, at column: Int32) throws(SQLiteError) {
        if value.isNaN {
            try s.bindNull(at: column)
            try s.bind(1 as Int64, at: column + 1)
        } else {
            try s.bind(value, at: column)
            try s.bind(0 as Int64, at: column + 1)
        }
    }

    /// A metric's row as the batch changes it: its last sample (highest seq) and count.
    private struct MetricState {
        var storedLastSeq: Int64?
        var last: MetricSample?
        var added: Int64 = 0
    }

    /// Indexed by metric id (which is the definition index, so the ids are 0..<count).
    private func metricStates() throws(SQLiteError) -> [MetricState?] {
        try connection.withStatement("SELECT id, last_seq FROM metric") { (s: Statement) throws(SQLiteError) in
            var states: [MetricState?] = []
            while try s.step() {
                let id = Int(s.int64(at: 0))
                guard id >= 0 && id < 1 << 16 else { continue }
                if states.count <= id { states += Array(repeating: nil, count: id + 1 - states.count) }
                states[id] = MetricState(storedLastSeq: s.isNull(at: 1) ? nil : s.int64(at: 1))
            }
            return states
        }
    }

    /// What the (metric_id, seq) key and the foreign keys checked before v4 (see
    /// `Schema.v4AppendOnlySamples`), in one pass; a second one, sorting, only for a batch whose
    /// seqs do not rise per metric.
    private func check(_ samples: [MetricSample], against metrics: inout [MetricState?]) throws(SQLiteError) {
        var inOrder = true
        var sources = Set<Int64>()
        var lastSourceID: Int64?
        for sample in samples {
            guard metrics.indices.contains(sample.metricIndex), var state = metrics[sample.metricIndex] else {
                throw constraint("metric index \(sample.metricIndex) is not a defined metric (0..<\(metrics.count))")
            }
            if let stored = state.storedLastSeq, sample.seq <= stored {
                throw constraint("metric index \(sample.metricIndex) already has seq \(stored) stored; "
                                 + "seq \(sample.seq) would repeat or precede it")
            }
            if let last = state.last {
                if sample.seq <= last.seq { inOrder = false }
                if sample.seq > last.seq { state.last = sample }
            } else {
                state.last = sample
            }
            state.added += 1
            metrics[sample.metricIndex] = state
            if let id = sample.sourceID, id != lastSourceID {
                sources.insert(id)
                lastSourceID = id
            }
        }
        if !inOrder {
            let keys = samples.map { (metric: $0.metricIndex, seq: $0.seq) }.sorted { ($0.metric, $0.seq) < ($1.metric, $1.seq) }
            for (a, b) in zip(keys, keys.dropFirst()) where a == b {
                throw constraint("metric index \(a.metric) has seq \(a.seq) twice in one batch")
            }
        }
        for id in sources.subtracting(knownSourceIDs) {
            let exists = try connection.withStatement("SELECT 1 FROM source WHERE id = ?") { (s: Statement) throws(SQLiteError) -> Bool in
                try s.bind(id, at: 1)
                return try s.step()
            }
            guard exists else { throw constraint("source id \(id) is not a registered source") }
            knownSourceIDs.insert(id)
        }
    }

    private func constraint(_ message: String) -> SQLiteError {
        .store("sample refused: " + message, path: path, code: SQLITE_CONSTRAINT)
    }

    private func update(_ metrics: [MetricState?]) throws(SQLiteError) {
        let sql = """
            UPDATE metric SET last_seq = ?, last_time_ms = ?, last_value = ?, last_is_nan = ?,
                sample_count = sample_count + ? WHERE id = ?
            """
        try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            for (id, state) in metrics.enumerated() {
                guard let state, state.added > 0, let last = state.last else { continue }
                try s.bind(last.seq, at: 1)
                try s.bind(last.timeMs, at: 2)
                try bindValue(last.value, s, at: 3)
                try s.bind(state.added, at: 5)
                try s.bind(Int64(id), at: 6)
                try s.run()
                s.reset()
            }
        }
    }

    private func upsert(_ positions: [SourcePosition]) throws(SQLiteError) {
        let sql = """
            INSERT INTO source_position (source, byte_offset, line, device, inode, fingerprint, fingerprint_length, pending,
                                         file_modified_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (source) DO UPDATE SET byte_offset = excluded.byte_offset, line = excluded.line,
                device = excluded.device, inode = excluded.inode, fingerprint = excluded.fingerprint,
                fingerprint_length = excluded.fingerprint_length, pending = excluded.pending,
                file_modified_ns = excluded.file_modified_ns
            """
        try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            for position in positions {
                try s.bind(position.source, at: 1)
                try s.bind(position.byteOffset, at: 2)
                try s.bind(position.line, at: 3)
                // SQLite integers are signed 64-bit: device, inode and hash go in by bit pattern.
                try s.bind(position.file.map { Int64(bitPattern: $0.device) }, at: 4)
                try s.bind(position.file.map { Int64(bitPattern: $0.inode) }, at: 5)
                try s.bind(position.file.map { Int64(bitPattern: $0.fingerprint) }, at: 6)
                try s.bind(position.file.map { Int64($0.fingerprintLength) }, at: 7)
                try s.bind(position.pending, at: 8)
                try s.bind(position.file?.modifiedNs, at: 9)
                try s.run()
                s.reset()
            }
        }
    }

    private func add(_ counters: [CounterDelta]) throws(SQLiteError) {
        let sql = """
            INSERT INTO counter (name, labels, value) VALUES (?, ?, ?)
            ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value
            """
        try connection.withStatement(sql) { (s: Statement) throws(SQLiteError) in
            for counter in counters {
                try s.bind(counter.name, at: 1)
                try s.bind(counter.labels, at: 2)
                try s.bind(counter.delta, at: 3)
                try s.run()
                s.reset()
            }
        }
    }
}
