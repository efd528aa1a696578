#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import TrainScopeTesting

/// What a tail stored, read back with `trainscope metrics --format jsonl` as a user would (each
/// value with its source).
enum TailStore {
    struct Row: CustomStringConvertible {
        var time: Double
        var name: String
        var value: Double
        var source: String?
        var description: String { "\(name)=\(value)@\(time)[\(source ?? "-")]" }
    }

    static func rows(db: String, name: String? = nil) throws -> [Row] {
        let r = try CLI.run(["metrics", "--db", db, "--format", "jsonl"] + (name.map { ["--name", $0] } ?? []))
        guard r.status == 0 else { throw TestFailure("metrics exited \(r.status): \(r.stderr)") }
        return try r.stdoutText.split(separator: "\n").map { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let t = (o["timestamp"] as? NSNumber)?.doubleValue, let n = o["metric_name"] as? String else {
                throw TestFailure("bad metrics line \(line)")
            }
            let v: Double
            if let number = o["value"] as? NSNumber { v = number.doubleValue } else {
                switch o["value"] as? String {
                case "NaN": v = .nan
                case "Infinity": v = .infinity
                case "-Infinity": v = -.infinity
                default: throw TestFailure("bad value in \(line)")
                }
            }
            return Row(time: t, name: n, value: v, source: o["source"] as? String)
        }
    }

    /// The values of `name`, in stored order.
    static func values(db: String, name: String) throws -> [Double] { try rows(db: db, name: name).map(\.value) }
}

/// `trainscope tail` end to end: the built binary following real files (symlinks, FIFOs, stdin, CRI
/// and Docker logs) in a temporary folder, read back through `/metrics` and `metrics --format jsonl`.
/// Serialized: each test starts a trainscope, and the CI machine has two cores.
@Suite(.serialized) struct TailCommandTests {
    static let definitions = [("step", "step=([0-9]+)"), ("train:loss", "loss=([0-9.]+)")]

    /// `step=N loss=N/1000` for each N.
    static func lines(_ steps: ClosedRange<Int>) -> String {
        steps.map { "step=\($0) loss=\(String(format: "%.3f", Double($0) / 1000))\n" }.joined()
    }

