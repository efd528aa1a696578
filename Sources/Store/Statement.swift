import CSQLite

/// A prepared statement, finalized when released.
///
/// Binding and column indices follow SQLite: parameters count from 1, columns from 0.
///
/// A statement from `SQLiteConnection.prepare` keeps its connection alive. A cached one must not
/// (the cache would form a cycle with it), so it holds the connection `unowned`, and `step` goes
/// through that reference: stepping a cached statement kept past its connection traps instead of
/// running on a closed handle.
public final class Statement {
    public let sql: String
    let handle: OpaquePointer
    unowned let connection: SQLiteConnection
    private let owner: SQLiteConnection?

    /// Prepares `sql`, which must hold exactly one statement.
    ///
    /// A `cached` statement is prepared with `SQLITE_PREPARE_PERSISTENT`, which SQLite documents as a
    /// hint that "the prepared statement will be retained for a long time and probably reused many
    /// times": it allocates outside the lookaside pool, which long-lived statements would starve.
    init(connection: SQLiteConnection, sql: String, cached: Bool) throws(SQLiteError) {
        self.sql = sql
        self.connection = connection
        owner = cached ? nil : connection
        var stmt: OpaquePointer?
        let flags = cached ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        // SQLite compiles the first statement and points `tail` past it; text left there would be
        // silently ignored, so it is an error.
        let (rc, trailing) = sql.withCString { text -> (Int32, Bool) in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(connection.handle, text, -1, flags, &stmt, &tail)
            let rest = tail.map { String(cString: $0) } ?? ""
            return (rc, rest.contains { !$0.isWhitespace && $0 != ";" })
        }
        guard rc == SQLITE_OK else {
            sqlite3_finalize(stmt)
            throw connection.error(rc, sql: sql)
        }
        guard let stmt, !trailing else {
            sqlite3_finalize(stmt)
            let message = stmt == nil ? "no statement in SQL" : "more than one statement in SQL; use execute"
            throw SQLiteError(extendedCode: SQLITE_MISUSE, message: message, sql: sql, path: connection.path)
        }
        handle = stmt
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    @inline(__always)
    private func check(_ rc: Int32) throws(SQLiteError) {
        if rc != SQLITE_OK { throw connection.error(rc, sql: sql) }
    }

    public func bind(_ value: Int64, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds a double. SQLite stores a NaN as NULL; callers that must tell NaN apart keep a flag
    /// (see `sample.is_nan`).
    public func bind(_ value: Double, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds text by byte count, so strings with embedded NULs survive intact.
    public func bind(_ value: String, at index: Int32) throws(SQLiteError) {
        var value = value
        let rc = value.withUTF8 { bytes -> Int32 in
            // A nil base address would bind NULL, not the empty string.
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), csqlite_transient())
            }
        }
        try check(rc)
    }

    public func bindNull(at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    public func bind(_ value: Int64?, at index: Int32) throws(SQLiteError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    public func bind(_ value: String?, at index: Int32) throws(SQLiteError) {
        if let value { try bind(value, at: index) } else { try bindNull(at: index) }
    }

    /// Binds bytes as a BLOB (nil binds NULL; an empty array an empty BLOB).
    public func bind(_ value: [UInt8]?, at index: Int32) throws(SQLiteError) {
        guard let value else { try bindNull(at: index); return }
        let rc = value.withUnsafeBytes { bytes in
            sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32(bytes.count),
                              csqlite_transient())
        }
        try check(rc)
    }

    // MARK: Execution

    /// Advances to the next row: true when a row is available, false when the statement is done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let connection = self.connection
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc:
            // With prepare_v3 the step code is already the specific one; reset so that the next use
            // starts clean (reset repeats the error, which we already have).
            let error = connection.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Steps to completion, for statements that return no rows.
    public func run() throws(SQLiteError) {
        while try step() {}
    }

    /// Rewinds the statement; bindings are kept (`clearBindings` drops them).
    public func reset() { sqlite3_reset(handle) }

    public func clearBindings() { sqlite3_clear_bindings(handle) }

    /// Whether a step has started and not yet been reset or finished, i.e. whether another user of
    /// the same cached statement would disturb this one.
    var isBusy: Bool { sqlite3_stmt_busy(handle) != 0 }

    // MARK: Columns

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func isNull(at column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    public func int64(at column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// A BLOB column's bytes (empty for NULL).
    public func bytes(at column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    public func double(at column: Int32) -> Double { sqlite3_column_double(handle, column) }

    public func string(at column: Int32) -> String {
        // Ask for the text before its length: column_text may convert, changing the byte count.
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func optionalInt64(at column: Int32) -> Int64? {
        isNull(at: column) ? nil : int64(at: column)
    }

    public func optionalString(at column: Int32) -> String? {
        isNull(at: column) ? nil : string(at: column)
    }
}
