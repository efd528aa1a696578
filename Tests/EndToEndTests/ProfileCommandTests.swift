#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TrainScopeTesting

/// `trainscope profile` run as a user runs it, its files read back with the real smdebug.
@Suite(.serialized) struct ProfileCommandTests {
    static let fixtures = CLI.root + "/Tests/SystemProfilerTests/Fixtures"

    /// A valid request whose ProfilerConfig is `profilerConfig` (JSON), written into `dir`.
    static func writeJob(in dir: TemporaryDirectory, name: String = "profile-e2e", profilerConfig: String) throws -> String {
        let json = """
            {"TrainingJobName": "\(name)", "RoleArn": "arn:aws:iam::111122223333:role/R",
             "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": "img"},
             "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
             "ResourceConfig": {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
             "StoppingCondition": {"MaxRuntimeInSeconds": 600},
             "ProfilerConfig": \(profilerConfig)}
            """
        let path = dir.file("job.json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The conformance venv's python (scripts/python-venv.sh). CI sets the variable: a missing or
    /// broken interpreter fails the test, it never skips it.
    static func conformancePython() throws -> String {
        let python = try #require(ProcessInfo.processInfo.environment["TRAINSCOPE_CONFORMANCE_PYTHON"],
                                  "TRAINSCOPE_CONFORMANCE_PYTHON is not set: run the tests through scripts/test.sh, or export it to the python that `bash scripts/python-venv.sh` prints")
        let check = try Executables.run([python, "-c", "import smdebug, pandas; print(smdebug.__version__)"])
        #expect(check.status == 0 && check.stdout.hasPrefix("1.0.34"),
                "\(python) cannot import smdebug 1.0.34: \(check.stdout)\(check.stderr)")
        return python
    }

    /// What smdebug found in a profiler directory (Tests/Conformance/read_system_metrics.py).
    struct SmdebugReport: Decodable {
        var events_total: Int
        var counts_by_type_name_dimension: [String: Int]
        var counts_by_node: [String: Int]
        var files: [File]
        var db_counts_by_type_name_dimension: [String: Int]?
        struct File: Decodable { var file: String }
    }

    static func readWithSmdebug(_ directory: String, database: String? = nil) throws -> SmdebugReport {
        let python = try conformancePython()
        let script = CLI.root + "/Tests/Conformance/read_system_metrics.py"
        let result = try Executables.run([python, script, directory] + (database.map { ["--db", $0] } ?? []))
        guard result.status == 0 else {
            throw TestFailure("smdebug could not read \(directory) (exit \(result.status)):\n\(result.stderr)")
        }
        return try JSONDecoder().decode(SmdebugReport.self, from: Data(result.stdout.utf8))
    }

    /// The fake libnvidia-ml.so of the SystemProfiler tests, built for this run.
    static func fakeNVML(in dir: TemporaryDirectory) throws -> String {
        let output = dir.file("libnvidia-ml.so.1")
        // cc when there is one, else the clang every Swift toolchain on Linux brings.
        let compiler = ["cc", "gcc", "clang"].first { (try? Executables.find($0)) != nil } ?? "cc"
        let cc = try Executables.run([compiler, "-shared", "-fPIC", "-o", output, "\(fixtures)/fake-nvml/fake_nvml.c"])
        guard cc.status == 0 else { throw TestFailure("cc failed: \(cc.stderr)") }
        return output
    }

