import Foundation
import Testing
import TrainScopeTesting

/// The system profiler runs inside `run` unless DisableProfiler: smdebug's files under the ML root,
/// the end marker, the child's process tree, and its gauges on /metrics; DisableProfiler turns it off.
@Suite(.serialized) struct RunProfilerTests {
    @Test func runProfilesTheSystemAndTheChild() throws {
        let dir = TemporaryDirectory(prefix: "e2e-prof")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-profiled", extra: [
            "ProfilerConfig": ["ProfilingIntervalInMilliseconds": 100],
        ])
        let ml = dir.file("ml")
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", ml, "--listen", "127.0.0.1:0", "--",
                                         "python3", "-c", "import time\nx = bytearray(20 << 20)\nprint('loss=0.5', flush=True)\ntime.sleep(1.5)"], in: dir)
        defer { run.killTree() }
        let port = try run.metricsPort()
        var page = ""
        // The child holds a 20 MiB buffer: its process tree's resident memory says so.
        let sampled = try poll(timeout: 10) {
            page = try HTTP.get(port: port, path: "/metrics").text
            let samples = Exposed.parse(page)
            let rss = samples.filter { $0.name == "trainscope_process_tree_resident_memory_bytes" }.compactMap { Double($0.value) }.max() ?? 0
            return page.contains("trainscope_system_cpu_utilization_ratio") && rss >= 20 * 1024 * 1024
        }
        #expect(sampled, "no system gauges or no child's resident memory on /metrics:\n\(page.prefix(4000))")
        #expect(try run.waitForExit(timeout: 20) == 0, "\(run.stderr)")
        let system = "\(ml)/output/profiler/system"
        #expect(FileManager.default.fileExists(atPath: "\(system)/training_job_end.ts"))
        let hours = (try? FileManager.default.contentsOfDirectory(atPath: "\(system)/incremental")) ?? []
        let files = hours.flatMap { h in ((try? FileManager.default.contentsOfDirectory(atPath: "\(system)/incremental/\(h)")) ?? []).map { "\(system)/incremental/\(h)/\($0)" } }
        let lines = files.flatMap { ((try? String(contentsOfFile: $0, encoding: .utf8)) ?? "").split(separator: "\n") }
        #expect(lines.contains { $0.contains("\"Type\":\"cpu\"") && $0.contains("\"NodeId\":\"algo-1\"") }, "\(files)")
    }

    @Test func disableProfilerMeansNoProfiling() throws {
        let dir = TemporaryDirectory(prefix: "e2e-noprof")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-unprofiled", extra: ["ProfilerConfig": ["DisableProfiler": true]])
        let ml = dir.file("ml")
        let r = try CLI.run(["run", "--job", job, "--ml-root", ml, "--listen", "127.0.0.1:0", "--", "python3", "-c", "print('loss=0.5')"],
                            cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(ml)/output/profiler"))
    }
}
