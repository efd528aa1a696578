import Foundation
import ServiceLifecycle
import SystemProfiler
import Testing

/// A collector that reports which slot it is in, and can make a slot overrun.
final class ScriptedCollector: Collector {
    let name: String
    let clock: ManualSamplerClock
    var calls = 0
    /// Call number → nanoseconds to spend (advance the manual clock by).
    var overruns: [Int: UInt64] = [:]
    /// Call number → error to throw.
    var failAt: Int?

    struct Failure: Error, CustomStringConvertible { var description: String { "scripted failure" } }

    init(name: String = "scripted", clock: ManualSamplerClock) {
        self.name = name
        self.clock = clock
    }

    func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        defer { calls += 1 }
        if calls == failAt { throw Failure() }
        if let spend = overruns[calls] { clock.advance(by: spend) }
        records.append(SystemRecord(type: "cpu", name: "cpu0", dimension: "CPUUtilization", value: Double(calls), smdebug: true))
    }
}

@Suite struct SamplerTests {
    static let ms: UInt64 = 1_000_000

    @Test func samplesAreDueAtStartPlusKIntervalsAndNeverDrift() {
        let clock = ManualSamplerClock(wallStartMicroseconds: 1_700_000_000_000_000)
        let collector = ScriptedCollector(clock: clock)
        // Every reading takes 30 ms: a schedule that slept "interval after the last sample" would drift
        // by 30 ms a tick.
        for k in 0...10 { collector.overruns[k] = 30 * Self.ms }
        let sink = MemorySink()
        let sampler = Sampler(configuration: .init(intervalMilliseconds: 100, durationSeconds: 1), collectors: [collector],
                              sinks: [sink], clock: clock, logger: LogRecorder().logger)
        sampler.run()
        #expect(sink.samples.map(\.slot) == Array(1...10))
        // Slot k is read 30 ms after it is due, the baseline's 30 ms never adding up.
        let expected: [Int64] = (1...10).map { (k: Int) -> Int64 in 1_700_000_000_030_000 + Int64(k) * 100_000 }
        #expect(sink.samples.map(\.timeMicroseconds) == expected)
        #expect(sampler.statistics.lateTicks == 0)
        #expect(sampler.statistics.samples == 10)
        #expect(sink.finishedAt != nil)
        #expect(sampler.statistics.finished)
    }

    @Test func anOverrunIsCountedLateAndNotPiledUp() {
        let clock = ManualSamplerClock(wallStartMicroseconds: 1_700_000_000_000_000)
        let collector = ScriptedCollector(clock: clock)
        collector.overruns[3] = 250 * Self.ms   // slot 3 (due at 300 ms) ends at 550 ms
        let sink = MemorySink()
        let sampler = Sampler(configuration: .init(intervalMilliseconds: 100, durationSeconds: 1), collectors: [collector],
                              sinks: [sink], clock: clock, logger: LogRecorder().logger)
        sampler.run()
        // Slots 4 (due 400) has passed a whole interval by 550: skipped; slot 5 (due 500) is taken
        // at once, late but within its interval; then the schedule is back on its grid.
        #expect(sink.samples.map(\.slot) == [1, 2, 3, 5, 6, 7, 8, 9, 10])
        #expect(sampler.statistics.lateTicks == 1)
        let last: Int64 = 1_700_000_001_000_000
        #expect(sink.samples.last?.timeMicroseconds == last)
        let families = sampler.latestFamilies()
        #expect(families.first { $0.name == "trainscope_profiler_late_ticks_total" }?.series.first?.value == .integer(1))
    }

