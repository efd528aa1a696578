import Testing
import LogMetrics

@Suite struct MetricExtractorTests {
    @Test func firstMatchPerDefinitionInDefinitionOrder() throws {
        let x = try MetricExtractor(definitions: [
            .init(name: "b", regex: "b=(\\S+)"), .init(name: "a", regex: "a=(\\S+)"),
        ])
        #expect(x.extract(line: Array("a=1 b=2 a=3".utf8)).map { $0.0 } == [0, 1])
        #expect(x.extract(line: Array("a=1 b=2 a=3".utf8)).map { $0.1 } == [2, 1])
    }

    @Test func escapesBeforeMatching() throws {
        let x = try MetricExtractor(definitions: [
            .init(name: "v", regex: ".*\\[[0-9]+\\].*#011validation-rmse:([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"),
        ])
        #expect(x.extract(line: Array("[3]\ttrain-rmse:0.5\tvalidation-rmse:0.25".utf8)).map { $0.1 } == [0.25])
    }

    @Test func countsParseFailuresAndUnsetGroups() throws {
        let x = try MetricExtractor(definitions: [.init(name: "f1", regex: "F1=(.*?)"), .init(name: "u", regex: "(?:a=(\\d)|b=\\d)")])
        #expect(x.extract(line: Array("F1=0.5 b=1".utf8)).isEmpty)
        #expect(x.counters[0].matches == 1 && x.counters[0].parseFailures == 1 && x.counters[0].values == 0)
        #expect(x.counters[1].matches == 1 && x.counters[1].parseFailures == 0)
    }

    @Test func rejectsBadDefinitionsWithTheirIndex() {
        #expect(throws: MetricExtractorError.self) { try MetricExtractor(definitions: [.init(name: "a", regex: "a=(")]) }
        do {
            _ = try MetricExtractor(definitions: [.init(name: "ok", regex: "a=(1)"), .init(name: "nogroup", regex: "a=1")])
            Issue.record("expected an error")
        } catch {
            #expect(error.index == 1)
            #expect(error.description.contains("MetricDefinitions[1]"))
        }
    }
}
