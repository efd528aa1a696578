/// Prepared statements keyed by their SQL text, so that a hot path (one INSERT per sample) pays for
/// parsing and planning once per connection instead of once per row.
///
/// Invalidation: none is needed for our use. SQLite re-prepares a `prepare_v3` statement by itself
/// when the schema changes, and a failed step leaves the statement reset and reusable. A statement
/// that is mid-iteration is never handed out twice: `SQLiteConnection.cachedStatement` prepares a
/// throwaway copy instead, so a nested query with the same SQL cannot rewind an outer loop.
struct StatementCache {
    private var statements: [String: Statement] = [:]

    subscript(sql: String) -> Statement? {
        get { statements[sql] }
        set { statements[sql] = newValue }
    }

    /// Finalizes every cached statement; the connection must do this before it closes.
    mutating func removeAll() { statements.removeAll() }
}
