import CSQLite
import Foundation
import Store
import Testing
import TrainScopeTesting

@Suite struct SQLiteConnectionTests {
    @Test func walModeSchemaAndPragmas() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        try store.append(samples: [sample(0, 1.5, time: 10, seq: 1)], positions: [], counters: [])
        // While the writer is open, its committed pages live in the -wal file.
        #expect(FileManager.default.fileExists(atPath: fixture.path + "-wal"))

        let probe = try SQLiteConnection(path: fixture.path, mode: .readOnly)
        #expect(try probe.pragmaText("PRAGMA journal_mode") == "wal")
        #expect(try probe.scalarInt64("PRAGMA user_version") == Migrator.latestVersion)
        let tables = try probe.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        var names: [String] = []
        while try tables.step() { names.append(tables.string(at: 0)) }
        for table in ["counter", "job", "metric", "sample", "source", "source_position", "status_transition"] {
            #expect(names.contains(table), "\(table) missing from \(names)")
        }

        let writer = try SQLiteConnection(path: fixture.path)
        #expect(try writer.scalarInt64("PRAGMA foreign_keys") == 1)
        #expect(try writer.scalarInt64("PRAGMA synchronous") == 1)  // NORMAL
        #expect(try writer.scalarInt64("PRAGMA busy_timeout") == 5000)
    }

    @Test func textRoundTripsEmbeddedNULAndEmptyAndUnicode() throws {
        let fixture = StoreFixture()
        let db = try SQLiteConnection(path: fixture.path)
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
        let values = ["", "a\u{0}b", "µs → ✓", String(repeating: "x", count: 10_000)]
        for (k, v) in values.enumerated() {
            try db.withStatement("INSERT INTO t VALUES (?, ?)") { (s: Statement) throws(SQLiteError) in
                try s.bind(Int64(k), at: 1)
                try s.bind(v, at: 2)
                try s.run()
            }
        }
        let read = try db.prepare("SELECT v, typeof(v) FROM t ORDER BY k")
        var back: [String] = []
        while try read.step() {
            #expect(read.string(at: 1) == "text")  // "" must bind as text, not NULL
            back.append(read.string(at: 0))
        }
        #expect(back == values)
    }

    @Test func errorsCarrySQLPathAndExtendedCode() throws {
        let fixture = StoreFixture()
        let db = try SQLiteConnection(path: fixture.path)
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        try db.run("INSERT INTO t VALUES (1)")
        let error = try #require(captureError { try db.run("INSERT INTO t VALUES (1)") })
        #expect(error.code == SQLITE_CONSTRAINT)
        #expect(error.extendedCode == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
        #expect(error.sql == "INSERT INTO t VALUES (1)")
        #expect(error.path == fixture.path)
        #expect(error.description.contains("UNIQUE constraint failed: t.k"))
        #expect(error.description.contains(fixture.path))

        let two = try #require(captureError { try db.prepare("SELECT 1; SELECT 2") })
        #expect(two.message.contains("more than one statement"))
        _ = try db.prepare("SELECT 1;  ")

        let syntax = try #require(captureError { try db.prepare("SELEC 1") })
        #expect(syntax.code == SQLITE_ERROR)
        #expect(syntax.message.contains("syntax error"))
        // The failed statement was reset: the cached INSERT works again with a new value.
        try db.withStatement("INSERT INTO t VALUES (?)") { (s: Statement) throws(SQLiteError) in
            try s.bind(2 as Int64, at: 1)
            try s.run()
        }
        #expect(try db.scalarInt64("SELECT COUNT(*) FROM t") == 2)
    }

    @Test func transactionRollsBackOnError() throws {
        let fixture = StoreFixture()
        let db = try SQLiteConnection(path: fixture.path)
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        let error = captureError {
            try db.transaction { () throws(SQLiteError) in
                try db.run("INSERT INTO t VALUES (1)")
                try db.run("INSERT INTO t VALUES (1)")
            }
        }
        #expect(error?.code == SQLITE_CONSTRAINT)
        #expect(!db.isInTransaction)
        #expect(try db.scalarInt64("SELECT COUNT(*) FROM t") == 0)
    }

    @Test func cachedStatementInUseIsNotHandedOutTwice() throws {
        let fixture = StoreFixture()
        let db = try SQLiteConnection(path: fixture.path)
        try db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)")
        let sql = "SELECT k FROM t ORDER BY k"
        let outer = try db.cachedStatement(sql)
        #expect(try outer.step())
        let inner = try db.cachedStatement(sql)
        #expect(inner !== outer)
        #expect(try inner.step() && inner.int64(at: 0) == 1)
        #expect(try outer.step() && outer.int64(at: 0) == 2)
        outer.reset()
        #expect(try db.cachedStatement(sql) === outer)
    }

    @Test func readOnlyConnectionRefusesWrites() throws {
        let fixture = StoreFixture()
        _ = try fixture.startedStore()
        let reader = try SQLiteConnection(path: fixture.path, mode: .readOnly)
        let error = try #require(captureError { try reader.execute("DELETE FROM sample") })
        #expect(error.code == SQLITE_READONLY)
    }
}
