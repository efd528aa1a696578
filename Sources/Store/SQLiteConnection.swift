import CSQLite

/// One SQLite connection, closed when released.
///
/// Opened with `SQLITE_OPEN_NOMUTEX` (SQLite's "multi-thread" mode): SQLite then takes no mutex of
/// its own per call, and in return "a single database connection [must not be] used simultaneously
/// in two or more threads" (https://www.sqlite.org/threadsafe.html). The class is deliberately not
/// `Sendable`, so the compiler holds each connection to the thread or task that made it; a second
/// thread opens its own, which WAL mode lets read while this one writes.
public final class SQLiteConnection {
    public enum Mode: Sendable {
        /// Creates the file if missing; switches it to WAL.
        case readWrite
        /// Never writes; relies on the writer having put the file in WAL mode.
        case readOnly
    }

    /// How long a statement waits on another connection's lock before failing with `SQLITE_BUSY`.
    public static let busyTimeoutMs: Int32 = 5000

    public let path: String
    public let mode: Mode
    let handle: OpaquePointer
    private var cache = StatementCache()
    private var tracer: Tracer?

    /// Opens `path` and applies the connection settings; every error names the file.
    public init(path: String, mode: Mode = .readWrite) throws(SQLiteError) {
        self.path = path
        self.mode = mode
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= mode == .readWrite ? (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) : SQLITE_OPEN_READONLY
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            // "Whether or not an error occurs when it is opened, resources associated with the
            // database connection handle should be released by passing it to sqlite3_close()"
            // (https://www.sqlite.org/c3ref/open.html).
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close(db)
            throw SQLiteError(extendedCode: rc, message: message, path: path, context: "cannot open database")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Self.busyTimeoutMs)
        do {
            try configure()
        } catch {
            throw error.within("cannot open database")
        }
    }

    private func configure() throws(SQLiteError) {
        // Reading any pragma that touches the file is what surfaces "file is not a database", so
        // even a read-only connection reads one here rather than at its first real query.
        let journal = try pragmaText("PRAGMA journal_mode")
        guard mode == .readWrite else { return }
        if journal.lowercased() != "wal" {
            // A page size only takes on a new, empty database and before WAL is on. 16 KiB pages cut
            // the WAL frames (one pwrite each, and again at checkpoint) to a quarter for the
            // append-only sample table, which is the store's whole write load.
            try execute("PRAGMA page_size=16384")
            let now = try pragmaText("PRAGMA journal_mode=WAL")
            // Readers depend on WAL to see committed batches while a run writes; a file system
            // without shared memory support answers with the old mode instead of failing.
            guard now.lowercased() == "wal" else {
                throw SQLiteError.store("cannot switch to WAL journal mode (still \(now))", path: path)
            }
        }
        // NORMAL in WAL mode syncs at checkpoints only: a power loss may drop the last commits but
        // never corrupts, and source_position rolls back with the samples, so nothing is counted twice.
        try execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON")
    }

    deinit {
        cache.removeAll()
        if tracer != nil { sqlite3_trace_v2(handle, 0, nil, nil) }
        // close_v2 defers the close while an uncached statement is still alive elsewhere, rather
        // than failing with SQLITE_BUSY and leaking the handle.
        sqlite3_close_v2(handle)
    }

    /// The error SQLite is reporting now for a call that returned `rc`.
    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(extendedCode: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path)
    }

    // MARK: Statements

    /// Runs one or more statements that return no rows (DDL, pragmas without results).
    public func execute(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(sqlite3_extended_errcode(handle), sql: sql) }
    }

    /// A fresh statement the caller owns, for SQL that runs rarely.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(connection: self, sql: sql, cached: false)
    }

    /// The connection's statement for `sql`, prepared on first use. It is valid while the connection
    /// lives; reset it after use (or use `withStatement`) so that it holds no read snapshot.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = cache[sql] {
            guard !statement.isBusy else { return try prepare(sql) }
            return statement
        }
        let statement = try Statement(connection: self, sql: sql, cached: true)
        cache[sql] = statement
        return statement
    }

    /// Runs `body` with the cached statement for `sql`, resetting it afterwards so that it holds no
    /// read snapshot or lock once the call returns.
    public func withStatement<R>(_ sql: String, _ body: (Statement) throws(SQLiteError) -> R) throws(SQLiteError) -> R {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        return try body(statement)
    }

    /// Runs a cached statement that returns no rows.
    public func run(_ sql: String) throws(SQLiteError) {
        try withStatement(sql) { (s: Statement) throws(SQLiteError) in try s.run() }
    }

    /// The first column of the first row of a pragma or query, as text.
    public func pragmaText(_ sql: String) throws(SQLiteError) -> String {
        let statement = try prepare(sql)
        return try statement.step() ? statement.string(at: 0) : ""
    }

    /// The first column of the first row of a query, as an integer (0 when there is no row).
    public func scalarInt64(_ sql: String) throws(SQLiteError) -> Int64 {
        try withStatement(sql) { (s: Statement) throws(SQLiteError) in try s.step() ? s.int64(at: 0) : 0 }
    }

    // MARK: Transactions

    public enum TransactionKind: String, Sendable {
        /// Takes no lock until the first read or write: for a consistent multi-query read.
        case deferred = "DEFERRED"
        /// Takes the write lock at BEGIN, so a writer waits (busy timeout) up front instead of
        /// failing with SQLITE_BUSY halfway through when upgrading a read lock.
        case immediate = "IMMEDIATE"
    }

    /// Whether a transaction is open (`sqlite3_get_autocommit` is false).
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` inside BEGIN…COMMIT; any error rolls everything back and is rethrown.
    public func transaction<R>(_ kind: TransactionKind = .immediate,
                               _ body: () throws(SQLiteError) -> R) throws(SQLiteError) -> R {
        try run("BEGIN \(kind.rawValue)")
        let result: R
        do {
            result = try body()
            try run("COMMIT")
        } catch {
            rollback()
            throw error
        }
        return result
    }

    /// Rolls back if a transaction is still open. Some errors (SQLITE_FULL, SQLITE_IOERR, ...) make
    /// SQLite roll back by itself, and a second ROLLBACK would fail with a misleading error.
    private func rollback() {
        guard isInTransaction else { return }
        try? run("ROLLBACK")
    }

    // MARK: Tracing

    private final class Tracer {
        let body: (String) -> Void
        init(_ body: @escaping (String) -> Void) { self.body = body }
    }

    /// Calls `body` with the SQL text of every statement as it starts (`sqlite3_trace_v2` with
    /// `SQLITE_TRACE_STMT`); nil stops tracing. Bound values are not expanded.
    public func trace(_ body: ((String) -> Void)?) {
        guard let body else {
            sqlite3_trace_v2(handle, 0, nil, nil)
            tracer = nil
            return
        }
        let tracer = Tracer(body)
        self.tracer = tracer
        sqlite3_trace_v2(handle, UInt32(SQLITE_TRACE_STMT), { _, context, _, text in
            guard let context, let text else { return 0 }
            let tracer = Unmanaged<Tracer>.fromOpaque(context).takeUnretainedValue()
            tracer.body(String(cString: text.assumingMemoryBound(to: CChar.self)))
            return 0
        }, Unmanaged.passUnretained(tracer).toOpaque())
    }
}
