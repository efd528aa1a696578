import CSQLite

/// A SQLite failure, carrying what a user needs to act on it without a debugger: which database
/// file, what SQLite said, and the statement that failed.
///
/// Bound values are never included: they may hold user data (request JSON, log-derived values),
/// and the SQL text alone is enough to find the failing call site.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code (`SQLITE_CONSTRAINT`, `SQLITE_CANTOPEN`, ...).
    public var code: Int32 { extendedCode & 0xFF }
    /// The extended result code (`SQLITE_CONSTRAINT_FOREIGNKEY`, ...); equal to `code` when SQLite
    /// has nothing more specific to say.
    public let extendedCode: Int32
    /// SQLite's own message (`sqlite3_errmsg`), or ours for failures SQLite cannot detect.
    public let message: String
    /// The statement that failed, when one did.
    public let sql: String?
    /// The database file, so that an error surfacing far from the open call still names it.
    public var path: String?
    /// What we were trying to do, as the start of the description (e.g. "cannot open database").
    public var context: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil, path: String? = nil, context: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
        self.path = path
        self.context = context
    }

    /// An error for a condition of ours (wrong job name, unknown schema version) rather than one
    /// SQLite reported. `SQLITE_ERROR` keeps `code` meaningful to callers that switch on it.
    static func store(_ message: String, path: String?, code: Int32 = SQLITE_ERROR) -> SQLiteError {
        SQLiteError(extendedCode: code, message: message, path: path)
    }

    /// The same error with `context` set, unless an inner layer already said something more specific.
    func within(_ context: String) -> SQLiteError {
        var copy = self
        if copy.context == nil { copy.context = context }
        return copy
    }

    public var description: String {
        var text = context ?? "SQLite error on database"
        if let path { text += " \(path)" }
        text += ": \(message) (code \(code)"
        if extendedCode != code { text += ", extended \(extendedCode)" }
        text += ")"
        if let sql { text += " in \(sql.debugDescription)" }
        return text
    }

    /// True for `SQLITE_BUSY` and `SQLITE_LOCKED` in any extended form: another connection held a
    /// lock past the busy timeout, so retrying later may succeed.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
}
