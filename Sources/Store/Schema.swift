/// The tables, as migration steps (see `Migrator`). Times are Unix epoch milliseconds throughout.
enum Schema {
    static let migrations: [Migration] = [
        Migration(version: 1, sql: v1),
        Migration(version: 2, sql: v2SystemMetrics),
        Migration(version: 3, sql: v3FollowedSources),
        Migration(version: 4, sql: v4AppendOnlySamples),
        Migration(version: 5, sql: v5RuleEvaluations),
        Migration(version: 6, sql: v6CheckpointTime),
    ]

    /// Notes on v1:
    /// - `job` holds one row (`id = 1`): a database file belongs to one training job.
    /// - `metric.id` equals `definition_index`, so `sample.metric_id` is the index into the job's
    ///   MetricDefinitions and the foreign key rejects a sample for an undefined metric.
    /// - `sample.value` has no declared type on purpose. With REAL affinity SQLite stores a float
    ///   with no fractional part as an integer, and -0.0 comes back as +0.0. Without affinity the
    ///   bound double is stored as an 8-byte IEEE value, bit for bit.
    /// - NaN cannot be stored: SQLite turns a bound NaN into NULL. `is_nan = 1` with a NULL value
    ///   records it.
    /// - There is no index by time: it made every insert update a second B-tree (a third more bytes
    ///   written, a quarter of the insert rate), and the write path must keep up with the training
    ///   process. `forEachSample` sorts instead; SQLite's sorter spills to temporary files, so the
    ///   batch command's memory stays bounded.
    /// - `source_position` and `counter` are written in the same transaction as the samples that
    ///   moved them, so after a crash extraction resumes exactly where the committed samples end.
    static let v1 = """
        CREATE TABLE job (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            host_id TEXT NOT NULL,
            status TEXT NOT NULL,
            secondary_status TEXT NOT NULL,
            failure_reason TEXT,
            creation_time_ms INTEGER NOT NULL,
            start_time_ms INTEGER,
            end_time_ms INTEGER,
            exit_code INTEGER,
            request_json TEXT NOT NULL
        );
        CREATE TABLE status_transition (
            seq INTEGER PRIMARY KEY,
            status TEXT NOT NULL,
            start_time_ms INTEGER NOT NULL,
            end_time_ms INTEGER,
            message TEXT
        );
        CREATE TABLE metric (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            definition_index INTEGER NOT NULL,
            regex TEXT NOT NULL
        );
        CREATE TABLE sample (
            metric_id INTEGER NOT NULL REFERENCES metric(id),
            seq INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            value /* no type: REAL affinity would turn -0.0 into integer 0 */,
            is_nan INTEGER NOT NULL DEFAULT 0,
            stream INTEGER NOT NULL,
            line INTEGER NOT NULL,
            PRIMARY KEY (metric_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE source_position (
            source TEXT PRIMARY KEY,
            byte_offset INTEGER NOT NULL,
            line INTEGER NOT NULL
        );
        CREATE TABLE counter (
            name TEXT NOT NULL,
            labels TEXT NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (name, labels)
        );
        """
}
