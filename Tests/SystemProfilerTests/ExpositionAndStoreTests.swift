import Exposition
import Foundation
import Store
import SystemProfiler
import Testing
import TrainScopeTesting

/// One whole sample of the host-2core tree plus the fake GPUs, through the sampler, as the three
/// outputs show it: the smdebug lines, the /metrics page and the store's rows.
@Suite struct WholeSampleTests {
    /// Switches the fixture tree from t0 to t1 between the baseline and the first sample.
    final class Advance: Collector {
        let name = "advance"
        let tree: Fixtures.Tree
        var calls = 0
        init(_ tree: Fixtures.Tree) { self.tree = tree }
        func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
            calls += 1
            if calls == 2 { try tree.advance() }
        }
    }

    /// Its own copy of the fake NVML: the GPU tests' copy may be open with calls counted.
    static let library = GPUCollectorTests.build("whole-sample.so", [])

    static func run(sinks: [any SampleSink]) throws -> Sampler {
        let tree = try Fixtures.Tree("host-2core")
        let clock = ManualSamplerClock(wallStartMicroseconds: 1_700_000_000_000_000)
        let log = LogRecorder()
        let sources = SystemSources(procRoot: tree.proc, sysRoot: tree.sys, diskSpacePath: nil)
        var collectors: [any Collector] = [Advance(tree)]
        collectors += CollectorSet.make(sources, environment: [NVML.libraryEnvironmentVariable: Self.library],
                                        logger: log.logger)
        let sampler = Sampler(configuration: .init(intervalMilliseconds: 1000, nodeID: "algo-1", durationSeconds: 1,
                                                   labels: [MetricLabel("host", "algo-1"), MetricLabel("training_job", "golden")]),
                              collectors: collectors, sinks: sinks, clock: clock, logger: log.logger)
        sampler.run()
        return sampler
    }

    @Test func smdebugLinesAndMetricsPageGolden() throws {
        let dir = TemporaryDirectory(prefix: "whole-sample")
        let sink = MemorySink()
        let files = SmdebugFileSink(configuration: .init(localPath: dir.path))
        let sampler = try Self.run(sinks: [sink, files])
        #expect(sink.samples.count == 1)
        let json = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/\(files.files[0])"))
        #expect(files.files == ["system/incremental/2023111422/1699999980.algo-1.json"])
        #expect(Fixtures.golden(Array(json), "host-2core/expected/sample.jsonl") == nil)
        // Durations are wall time spent: pinned out of the page.
        let families = sampler.latestFamilies().filter { $0.name != "trainscope_profiler_collector_duration_seconds" && $0.name != "trainscope_profiler_cpu_seconds_total" }
        let page = PrometheusTextEncoder.encode(families)
        #expect(Fixtures.golden(Array(page.utf8), "host-2core/expected/metrics.prom") == nil)
    }

    @Test func everyRecordIsStored() throws {
        let dir = TemporaryDirectory(prefix: "whole-sample-db")
        let store = try MetricStore(path: dir.file("t.db"))
        let memory = MemorySink()
        _ = try Self.run(sinks: [memory, StoreSink(store: store, flushIntervalSeconds: 0.01)])
        let reader = try MetricStore.openReadOnly(path: dir.file("t.db"))
        let stored = try reader.systemSamples()
        let records = memory.samples.flatMap { s in s.records.map { (s.timeMicroseconds, $0) } }
        #expect(stored.count == records.count)
        #expect(stored.count > 20)
        let expected = Set(records.map { "\($0.0) \($0.1.key) \($0.1.value)" })
        #expect(Set(stored.map { "\($0.timeUs) \($0.series.type)|\($0.series.name)|\($0.series.dimension) \($0.value)" }) == expected)
        #expect(stored.allSatisfy { $0.series.nodeID == "algo-1" })
    }
}
