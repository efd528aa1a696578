import Foundation
import LogMetrics
import Testing
import TrainScopeTesting
@testable import Exposition
@testable import TrainScope

/// The whole `/metrics` page for a fixed state, byte for byte, and clean under promtool.
@Suite struct LiveMetricsTests {
    static let golden = SourceTree.root() + "/Tests/TrainScopeTests/Fixtures/live-metrics.prom"

    static func state() -> LiveMetrics {
        let live = LiveMetrics(jobName: "golden-job", hostID: "algo-1",
                               metricNames: ["train:loss", "validation:loss", "odd \"name\"", "never"])
        live.attachByteCounters(stream: "stdout") { (forwarded: 4096, notSpooled: 0) }
        live.attachByteCounters(stream: "stderr") { (forwarded: 100, notSpooled: 10) }
        live.update { s in
            s.status = "InProgress"
            s.secondaryStatus = "Training"
            s.startTimeMs = 1_795_915_240_384
            s.sources[0].metrics[0].lastValue = 0.25
            s.sources[0].metrics[0].lastTimeMs = 1_795_915_241_001
            s.sources[0].metrics[0].counters = DefinitionCounters(matches: 12, values: 10, parseFailures: 2, matchErrors: 0)
            s.sources[0].metrics[1].lastValue = .nan
            s.sources[0].metrics[1].lastTimeMs = 1_795_915_241_500
            s.sources[0].metrics[1].counters = DefinitionCounters(matches: 3, values: 3, parseFailures: 0, matchErrors: 0)
            s.sources[0].metrics[2].lastValue = -.infinity
            s.sources[0].metrics[2].lastTimeMs = 1_795_915_241_600
            s.sources[0].metrics[2].counters = DefinitionCounters(matches: 1, values: 1, parseFailures: 0, matchErrors: 1)
            s.sources[0].streams["stdout"] = SourceStats(lines: 40, splitLines: 1, bytes: 4000)
            s.sources[0].streams["stderr"] = SourceStats(lines: 2, splitLines: 0, bytes: 90)
            s.samplesStored = 14
            s.storeErrors = 1
        }
        return live
    }

    @Test func pageMatchesTheGolden() {
        let text = PrometheusTextEncoder.encode(Self.state().families())
        #expect(Golden.compare(Array(text.utf8), toFile: Self.golden) == nil)
    }

    @Test func promtoolAcceptsThePage() throws {
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("promtool is missing: install Debian's prometheus package (scripts/install-deps.sh does)")
            return
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: promtool)
        p.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        try p.run()
        input.fileHandleForWriting.write(Data(PrometheusTextEncoder.encode(Self.state().families()).utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && said.isEmpty, "promtool: \(said)")
    }

    @Test func aMetricWithoutValueHasCountersButNoGauge() {
        let text = PrometheusTextEncoder.encode(Self.state().families())
        #expect(text.contains(#"trainscope_training_metric_samples_total{host="algo-1",training_job="golden-job",metric="never"} 0"#))
        #expect(!text.contains(#"trainscope_training_metric{host="algo-1",training_job="golden-job",metric="never"}"#))
    }
}