    @Test func aFailingCollectorIsDisabledWithOneNoticeAndTheOthersGoOn() {
        let clock = ManualSamplerClock()
        let failing = ScriptedCollector(name: "broken", clock: clock)
        failing.failAt = 2
        let healthy = ScriptedCollector(name: "healthy", clock: clock)
        let log = LogRecorder()
        let sink = MemorySink()
        let sampler = Sampler(configuration: .init(intervalMilliseconds: 100, durationSeconds: 0.5),
                              collectors: [failing, healthy], sinks: [sink], clock: clock, logger: log.logger)
        sampler.run()
        #expect(sink.samples.count == 5)
        // Each collector's cpu0 record, plus the instance CPUUtilization derived from them.
        #expect(sink.samples.map(\.records.count) == [3, 2, 2, 2, 2])
        #expect(failing.calls == 3)
        #expect(healthy.calls == 6)
        #expect(log.messages.filter { $0.contains("broken") } == ["notice: profiler: collector broken disabled: scripted failure; the others go on"])
        #expect(sampler.statistics.collectors.map(\.up) == [false, true])
    }

    @Test func anUnreadableKernelFileDisablesOnlyItsCollector() throws {
        let tree = try Fixtures.Tree("host-2core")
        // A directory where /proc/net/dev should be: open succeeds, read fails with EISDIR.
        try FileManager.default.removeItem(atPath: "\(tree.proc)/net/dev")
        try FileManager.default.createDirectory(atPath: "\(tree.proc)/net/dev", withIntermediateDirectories: false)
        // And /proc/meminfo turns to garbage after the baseline.
        let clock = ManualSamplerClock()
        let collectors: [any Collector] = [CPUCollector(procRoot: tree.proc), MemoryCollector(procRoot: tree.proc),
                                           NetworkCollector(procRoot: tree.proc), DiskCollector(procRoot: tree.proc)]
        let log = LogRecorder()
        let sink = MemorySink()
        let corrupt = CorruptAfterBaseline(path: "\(tree.proc)/meminfo")
        let sampler = Sampler(configuration: .init(intervalMilliseconds: 500, durationSeconds: 1),
                              collectors: [corrupt] + collectors, sinks: [sink], clock: clock, logger: log.logger)
        sampler.run()
        #expect(sink.samples.count == 2)
        let types = Set(sink.samples.flatMap(\.records).map(\.type))
        #expect(types == ["cpu", "i/o", "instance"])
        let notices = log.messages.filter { $0.contains("disabled") }
        #expect(notices.count == 2)
        #expect(notices.contains { $0.contains("collector network disabled") && $0.contains("net/dev") })
        #expect(notices.contains { $0.contains("collector memory disabled") && $0.contains("meminfo") })
    }

    @Test func startAndStopOnTheSamplerThread() {
        let sink = MemorySink()
        let sampler = Sampler(configuration: .init(intervalMilliseconds: 60_000), collectors: [], sinks: [sink],
                              logger: LogRecorder().logger)
        sampler.start()
        sampler.stop()   // wakes the sleeping thread at once, then joins it
        #expect(sampler.statistics.finished)
        #expect(sink.finishedAt != nil)
        #expect(sink.samples.isEmpty)
    }

    @Test func serviceReturnsWhenTheDurationEnds() async throws {
        let clock = ManualSamplerClock()
        let sink = MemorySink()
        let sampler = Sampler(configuration: .init(intervalMilliseconds: 200, durationSeconds: 1),
                              collectors: [ScriptedCollector(clock: clock)], sinks: [sink], clock: clock,
                              logger: LogRecorder().logger)
        try await SamplerService(sampler).run()
        #expect(sink.samples.count == 5)
    }

    @Test func gracefulShutdownStopsTheService() async throws {
        let sink = MemorySink()
        let sampler = Sampler(configuration: .init(intervalMilliseconds: 60_000), collectors: [], sinks: [sink],
                              logger: LogRecorder().logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: SamplerService(sampler))],
                                                      gracefulShutdownSignals: [], logger: LogRecorder().logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(sink.finishedAt != nil)
    }
}

/// Lets the baseline read `path`, then overwrites it with bytes /proc/meminfo never holds.
final class CorruptAfterBaseline: Collector {
    let name = "corrupter"
    let path: String
    var calls = 0
    init(path: String) { self.path = path }
    func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        calls += 1
        if calls == 2 {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data("MemTotal: lots\n".utf8))
            try handle.close()
        }
    }
}
