#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TrainScopeTesting

/// `run` while the disk fills up and frees again, on a real tmpfs (ENOSPC from the kernel). The
/// training process never notices: its output is forwarded byte for byte throughout. What trainscope
/// could not keep is said once, naming the file, and nothing it had accepted is lost.
@Suite(.serialized, .enabled(if: Tmpfs.isAvailable, "mounting a tmpfs needs CAP_SYS_ADMIN (root in CI)"))
struct FullDiskTests {
    /// A child that prints loss=1…300 in three phases, waiting between them for the test. Lines are
    /// padded: tmpfs hands out whole pages, so a phase must need more than the spool's last page.
    static let child = """
    import os, sys, time
    d = sys.argv[1]
    def phase(name, wait_for, values):
        for i in values:
            print(f"loss={i} " + "x" * 100, flush=True)
        open(os.path.join(d, name), 'w').close()
        while wait_for and not os.path.exists(os.path.join(d, wait_for)):
            time.sleep(0.01)
    phase('phase1', 'full', range(1, 101))
    phase('phase2', 'freed', range(101, 201))
    phase('phase3', None, range(201, 301))
    """

    static var expectedOutput: String { (1...300).map { "loss=\($0) " + String(repeating: "x", count: 100) + "\n" }.joined() }

    /// `run` of the child, and `disk` filled once the first phase's 100 values are stored; returns
    /// while the child writes its second phase to the full disk.
    func startAndFill(_ dir: TemporaryDirectory, _ disk: Tmpfs, job name: String, mlRoot: String,
                      db: String) throws -> (run: RunningTrainscope, port: Int) {
        let job = try RunCommandTests.writeJob(in: dir, name: name, extra: ["ProfilerConfig": ["DisableProfiler": true]])
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", mlRoot, "--db", db, "--listen", "127.0.0.1:0",
                                         "--", "python3", "-c", Self.child, dir.path], in: dir)
        let port = try run.metricsPort()
        try waitFor(dir.file("phase1"), run)
        #expect(poll(timeout: 20) { Self.scrape(port, "trainscope_store_samples_total") == "100" })
        disk.fill()
        _ = FileManager.default.createFile(atPath: dir.file("full"), contents: nil)
        try waitFor(dir.file("phase2"), run)
        return (run, port)
    }

    /// Frees `disk`, lets the child write its last phase, and waits for trainscope's exit status.
    func freeAndFinish(_ dir: TemporaryDirectory, _ disk: Tmpfs, _ run: RunningTrainscope) throws -> Int32 {
        disk.free()
        _ = FileManager.default.createFile(atPath: dir.file("freed"), contents: nil)
        return try run.waitForExit(timeout: 60)
    }

    static func scrape(_ port: Int, _ name: String, _ labels: [String: String] = [:]) -> String? {
        Exposed.value(Exposed.parse((try? HTTP.get(port: port, path: "/metrics").text) ?? ""), name, labels)
    }

    func waitFor(_ path: String, _ run: RunningTrainscope) throws {
        guard poll(timeout: 20, { FileManager.default.fileExists(atPath: path) }) else {
            throw TestFailure("\(path) never appeared; stderr:\n\(run.stderr)")
        }
    }

    /// The database's disk is full while values come: the store retries, and once the disk has
    /// room again every value is stored, each once.
    @Test func aFullDatabaseDiskLosesNoValue() throws {
        let dir = TemporaryDirectory(prefix: "e2e-fulldb")
        let disk = try Tmpfs(at: dir.file("dbdisk"), sizeBytes: 2 << 20)
        let db = "\(disk.path)/job.db"
        let (run, _) = try startAndFill(dir, disk, job: "e2e-full-db", mlRoot: dir.file("ml"), db: db)
        defer { run.killTree() }
        // The store keeps failing while the disk is full.
        #expect(poll(timeout: 20) { run.stderr.contains("store write failed") }, "\(run.stderr)")
        #expect(try freeAndFinish(dir, disk, run) == 0, "\(run.stderr)")

        #expect(String(decoding: run.stdout, as: UTF8.self) == Self.expectedOutput)
        let stderr = run.stderr
        #expect(stderr.contains(db) && (stderr.contains("database or disk is full") || stderr.contains("disk I/O error")), "\(stderr)")
        let values = try RunRecord(db: db).csvRows().map { Int($0.value) }
        #expect(values.sorted() == Array(1...300), "stored \(values.count) values")
        #expect((try RunRecord(db: db).describe()["TrainingJobStatus"] as? String) == "Completed")
    }

    /// The spool's disk (the ML root) is full: the child's output is still forwarded whole; what could
    /// not be spooled is not extracted, with one error naming the file and a note when it recovers;
    /// no line is glued across the gap, so no value is wrong.
    @Test func aFullSpoolDiskForwardsEverythingAndStoresNoWrongValue() throws {
        let dir = TemporaryDirectory(prefix: "e2e-fullspool")
        let disk = try Tmpfs(at: dir.file("ml"), sizeBytes: 1 << 20)
        let db = dir.file("job.db")
        let (run, port) = try startAndFill(dir, disk, job: "e2e-full-spool", mlRoot: disk.path, db: db)
        defer { run.killTree() }
        #expect(poll(timeout: 20) { run.stderr.contains("cannot write the log spool") }, "\(run.stderr)")
        var dropped: String?
        _ = poll(timeout: 5) {
            dropped = Self.scrape(port, "trainscope_log_dropped_bytes_total", ["stream": "stdout"])
            return dropped != nil && dropped != "0"
        }
        #expect(try freeAndFinish(dir, disk, run) == 0, "\(run.stderr)")

        #expect(String(decoding: run.stdout, as: UTF8.self) == Self.expectedOutput)
        let stderr = run.stderr
        #expect(stderr.contains("cannot write the log spool \(disk.path)/output/logs/stdout.log: No space left on device"), "\(stderr)")
        #expect(stderr.contains("takes bytes again"), "\(stderr)")
        #expect(Int(dropped ?? "0") ?? 0 > 0)
        let values = try RunRecord(db: db).csvRows().map { Int($0.value) }
        #expect(Set(values).count == values.count, "a value stored twice")
        #expect(Set(1...100).isSubset(of: values) && Set(201...300).isSubset(of: values), "\(values.sorted())")
        #expect(values.allSatisfy { (1...300).contains($0) }, "a value no line held: \(values.sorted())")
        #expect(values.count < 300, "the disk was full, yet every line was spooled")
    }
}