    @Test func smdebugReadsTenSecondsAtHundredMillisecondsWithEveryMetricAndEverySampleStored() throws {
        let dir = TemporaryDirectory(prefix: "profile-e2e")
        let job = try Self.writeJob(in: dir, profilerConfig: #"{"ProfilingIntervalInMilliseconds": 100}"#)
        let nvml = try Self.fakeNVML(in: dir)
        setenv("TRAINSCOPE_NVML_LIBRARY", nvml, 1)
        defer { unsetenv("TRAINSCOPE_NVML_LIBRARY") }
        let run = try RunningTrainscope(["profile", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0",
                                         "--duration", "10"], in: dir)
        let port = try run.metricsPort()
        // Mid-run, /metrics has the system families, and promtool accepts the page.
        // The families of the system metrics appear with the first sample, one interval after the start.
        #expect(poll(timeout: 5) { ((try? HTTP.get(port: port, path: "/metrics").text) ?? "").contains("trainscope_system_memory_used_bytes") })
        let page = try HTTP.get(port: port, path: "/metrics").text
        for family in ["trainscope_system_cpu_utilization_ratio{host=\"algo-1\",training_job=\"profile-e2e\",cpu=\"cpu0\"}",
                       "trainscope_system_gpu_utilization_ratio{host=\"algo-1\",training_job=\"profile-e2e\",gpu=\"1\"} 0.62",
                       "trainscope_system_memory_used_bytes", "trainscope_profiler_late_ticks_total",
                       "trainscope_profiler_collector_up{host=\"algo-1\",training_job=\"profile-e2e\",collector=\"gpu\"} 1"] {
            #expect(page.contains(family), "\(family) missing from:\n\(page)")
        }
        let promtool = try #require(try? Executables.find("promtool"), "promtool is not on PATH (apt-get install prometheus)")
        let lint = try Executables.run([promtool, "check", "metrics"], stdin: Data(page.utf8))
        #expect(lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "promtool: \(lint.stdout)\(lint.stderr)")

        #expect(try run.waitForExit(timeout: 30) == 0, "stderr:\n\(run.stderr)")
        #expect(run.stderr.contains("2 GPU(s) through NVML"))
        let profiler = dir.file("ml/output/profiler")
        #expect(FileManager.default.fileExists(atPath: "\(profiler)/system/training_job_end.ts"))

        let report = try Self.readWithSmdebug(profiler, database: dir.file("ml/trainscope.db"))
        let cores = try String(contentsOfFile: "/proc/stat", encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("cpu") && !$0.hasPrefix("cpu ") }.count
        var expected: Set<String> = ["memory|MemoryUsedPercent|", "i/o|IOPS|", "i/o|ReadThroughputInBytesPerSecond|",
                                     "i/o|WriteThroughputInBytesPerSecond|", "network|ReceiveBytesPerSecond|Algorithm",
                                     "network|TransmitBytesPerSecond|Algorithm"]
        for i in 0..<cores { expected.formUnion(["cpu|cpu\(i)|CPUUtilization", "cpu|cpu\(i)|I/OWaitPercentage"]) }
        for i in 0..<2 { expected.formUnion(["gpu|gpu\(i)|GPUUtilization", "gpu|gpu\(i)|GPUMemoryUtilization"]) }
        #expect(Set(report.counts_by_type_name_dimension.keys) == expected)
        for (key, count) in report.counts_by_type_name_dimension.sorted(by: { $0.key < $1.key }) {
            #expect((98...102).contains(count), "\(key): smdebug found \(count) samples, expected 100 ± 2")
        }
        #expect(report.counts_by_node.keys.sorted() == ["algo-1"])
        #expect(report.files.allSatisfy { $0.file.hasPrefix("system/incremental/") && $0.file.hasSuffix(".algo-1.json") })
        // Every sample is in SQLite too: the same count for each series the files hold, and the
        // trainscope-only series (container, instance, bytes) alongside.
        let stored = try #require(report.db_counts_by_type_name_dimension)
        for (key, count) in report.counts_by_type_name_dimension {
            #expect(stored[key] == count, "\(key): \(count) in the files, \(stored[key] ?? 0) in the database")
        }
        #expect(stored["instance|CPUUtilization|"] == report.counts_by_type_name_dimension["cpu|cpu0|CPUUtilization"])
        #expect(stored["instance|GPUUtilization|"] != nil)
    }

    @Test func fixtureRootsStandInForProcAndSys() throws {
        let dir = TemporaryDirectory(prefix: "profile-e2e")
        let job = try Self.writeJob(in: dir, profilerConfig: #"{"ProfilingIntervalInMilliseconds": 100, "ProfilingParameters": {"localpath": "/opt/ml/custom/prof"}}"#)
        let result = try CLI.run(["profile", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0",
                                  "--duration", "0.5", "--proc-root", "\(Self.fixtures)/many-cores-96/t0/proc",
                                  "--sys-root", "\(Self.fixtures)/host-2core/t0/sys", "--host-id", "algo-3"],
                                 environment: ["TRAINSCOPE_NVML_LIBRARY": "/nonexistent/libnvidia-ml.so.1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("GPU metrics are off"))
        // LocalPath's /opt/ml is the ML root.
        let files = (FileManager.default.subpaths(atPath: dir.file("ml/custom/prof/system")) ?? []).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 1 && files.allSatisfy { $0.hasSuffix(".algo-3.json") })
        let text = try files.map { try String(contentsOfFile: dir.file("ml/custom/prof/system/\($0)"), encoding: .utf8) }.joined()
        #expect(text.contains(#""Name":"cpu95","Dimension":"CPUUtilization""#))
        #expect(!text.contains(#""Name":"cpu96""#))
        #expect(text.split(separator: "\n").filter { $0.contains(#""Name":"cpu95","Dimension":"CPUUtilization""#) }.count == 5)
    }

    @Test func anUnreadableCollectorFileIsANoticeAndTheOthersGoOn() throws {
        let dir = TemporaryDirectory(prefix: "profile-e2e")
        let job = try Self.writeJob(in: dir, profilerConfig: #"{"ProfilingIntervalInMilliseconds": 100}"#)
        // A /proc copy whose net/dev is a directory.
        let proc = dir.file("proc")
        try FileManager.default.createDirectory(atPath: "\(proc)/net/dev", withIntermediateDirectories: true)
        for f in ["stat", "meminfo", "diskstats"] {
            try FileManager.default.copyItem(atPath: "\(Self.fixtures)/host-2core/t0/proc/\(f)", toPath: "\(proc)/\(f)")
        }
        let result = try CLI.run(["profile", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0",
                                  "--duration", "0.5", "--proc-root", proc, "--sys-root", dir.file("no-sys")],
                                 environment: ["TRAINSCOPE_NVML_LIBRARY": "/nonexistent/libnvidia-ml.so.1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("collector network disabled"), "\(result.stderr)")
        #expect(result.stderr.contains("net/dev"))
        #expect(result.stderr.contains("container metrics are off"))
        let report = try Self.readWithSmdebug(dir.file("ml/output/profiler"))
        #expect(report.counts_by_type_name_dimension["network|ReceiveBytesPerSecond|Algorithm"] == nil)
        #expect(report.counts_by_type_name_dimension["cpu|cpu0|CPUUtilization"] == 5)
        #expect(report.counts_by_type_name_dimension["memory|MemoryUsedPercent|"] == 5)
    }

    @Test func sigtermEndsTheProfileWithTheEndMarker() throws {
        let dir = TemporaryDirectory(prefix: "profile-e2e")
        let job = try Self.writeJob(in: dir, profilerConfig: #"{"ProfilingIntervalInMilliseconds": 200}"#)
        let run = try RunningTrainscope(["profile", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0"], in: dir)
        _ = try run.metricsPort()
        #expect(poll(timeout: 10) { (FileManager.default.subpaths(atPath: dir.file("ml/output/profiler/system")) ?? []).contains { $0.hasSuffix(".json") } })
        run.signal(SIGTERM)
        #expect(try run.waitForExit(timeout: 10) == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("ml/output/profiler/system/training_job_end.ts")))
        #expect(run.stderr.contains("profiled "))
    }

    @Test func watchesAProcessTreeWithPid() throws {
        let dir = TemporaryDirectory(prefix: "profile-e2e")
        let job = try Self.writeJob(in: dir, profilerConfig: #"{"ProfilingIntervalInMilliseconds": 100}"#)
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sh")
        sleeper.arguments = ["-c", "sleep 30 & sleep 30 & wait"]
        // Not the test's own pipes: a leftover holding them would keep `swift test` waiting.
        sleeper.standardInput = FileHandle.nullDevice
        sleeper.standardOutput = FileHandle.nullDevice
        sleeper.standardError = FileHandle.nullDevice
        try sleeper.run()
        defer {
            // SIGKILL: the test process blocks SIGTERM, and its children inherit the mask.
            for p in RunningTrainscope.descendants(of: sleeper.processIdentifier) { kill(p, SIGKILL) }
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        #expect(poll(timeout: 5) { RunningTrainscope.descendants(of: sleeper.processIdentifier).count == 2 })
        let result = try CLI.run(["profile", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0",
                                  "--duration", "0.3", "--pid", String(sleeper.processIdentifier)])
        #expect(result.status == 0, "\(result.stderr)")
        let python = try Self.conformancePython()
        let query = try Executables.run([python, "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(db.execute("SELECT s.value FROM system_sample s JOIN system_series r ON r.id = s.series_id WHERE r.type = 'process' AND r.name = 'Processes' ORDER BY s.time_us DESC LIMIT 1").fetchone()[0])
            """, dir.file("ml/trainscope.db")])
        #expect(query.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "3.0", "\(query.stdout)\(query.stderr)")
    }

    @Test func badInputFailsBeforeAnySample() throws {
        let dir = TemporaryDirectory(prefix: "profile-e2e")
        let invalid = try Self.writeJob(in: dir, profilerConfig: #"{"ProfilingIntervalInMilliseconds": 250}"#)
        let bad = try CLI.run(["profile", "--job", invalid, "--ml-root", dir.file("ml"), "--duration", "1"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("ProfilerConfig.ProfilingIntervalInMilliseconds"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("ml")))

        let ok = try Self.writeJob(in: dir, profilerConfig: #"{"ProfilingIntervalInMilliseconds": 100}"#)
        let noProcess = try CLI.run(["profile", "--job", ok, "--ml-root", dir.file("ml"), "--pid", "999999999", "--duration", "1"])
        #expect(noProcess.status == 1)
        #expect(noProcess.stderr.contains("--pid 999999999: no such process"))

        let usage = try CLI.run(["profile", "--job", ok, "--duration", "-1"])
        #expect(usage.status == 64)

        let disabled = try Self.writeJob(in: dir, profilerConfig: #"{"DisableProfiler": true}"#)
        let off = try CLI.run(["profile", "--job", disabled, "--ml-root", dir.file("ml-off"), "--duration", "1"])
        #expect(off.status == 0)
        #expect(off.stderr.contains("DisableProfiler is true"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("ml-off/output/profiler")))
    }

    @Test(arguments: [(#"{"S3OutputPath": "s3://b/o", "DisableProfiler": false}"#, "Enabled"),
                      (#"{"DisableProfiler": true}"#, "Disabled")])
    func describeReportsProfilingStatusAndTheIntervalInUse(_ config: String, _ status: String) throws {
        let dir = TemporaryDirectory(prefix: "profile-e2e")
        let job = try Self.writeJob(in: dir, profilerConfig: config)
        let run = try CLI.run(["run", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0", "--", "true"])
        #expect(run.status == 0, "\(run.stderr)")
        let describe = try CLI.run(["describe", "--db", dir.file("ml/trainscope.db")])
        let document = try #require(try JSONSerialization.jsonObject(with: describe.stdout) as? [String: Any])
        #expect(document["ProfilingStatus"] as? String == status)
        let profilerConfig = try #require(document["ProfilerConfig"] as? [String: Any])
        #expect(profilerConfig["ProfilingIntervalInMilliseconds"] as? Int == 500)
        #expect(describe.stdoutText.hasSuffix("\"ProfilingStatus\": \"\(status)\"\n}\n"), "\(describe.stdoutText)")
    }

    @Test func portInUseFailsBeforeAnySample() throws {
        let dir = TemporaryDirectory(prefix: "profile-e2e")
        let job = try Self.writeJob(in: dir, profilerConfig: #"{"ProfilingIntervalInMilliseconds": 100}"#)
        let first = try RunningTrainscope(["profile", "--job", job, "--ml-root", dir.file("a"), "--listen", "127.0.0.1:0"], in: dir, name: "first")
        let port = try first.metricsPort()
        defer { first.signal(SIGTERM); _ = try? first.waitForExit() }
        let second = try CLI.run(["profile", "--job", job, "--ml-root", dir.file("b"), "--listen", "127.0.0.1:\(port)", "--duration", "1"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(second.stderr)")
        #expect((FileManager.default.subpaths(atPath: dir.file("b/output/profiler")) ?? []).filter { $0.hasSuffix(".json") }.isEmpty)
    }
}
