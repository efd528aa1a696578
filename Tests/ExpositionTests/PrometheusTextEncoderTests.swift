import Testing
import TrainScopeTesting
@testable import Exposition

@Suite struct PrometheusTextEncoderTests {
    static let fixtures = SourceTree.root() + "/Tests/ExpositionTests/Fixtures"

    static func sample() -> [MetricFamily] {
        [
            MetricFamily(name: "trainscope_training_metric", help: "Last value.", kind: .gauge, series: [
                .init(labels: [("metric", "validation:loss"), ("training_job", "j")], value: .double(.nan)),
                .init(labels: [("metric", "train:loss"), ("training_job", "j")], value: .double(0.25)),
                .init(labels: [("metric", "odd \"name\"\\\n"), ("training_job", "j")], value: .double(-.infinity)),
                .init(labels: [("metric", "big"), ("training_job", "j")], value: .double(1e+16)),
            ]),
            MetricFamily(name: "trainscope_log_lines_total", help: "Lines read.\nSecond \\ line.", kind: .counter, series: [
                .init(labels: [("stream", "stdout")], value: .integer(12)),
                .init(labels: [("stream", "stderr")], value: .integer(0)),
            ]),
            MetricFamily(name: "trainscope_up", help: "Always 1.", kind: .gauge, series: [.init(labels: [], value: .integer(1))]),
        ]
    }

    @Test func deterministicGolden() {
        var bytes: [UInt8] = []
        PrometheusTextEncoder.encode(Self.sample(), into: &bytes)
        #expect(Golden.compare(bytes, toFile: Self.fixtures + "/sample.prom") == nil)
        var shuffled: [UInt8] = []
        PrometheusTextEncoder.encode(Self.sample().reversed().map { f in
            var f = f; f.series.reverse(); return f
        }, into: &shuffled)
        #expect(shuffled == bytes, "input order must not change the output")
    }

    @Test func escapesLabelValuesAndHelp() {
        let text = PrometheusTextEncoder.encode(Self.sample())
        #expect(text.contains(#"metric="odd \"name\"\\\n""#))
        #expect(text.contains("# HELP trainscope_log_lines_total Lines read.\\nSecond \\\\ line."))
        #expect(text.contains("NaN\n") && text.contains("-Inf\n"))
    }
}
