import CSQLite
import Foundation
import Store
import Testing
import TrainScopeTesting

/// Every way of pointing the store at a bad path fails with an error that names the path and says
/// what is wrong with it. Tests run as root, where permission bits stop nothing, so an unwritable
/// location is a path under a regular file.
@Suite struct OpenErrorTests {
    private func openError(_ path: String) throws -> SQLiteError {
        try #require(captureError { try MetricStore(path: path) })
    }

    @Test func missingDirectory() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("missing/job.db")
        let error = try openError(path)
        #expect(error.code == SQLITE_CANTOPEN)
        #expect(error.description.hasPrefix("cannot open database \(path): unable to open database file"))
        #expect(error.description.contains("directory \(directory.file("missing")) does not exist"))
        #expect(error.description.contains("(code 14)"))
    }

    @Test func pathUnderARegularFile() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("plain")
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let error = try openError(file + "/job.db")
        #expect(error.code == SQLITE_CANTOPEN)
        #expect(error.description.contains("cannot open database \(file)/job.db"))
        #expect(error.description.contains("\(file) is not a directory"))
        // The same with a system file, as the brief's example.
        #expect(try openError("/etc/hostname/x.db").description.contains("/etc/hostname is not a directory"))
    }

    @Test func pathIsADirectory() throws {
        let directory = TemporaryDirectory()
        let error = try openError(directory.path)
        #expect(error.code == SQLITE_CANTOPEN)
        #expect(error.description.contains("cannot open database \(directory.path)"))
        #expect(error.description.contains("the path is a directory"))
    }

    @Test func fileThatIsNotADatabase() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("notes.txt")
        let text = String(repeating: "this is a log file, not a database\n", count: 40)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        for error in [try openError(path),
                      try #require(captureError { try MetricStore.openReadOnly(path: path) })] {
            #expect(error.code == SQLITE_NOTADB)
            #expect(error.description.hasPrefix("cannot open database \(path): file is not a database (code 26)"))
        }
        // Nothing was written to the file.
        #expect(FileManager.default.contents(atPath: path) == Data(text.utf8))
    }

    @Test func readOnlyOpenOfMissingOrUnstartedDatabase() throws {
        let fixture = StoreFixture()
        let missing = try #require(captureError { try MetricStore.openReadOnly(path: fixture.path) })
        #expect(missing.code == SQLITE_CANTOPEN)
        #expect(missing.description.contains("the file does not exist"))
        #expect(!FileManager.default.fileExists(atPath: fixture.path))

        // A SQLite file some other program made, without our schema.
        let other = try SQLiteConnection(path: fixture.path)
        try other.execute("CREATE TABLE unrelated (x)")
        let unstarted = try #require(captureError { try MetricStore.openReadOnly(path: fixture.path) })
        #expect(unstarted.description.contains("not a trainscope database"))
    }

    @Test func newerSchemaIsRefused() throws {
        let fixture = StoreFixture()
        _ = try MetricStore(path: fixture.path)
        try SQLiteConnection(path: fixture.path).execute("PRAGMA user_version = 99")
        let error = try openError(fixture.path)
        #expect(error.description.contains("schema version 99 is newer than this build supports (\(Migrator.latestVersion))"))
        #expect(error.description.contains(fixture.path))
    }

    @Test func migrationIsIdempotentOnReopen() throws {
        let fixture = StoreFixture()
        _ = try fixture.startedStore()
        let again = try MetricStore(path: fixture.path)
        #expect(try again.job()?.name == "job-a")
        #expect(try SQLiteConnection(path: fixture.path).scalarInt64("PRAGMA user_version") == Migrator.latestVersion)
    }
}
