import Store
import Testing

@Suite struct QueryPlanTests {
    /// The per-metric reads must not walk the samples: on a long run there are millions, and
    /// `describe` calls `finalMetrics` on every poll. They read the `metric` rows only (see
    /// `Schema.v4AppendOnlySamples`). Checked on the store's own SQL, captured by tracing, with
    /// EXPLAIN QUERY PLAN.
    @Test func perMetricReadsDoNotScanSamples() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        final class Log { var lines: [String] = [] }
        let log = Log()
        store.traceSQL { log.lines.append($0) }
        _ = try store.finalMetrics()
        _ = try store.lastSeq()
        _ = try store.sampleCount()
        try store.forEachSample(metricName: nil) { _ in }
        store.traceSQL(nil)
        #expect(log.lines.count == 4)

        let probe = try SQLiteConnection(path: fixture.path, mode: .readOnly)
        func plan(_ sql: String) throws -> [String] {
            let explain = try probe.prepare("EXPLAIN QUERY PLAN " + sql)
            var details: [String] = []
            while try explain.step() { details.append(explain.string(at: 3)) }
            return details
        }
        for sql in log.lines.prefix(3) {
            let details = try plan(sql)
            #expect(!details.contains { $0.contains("sample") || $0.hasPrefix("SCAN s") }, "\(sql)\n\(details)")
            #expect(details.contains { $0.contains("metric") }, "\(sql)\n\(details)")
        }
        // The time-ordered read sorts (there is deliberately no time index, see Schema.v1): one pass
        // over the samples, never one probe per metric per row.
        let streaming = try plan(log.lines[3])
        #expect(streaming.contains { $0.hasPrefix("SCAN s") }, "\(streaming)")
        #expect(streaming.contains { $0.contains("TEMP B-TREE") }, "\(streaming)")
    }
}
