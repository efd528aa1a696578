/// Schema versions, tracked in SQLite's `user_version` header field.
///
/// Each step runs once, in order, inside the same transaction as the `user_version` bump, so a crash
/// mid-migration leaves the previous version intact. A later schema change is a new step appended to
/// `Schema.migrations`; existing steps are never edited, since databases in the field already ran them.
struct Migration {
    /// The `user_version` a database has once this step ran.
    let version: Int64
    let sql: String
}

public enum Migrator {
    /// The newest schema version this build knows.
    public static var latestVersion: Int64 { Schema.migrations.last?.version ?? 0 }

    /// Brings `connection` up to `latestVersion`. Refuses a database written by a newer build, whose
    /// tables this build might misread or damage.
    static func migrate(_ connection: SQLiteConnection) throws(SQLiteError) {
        try connection.transaction(.immediate) { () throws(SQLiteError) in
            let current = try userVersion(connection)
            try checkNotNewer(current, path: connection.path)
            for step in Schema.migrations where step.version > current {
                try connection.execute(step.sql)
                // PRAGMA takes no bound parameters; the value is our own integer.
                try connection.execute("PRAGMA user_version = \(step.version)")
            }
        }
    }

    /// Fails unless the database is at a version this build reads: used by read-only opens, which
    /// cannot migrate.
    static func checkReadable(_ connection: SQLiteConnection) throws(SQLiteError) {
        let current = try userVersion(connection)
        try checkNotNewer(current, path: connection.path)
        guard current > 0 else {
            throw .store("not a trainscope database (schema version 0); has a run written to it yet?",
                         path: connection.path)
        }
    }

    static func userVersion(_ connection: SQLiteConnection) throws(SQLiteError) -> Int64 {
        try connection.scalarInt64("PRAGMA user_version")
    }

    private static func checkNotNewer(_ version: Int64, path: String) throws(SQLiteError) {
        guard version <= latestVersion else {
            throw .store("schema version \(version) is newer than this build supports (\(latestVersion))",
                         path: path)
        }
    }
}