    /// A folder with a job in it, and the files a test writes.
    final class Folder {
        let dir = TemporaryDirectory(prefix: "tail")
        let job: String
        var db: String { dir.file("store.db") }
        init(definitions: [(String, String)] = TailCommandTests.definitions) throws {
            job = try RunCommandTests.writeJob(in: dir, name: "tail-test", definitions: definitions)
        }
        func path(_ name: String) -> String { dir.file(name) }
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path(name))) }
        func append(_ name: String, _ text: String) throws {
            guard let h = FileHandle(forWritingAtPath: path(name)) else { throw TestFailure("cannot open \(name)") }
            defer { try? h.close() }
            try h.seekToEnd()
            try h.write(contentsOf: Data(text.utf8))
        }
        func inode(_ name: String) -> UInt64? {
            var st = stat()
            return stat(path(name), &st) == 0 ? UInt64(st.st_ino) : nil
        }
        func size(_ name: String) -> Int64 {
            var st = stat()
            return stat(path(name), &st) == 0 ? Int64(st.st_size) : -1
        }

        /// `trainscope tail --job JOB --db DB --listen 127.0.0.1:0 EXTRA… PATHS…`, up and listening.
        func tail(_ paths: [String], _ extra: [String] = [], name: String = "tail") throws -> Tail {
            let run = try RunningTrainscope(["tail", "--job", job, "--db", db, "--listen", "127.0.0.1:0"] + extra + paths,
                                            in: dir, name: name)
            return Tail(run: run, port: try run.metricsPort(), stderr: { run.stderr })
        }

        /// The stored step values, checked to be `expected`, each once (in any order).
        func expectSteps(_ expected: [Int], _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
            let steps = try TailStore.values(db: db, name: "step").map { Int($0) }
            #expect(steps.sorted() == expected.sorted(), "\(comment) stored steps \(steps)", sourceLocation: sourceLocation)
            let losses = try TailStore.values(db: db, name: "train:loss").map { Int(($0 * 1000).rounded()) }
            #expect(losses.sorted() == expected.sorted(), "\(comment) stored losses ×1000 \(losses)", sourceLocation: sourceLocation)
        }
    }

    struct Tail {
        /// nil for a trainscope started with a pipe on its standard input.
        let run: RunningTrainscope?
        let port: Int
        let stderr: () -> String

        func samples() throws -> [ExposedSample] { Exposed.parse(try HTTP.get(port: port, path: "/metrics").text) }

        /// Sum of a per-source series over the sources (or one source's).
        func total(_ name: String, metric: String? = nil, source: String? = nil) throws -> Double {
            try samples().filter {
                $0.name == name && (metric == nil || $0.labels["metric"] == metric) && (source == nil || $0.labels["source"] == source)
            }.reduce(0) { $0 + (Double($1.value) ?? .nan) }
        }

        /// Step values extracted by this life of trainscope, all sources together.
        func steps() throws -> Int { Int(try total("trainscope_training_metric_samples_total", metric: "step")) }

        /// Waits until this life has extracted `n` step values and committed them.
        func waitForSteps(_ n: Int, timeout: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) throws {
            var seen = 0, committed = 0.0
            let ok = try poll(timeout: timeout, interval: 0.05) {
                seen = try steps()
                committed = try total("trainscope_store_samples_total")
                return seen >= n && committed >= Double(2 * n)
            }
            if !ok {
                throw TestFailure("waited \(timeout) s for \(n) step values: \(seen) extracted, \(committed) values committed; stderr:\n\(stderr())")
            }
        }

        /// SIGTERM, and exit status 0.
        func stop(sourceLocation: SourceLocation = #_sourceLocation) throws {
            guard let run else { throw TestFailure("not started as a RunningTrainscope") }
            run.signal(SIGTERM)
            let status = try run.waitForExit()
            #expect(status == 0, "trainscope tail exited \(status):\n\(run.stderr)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Rotation schemes

    @Test func symlinkSwitchedToANewTarget() throws {
        let f = try Folder()
        try FileManager.default.createDirectory(atPath: f.path("pods"), withIntermediateDirectories: true)
        try f.write("pods/0.log", Self.lines(1...3))
        #expect(symlink("pods/0.log", f.path("train.log")) == 0)
        let tail = try f.tail([f.path("train.log")])
        try tail.waitForSteps(3)

        // As the kubelet does it: a new target, and the link replaced atomically by a rename.
        try f.write("pods/1.log", Self.lines(4...5))
        #expect(symlink("pods/1.log", f.path("train.log.tmp")) == 0)
        #expect(rename(f.path("train.log.tmp"), f.path("train.log")) == 0)
        try tail.waitForSteps(5)
        try f.append("pods/1.log", Self.lines(6...7))
        try tail.waitForSteps(7)
        #expect(try tail.total("trainscope_log_rotations_total") >= 1)
        try tail.stop()
        try f.expectSteps(Array(1...7))
    }

    /// The link switched while trainscope is down, after lines were added to the old target: the
    /// restart finishes the old target (the stored position names its device, inode and first bytes)
    /// before the new one.
    @Test func symlinkSwitchedWhileDown() throws {
        let f = try Folder()
        try FileManager.default.createDirectory(atPath: f.path("pods"), withIntermediateDirectories: true)
        try f.write("pods/0.log", Self.lines(1...3))
        #expect(symlink("pods/0.log", f.path("train.log")) == 0)
        let first = try f.tail([f.path("train.log")])
        try first.waitForSteps(3)
        first.run?.killTree()
        try f.append("pods/0.log", Self.lines(4...5))
        try f.write("pods/1.log", Self.lines(6...7))
        #expect(symlink("pods/1.log", f.path("train.log.tmp")) == 0)
        #expect(rename(f.path("train.log.tmp"), f.path("train.log")) == 0)
        let second = try f.tail([f.path("train.log")], name: "tail-2")
        try second.waitForSteps(2)
        _ = poll(timeout: 2) { (try? second.steps()) ?? 0 >= 4 }
        try second.stop()
        try f.expectSteps(Array(1...7), "\(second.stderr())")
    }

    @Test func deleteAndRecreate() throws {
        let f = try Folder()
        try f.write("train.log", Self.lines(1...3))
        let writer = try #require(FileHandle(forWritingAtPath: f.path("train.log")))
        try writer.seekToEnd()
        let tail = try f.tail([f.path("train.log")])
        try tail.waitForSteps(3)

        // Deleted while its writer still has it open and writes to it, then a new file at the path.
        #expect(unlink(f.path("train.log")) == 0)
        try writer.write(contentsOf: Data(Self.lines(4...5).utf8))
        try writer.close()
        try tail.waitForSteps(5)
        try f.write("train.log", Self.lines(6...8))
        try tail.waitForSteps(8)
        try tail.stop()
        try f.expectSteps(Array(1...8))
    }

    /// A file deleted while trainscope is down, and a new one at the same path on the same inode
    /// (ext4 hands out a freed inode again at once): the stored position (dev, inode, offset) would
    /// resume in the middle of the new file; the fingerprint of its first bytes says it is another file.
    @Test func aNewFileReusingAFreedInodeIsReadFromItsStart() throws {
        let f = try Folder()
        try f.write("train.log", Self.lines(1...3))
        let first = try f.tail([f.path("train.log")])
        try first.waitForSteps(3)
        try first.stop()

        let oldInode = f.inode("train.log")
        #expect(unlink(f.path("train.log")) == 0)
        try f.write("train.log", Self.lines(4...20))   // longer than the old offset
        let reused = f.inode("train.log") == oldInode
        print("TailCommandTests.aNewFileReusingAFreedInodeIsReadFromItsStart: inode \(oldInode.map(String.init) ?? "?") \(reused ? "reused" : "not reused by this file system: the test shows less")")

        let second = try f.tail([f.path("train.log")], name: "tail-2")
        try second.waitForSteps(17)
        try second.stop()
        try f.expectSteps(Array(1...20))
    }

    @Test func aFileThatShrinks() throws {
        let f = try Folder()
        try f.write("train.log", Self.lines(1...9))
        let tail = try f.tail([f.path("train.log")])
        try tail.waitForSteps(9)

        // Truncated in place and rewritten shorter, while trainscope reads it.
        try f.write("train.log", Self.lines(10...11))
        try tail.waitForSteps(11)
        #expect(try tail.total("trainscope_log_truncations_total") >= 1)
        // Rewritten longer than before, so only the first bytes tell it changed.
        try f.write("train.log", Self.lines(12...40))
        try tail.waitForSteps(40)

        // And while trainscope is down: killed, the file shrinks, then a restart.
        tail.run?.killTree()
        try f.write("train.log", Self.lines(41...42))
        let again = try f.tail([f.path("train.log")], name: "tail-2")
        try again.waitForSteps(2)
        try again.stop()
        try f.expectSteps(Array(1...42))
    }

    /// Renamed while trainscope is down, with lines written to the old file after the stored position:
    /// the restart finishes the old file from its new name (found by its first bytes), then reads the
    /// new one.
    @Test func renamedWhileDownIsFinishedFromTheRotatedFile() throws {
        let f = try Folder()
        try f.write("train.log", Self.lines(1...3))
        let first = try f.tail([f.path("train.log")])
        try first.waitForSteps(3)
        first.run?.killTree()
        try f.append("train.log", Self.lines(4...6))
        #expect(rename(f.path("train.log"), f.path("train.log.1")) == 0)
        try f.write("train.log", Self.lines(7...8))
        let second = try f.tail([f.path("train.log")], name: "tail-2")
        try second.waitForSteps(5)
        try second.stop()
        #expect(second.stderr().contains("reading the rest of the rotated file from \(f.path("train.log.1"))"), "\(second.stderr())")
        try f.expectSteps(Array(1...8))
    }

    /// Rotations that trainscope does not see one by one, because it is down (killed, then
    /// restarted) or paused (SIGSTOP, then SIGCONT: it looks again only afterwards).
    enum Unseen: String, CaseIterable, CustomStringConvertible {
        case down, paused
        var description: String { rawValue }

        /// Runs `change` while trainscope cannot look, and returns the trainscope that reads on.
        func during(_ tail: Tail, _ f: Folder, _ change: () throws -> Void) throws -> Tail {
            let run = try #require(tail.run)
            switch self {
            case .down:
                run.killTree()
                try change()
                return try f.tail([f.path("train.log")], name: "tail-2")
            case .paused:
                run.signal(SIGSTOP)
                defer { run.signal(SIGCONT) }
                try change()
                return tail
            }
        }
    }

    /// Two rotations unseen: besides the rest of the file trainscope was reading, a whole rotated
    /// file lies between it and the current one, to be read before the current one. Renamed twice
    /// (`train.log.1`, then `train.log.2`), or copytruncated twice.
    @Test(arguments: ["rename", "copytruncate"], Unseen.allCases)
    func rotatedTwiceUnseen(_ how: String, _ unseen: Unseen) throws {
        let f = try Folder()
        try f.write("train.log", Self.lines(1...3))
        let first = try f.tail([f.path("train.log")])
        try first.waitForSteps(3)
        let reader = try unseen.during(first, f) {
            try f.append("train.log", Self.lines(4...5))
            for (k, more) in [(1, 6...8), (2, 9...12)] {
                if how == "rename" {
                    #expect(rename(f.path("train.log"), f.path("train.log.\(k)")) == 0)
                } else {
                    try FileManager.default.copyItem(atPath: f.path("train.log"), toPath: f.path("train.log.\(k)"))
                    #expect(truncate(f.path("train.log"), 0) == 0)
                }
                usleep(20_000)   // file times apart, as rotations are
                if how == "rename" { try f.write("train.log", Self.lines(more)) } else { try f.append("train.log", Self.lines(more)) }
            }
        }
        _ = poll(timeout: 10) { (try? reader.steps()) ?? 0 >= (unseen == .down ? 9 : 12) }
        try reader.stop()
        try f.expectSteps(Array(1...12), "\(how) while \(unseen): \(reader.stderr())")
    }

    /// Truncated in place, written to, then renamed, all unseen: the renamed file is read from its
    /// start (nothing of the new content is skipped at the old offset), then the new one.
    @Test(arguments: Unseen.allCases)
    func truncatedThenRenamedUnseen(_ unseen: Unseen) throws {
        let f = try Folder()
        try f.write("train.log", Self.lines(1...20))
        let first = try f.tail([f.path("train.log")])
        try first.waitForSteps(20)
        let reader = try unseen.during(first, f) {
            try f.write("train.log", Self.lines(21...23))   // truncated, and shorter than the offset
            usleep(20_000)
            #expect(rename(f.path("train.log"), f.path("train.log.1")) == 0)
            try f.write("train.log", Self.lines(24...25))
        }
        _ = poll(timeout: 10) { (try? reader.steps()) ?? 0 >= (unseen == .down ? 5 : 25) }
        try reader.stop()
        try f.expectSteps(Array(1...25), "while \(unseen): \(reader.stderr())")
    }

    // MARK: - Streams

    @Test func aFIFOIsReadWheneverAWriterComes() throws {
        let f = try Folder()
        #expect(mkfifo(f.path("train.pipe"), 0o600) == 0)
        let tail = try f.tail([f.path("train.pipe")])

        /// Opens the FIFO for writing once trainscope has it open for reading, writes, closes.
        func writeToFIFO(_ text: String) throws {
            var fd: Int32 = -1
            #expect(poll(timeout: 10) { fd = open(f.path("train.pipe"), O_WRONLY | O_NONBLOCK); return fd >= 0 })
            guard fd >= 0 else { throw TestFailure("no reader on the FIFO: \(String(cString: strerror(errno)))") }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
            close(fd)
        }
        usleep(300_000)   // a writer that comes later
        try writeToFIFO(Self.lines(1...3))
        try tail.waitForSteps(3)

        // No writer now: the FIFO reads as end of file over and over; that must not become a busy loop.
        let before = try Self.cpuSeconds(try #require(tail.run).pid)
        usleep(2_000_000)
        let used = try Self.cpuSeconds(try #require(tail.run).pid) - before
        #expect(used < 0.2, "trainscope used \(used) s of CPU in 2 s with a FIFO that has no writer")

        try writeToFIFO(Self.lines(4...6))
        try tail.waitForSteps(6)
        try tail.stop()
        try f.expectSteps(Array(1...6))
    }

    /// utime + stime of a process, in seconds, from /proc/PID/stat.
    static func cpuSeconds(_ pid: pid_t) throws -> Double {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = text.lastIndex(of: ")") else { throw TestFailure("bad /proc/\(pid)/stat") }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based), so 11 and 12 here.
        guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { throw TestFailure("bad /proc/\(pid)/stat") }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `tail -`: every line stored, the last one without a newline too; the input's end ends the job
    /// (Completed).
    @Test func standardInput() throws {
        let f = try Folder()
        let (process, input, stderrPath) = try Self.startWithPipe(f, ["-"])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var port: Int?
        _ = poll(timeout: 15) { port = RunningTrainscope.port(in: Self.read(stderrPath)); return port != nil }
        let tail = Tail(run: nil, port: try #require(port, "no metrics line: \(Self.read(stderrPath))"), stderr: { Self.read(stderrPath) })

        try input.fileHandleForWriting.write(contentsOf: Data(Self.lines(1...3).utf8))
        #expect(try poll(timeout: 10) { try tail.steps() == 3 })
        try tail.waitForSteps(3, timeout: 2)
        try input.fileHandleForWriting.write(contentsOf: Data((Self.lines(4...5) + "step=6 loss=0.006").utf8))   // no final newline
        try input.fileHandleForWriting.close()
        #expect(poll(timeout: 15) { !process.isRunning }, "tail - still running after its input ended")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(Self.read(stderrPath))")
        try f.expectSteps(Array(1...6))
        #expect(try RunRecord(db: f.db).describe()["TrainingJobStatus"] as? String == "Completed")
    }

    /// SIGTERM while standard input is still open: what was read is stored and the job is Stopped.
    @Test func standardInputStoppedBySIGTERM() throws {
        let f = try Folder()
        let (process, input, stderrPath) = try Self.startWithPipe(f, ["-"])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var port: Int?
        _ = poll(timeout: 15) { port = RunningTrainscope.port(in: Self.read(stderrPath)); return port != nil }
        let tail = Tail(run: nil, port: try #require(port), stderr: { Self.read(stderrPath) })
        try input.fileHandleForWriting.write(contentsOf: Data(Self.lines(1...2).utf8))
        #expect(try poll(timeout: 10) { try tail.steps() == 2 })
        kill(process.processIdentifier, SIGTERM)
        #expect(poll(timeout: 5) { !process.isRunning }, "tail - still running 5 s after SIGTERM")
        try input.fileHandleForWriting.close()
        #expect(poll(timeout: 10) { !process.isRunning }, "tail - still running after SIGTERM and the end of its input")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(Self.read(stderrPath))")
        try f.expectSteps([1, 2])
        #expect(try RunRecord(db: f.db).describe()["TrainingJobStatus"] as? String == "Stopped")
    }

    static func startWithPipe(_ f: Folder, _ paths: [String]) throws -> (Process, Pipe, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["tail", "--job", f.job, "--db", f.db, "--listen", "127.0.0.1:0"] + paths
        let input = Pipe()
        let stderrPath = f.path("tail.stderr")
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        p.standardInput = input
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = FileHandle(forWritingAtPath: stderrPath)
        try p.run()
        return (p, input, stderrPath)
    }

    static func read(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
}

// MARK: - Container log formats, several sources, --from-end

extension TailCommandTests {
    /// 2026-01-02T03:04:05Z in seconds since the epoch.
    static let t0 = 1_767_323_045.0

    static func expectTime(_ rows: [TailStore.Row], step: Int, _ expected: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let times = rows.filter { $0.name == "step" && Int($0.value) == step }.map(\.time)
        #expect(times.count == 1 && abs(times[0] - expected) < 0.0005, "step \(step): times \(times), expected \(expected)",
                sourceLocation: sourceLocation)
    }

    /// CRI (`/var/log/pods/…/0.log`): `P` records joined with the `F` that ends them, stdout and stderr
    /// interleaved, lines that are not records counted and skipped, each value timed by its record;
    /// then a kill between a line's `P` and its `F`: the pending part is committed with the position.
    @Test func criPartialRecordsInvalidLinesAndRecordTimes() throws {
        let f = try Folder()
        try f.write("0.log", """
            2026-01-02T03:04:05.123456789Z stdout F step=1 loss=0.001
            2026-01-02T03:04:06.000000000Z stdout P step=2 lo
            2026-01-02T03:04:06.250000000Z stderr F step=3 loss=0.003
            2026-01-02T03:04:06.500000000Z stdout F ss=0.002
            this line is not a CRI record step=90 loss=0.090
            2026-01-02T03:04:07.000000000Z stdout X step=91 loss=0.091
            2026-01-02T03:04:08.000000000Z stdout F step=4 loss=0.004

            """)
        let tail = try f.tail([f.path("0.log")])   // --format auto: CRI from the first line
        try tail.waitForSteps(4)
        #expect(try tail.total("trainscope_log_invalid_records_total", source: f.path("0.log")) == 2)
        #expect(tail.stderr().contains("0.log: cri format"), "\(tail.stderr())")

        // A line begun (two P records) and read, then SIGKILL, then its end.
        try f.append("0.log", """
            2026-01-02T03:04:09.000000000Z stdout P step=5 lo
            2026-01-02T03:04:09.100000000Z stdout P ss=0.0

            """)
        let size = f.size("0.log")
        #expect(try poll(timeout: 10) { try tail.total("trainscope_log_bytes_total") == Double(size) })
        tail.run?.killTree()
        try f.append("0.log", "2026-01-02T03:04:09.200000000Z stdout F 05\n")
        let again = try f.tail([f.path("0.log")], ["--format", "cri"], name: "tail-2")
        try again.waitForSteps(1)
        try again.stop()

        try f.expectSteps(Array(1...5))
        let rows = try TailStore.rows(db: f.db)
        Self.expectTime(rows, step: 1, Self.t0 + 0.123)
        Self.expectTime(rows, step: 3, Self.t0 + 1.25)
        Self.expectTime(rows, step: 2, Self.t0 + 1.5)   // a joined line has the time of its last record
        Self.expectTime(rows, step: 4, Self.t0 + 3)
        Self.expectTime(rows, step: 5, Self.t0 + 4.2)
        #expect(rows.allSatisfy { $0.source == f.path("0.log") }, "\(rows)")
    }

    /// Docker json-file (`/var/lib/docker/containers/<id>/<id>-json.log`): a 40 kB line that Docker
    /// split into 16 KiB records (no `\n` but in the last), escapes, an invalid JSON line.
    @Test func dockerJSONFileWithSplitLines() throws {
        let f = try Folder()
        func record(_ log: String, _ stream: String, _ time: String) -> String {
            var escaped = ""
            for c in log.unicodeScalars {
                switch c {
                case "\n": escaped += "\\n"
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "<": escaped += "\\u003c"
                case ">": escaped += "\\u003e"
                default: escaped.unicodeScalars.append(c)
                }
            }
            return "{\"log\":\"\(escaped)\",\"stream\":\"\(stream)\",\"time\":\"2026-01-02T03:04:\(time)Z\"}\n"
        }
        let long = Array(("step=2 " + String(repeating: "x", count: 40_000) + " loss=0.002\n").utf8)
        var text = record("step=1 loss=0.001\n", "stdout", "05.123456789")
        var chunks: [String] = []
        var i = 0
        while i < long.count { chunks.append(String(decoding: long[i..<min(long.count, i + 16384)], as: UTF8.self)); i += 16384 }
        #expect(chunks.count == 3)
        for (k, chunk) in chunks.enumerated() { text += record(chunk, "stdout", "06.\(k + 1)00000000") }
        text += "{\"log\":\"not json step=90 loss=0.090\n"
        text += record("<b>step=3</b> loss=0.003 \"quoted\"\n", "stderr", "07")
        let id = String(repeating: "ab12", count: 16)
        try FileManager.default.createDirectory(atPath: f.path(id), withIntermediateDirectories: true)
        try f.write("\(id)/\(id)-json.log", text)

        let tail = try f.tail([f.path("\(id)/\(id)-json.log")], ["--format", "docker"])
        try tail.waitForSteps(3)
        #expect(try tail.total("trainscope_log_invalid_records_total") == 1)
        try tail.stop()
        try f.expectSteps([1, 2, 3])
        let rows = try TailStore.rows(db: f.db)
        Self.expectTime(rows, step: 1, Self.t0 + 0.123)
        Self.expectTime(rows, step: 2, Self.t0 + 1.3)
        Self.expectTime(rows, step: 3, Self.t0 + 2)
    }

    /// Two files and a glob: each value labelled by its file, in /metrics and in the store; a file
    /// created later that matches the glob is followed from its start.
    @Test func severalPathsAndAGlob() throws {
        let f = try Folder()
        try FileManager.default.createDirectory(atPath: f.path("logs"), withIntermediateDirectories: true)
        try f.write("a.log", Self.lines(1...1))
        try f.write("b.log", Self.lines(2...2))
        try f.write("logs/x-1.log", Self.lines(3...3))
        try f.write("logs/ignored.txt", Self.lines(90...90))
        let tail = try f.tail([f.path("a.log"), f.path("b.log"), f.path("logs/*.log")])
        try tail.waitForSteps(3)
        try f.write("logs/x-2.log", Self.lines(4...5))
        try tail.waitForSteps(5, timeout: 15)
        let expected = [f.path("a.log"): 1, f.path("b.log"): 1, f.path("logs/x-1.log"): 1, f.path("logs/x-2.log"): 2]
        for (source, n) in expected {
            #expect(try tail.total("trainscope_training_metric_samples_total", metric: "step", source: source) == Double(n), "\(source)")
        }
        #expect(Set(try tail.samples().compactMap { $0.labels["source"] }) == Set(expected.keys))
        try tail.stop()
        try f.expectSteps(Array(1...5))
        let sources = Dictionary(try TailStore.rows(db: f.db, name: "step").map { (Int($0.value), $0.source ?? "") },
                                 uniquingKeysWith: { a, _ in a })
        #expect(sources == [1: f.path("a.log"), 2: f.path("b.log"), 3: f.path("logs/x-1.log"),
                            4: f.path("logs/x-2.log"), 5: f.path("logs/x-2.log")])
    }

    /// `--from-end` skips what a file held when it was first opened; a restart resumes at the stored
    /// position all the same (nothing written while it was down is skipped).
    @Test func fromEnd() throws {
        let f = try Folder()
        try f.write("train.log", Self.lines(1...3))
        let tail = try f.tail([f.path("train.log")], ["--from-end"])
        #expect(poll(timeout: 10) { tail.stderr().contains("train.log: following (") }, "\(tail.stderr())")
        try f.append("train.log", Self.lines(4...5))
        try tail.waitForSteps(2)
        tail.run?.killTree()
        try f.append("train.log", Self.lines(6...6))
        let again = try f.tail([f.path("train.log")], ["--from-end"], name: "tail-2")
        try again.waitForSteps(1)
        try again.stop()
        try f.expectSteps([4, 5, 6])
    }
}
