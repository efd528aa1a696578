import CSQLite
import Store
import Testing
import TrainScopeTesting

@Suite struct MetricStoreTests {
    @Test func appendAndReadBackInTimeThenDefinitionThenSeqOrder() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        // Appended out of time order and interleaving metrics, across two batches.
        try store.append(samples: [
            sample(1, 0.5, time: 200, seq: 1, stream: .stderr, line: 7),
            sample(0, 2.0, time: 200, seq: 2),
            sample(0, 3.0, time: 100, seq: 1),
        ], positions: [], counters: [])
        try store.append(samples: [
            sample(2, 9.0, time: 150, seq: 1),
            sample(0, 1.0, time: 200, seq: 3),
        ], positions: [], counters: [])

        let all = try store.allSamples()
        #expect(all.map { "\($0.timeMs) \($0.metricName) \($0.seq)" } == [
            "100 train:loss 1",
            "150 validation:loss 1",
            "200 train:loss 2",
            "200 train:loss 3",
            "200 train:accuracy 1",
        ])
        #expect(all[4] == StoredSample(metricName: "train:accuracy", timeMs: 200, value: 0.5, stream: .stderr,
                                       line: 7, seq: 1))
        #expect(try store.allSamples(metricName: "train:loss").map(\.value) == [3.0, 2.0, 1.0])
        #expect(try store.allSamples(metricName: "no-such-metric").isEmpty)
        #expect(try store.sampleCount() == 5)
    }

    @Test func specialValuesRoundTripBitExactly() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        let values: [Double] = [
            .nan, -.nan, .signalingNaN, .infinity, -.infinity, -0.0, 0.0,
            .leastNonzeroMagnitude, -.leastNonzeroMagnitude, Double.leastNormalMagnitude.nextDown,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 3.0, -3.0, 0.1, 1e300, 2.0.squareRoot(),
            Double(Int64.max), 9_007_199_254_740_992.0.nextUp,
        ]
        let samples = values.enumerated().map { sample(0, $1, time: Int64($0), seq: Int64($0)) }
        try store.append(samples: samples, positions: [], counters: [])

        let back = try store.allSamples()
        #expect(back.count == values.count)
        for (stored, value) in zip(back, values) {
            #expect(sameBits(stored.value, value), "\(value) came back as \(stored.value)")
        }
        // The flag, not the column type, is what marks NaN.
        let last = try #require(try store.finalMetrics().first)
        #expect(last.value == 9_007_199_254_740_992.0.nextUp)
        try store.append(samples: [sample(0, .nan, time: 99, seq: 99)], positions: [], counters: [])
        #expect(try store.finalMetrics().first?.value.isNaN == true)
    }

    @Test func positionsAndCountersCommitWithSamples() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        try store.append(
            samples: [sample(0, 1, time: 1, seq: 1)],
            positions: [SourcePosition(source: "stdout", byteOffset: 100, line: 4)],
            counters: [CounterDelta(name: "lines", labels: "stream=stdout", delta: 4),
                       CounterDelta(name: "parse_failures", labels: "metric=train:loss", delta: 1)])
        try store.append(
            samples: [],
            positions: [SourcePosition(source: "stdout", byteOffset: 180, line: 6),
                        SourcePosition(source: "stderr", byteOffset: 10, line: 1)],
            counters: [CounterDelta(name: "lines", labels: "stream=stdout", delta: 2)])
        #expect(try store.position(source: "stdout") == SourcePosition(source: "stdout", byteOffset: 180, line: 6))
        #expect(try store.position(source: "stderr")?.byteOffset == 10)
        #expect(try store.position(source: "nowhere") == nil)
        #expect(try store.counters().map { "\($0.name){\($0.labels)} \($0.value)" } == [
            "lines{stream=stdout} 6",
            "parse_failures{metric=train:loss} 1",
        ])
    }

    /// A batch fails on its second sample (metric index 7 is not defined),
    /// after its positions and counters were already written inside the transaction: none of it
    /// may remain.
    @Test func failedAppendLeavesNothingOfTheBatch() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        let position = SourcePosition(source: "stdout", byteOffset: 50, line: 2)
        try store.append(samples: [sample(0, 1, time: 1, seq: 1)], positions: [position],
                         counters: [CounterDelta(name: "lines", labels: "", delta: 2)])

        let error = try #require(captureError {
            try store.append(
                samples: [sample(0, 2, time: 2, seq: 2), sample(7, 3, time: 2, seq: 1), sample(1, 4, time: 2, seq: 1)],
                positions: [SourcePosition(source: "stdout", byteOffset: 90, line: 5),
                            SourcePosition(source: "stderr", byteOffset: 9, line: 1)],
                counters: [CounterDelta(name: "lines", labels: "", delta: 3),
                           CounterDelta(name: "new", labels: "", delta: 1)])
        })
        #expect(error.code == SQLITE_CONSTRAINT)
        #expect(error.description.contains("metric index 7 is not a defined metric (0..<3)"), "\(error)")

        #expect(try store.sampleCount() == 1)
        #expect(try store.position(source: "stdout") == position)
        #expect(try store.position(source: "stderr") == nil)
        #expect(try store.counters().map(\.value) == [2])

        // The connection and its cached statements are usable after the rollback.
        try store.append(samples: [sample(0, 2, time: 2, seq: 2)], positions: [], counters: [])
        #expect(try store.sampleCount() == 2)
    }

    @Test func duplicateSeqIsRejected() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        try store.append(samples: [sample(0, 1, time: 1, seq: 1), sample(0, 1.5, time: 1, seq: 5)], positions: [], counters: [])
        // A seq at or below the stored last one: the same batch written twice, or an older one.
        for seq: Int64 in [1, 5, 3] {
            let error = captureError { try store.append(samples: [sample(1, 7, time: 2, seq: 1), sample(0, 2, time: 2, seq: seq)],
                                                        positions: [], counters: []) }
            #expect(error?.code == SQLITE_CONSTRAINT)
            #expect(error?.description.contains("metric index 0 already has seq 5 stored; seq \(seq) would repeat or precede it") == true,
                    "\(String(describing: error))")
        }
        // Twice within one batch, in order or not.
        for seqs: [Int64] in [[6, 6], [8, 6, 7, 6]] {
            let error = captureError { try store.append(samples: seqs.map { sample(0, 2, time: 2, seq: $0) }, positions: [], counters: []) }
            #expect(error?.description.contains("metric index 0 has seq 6 twice in one batch") == true, "\(String(describing: error))")
        }
        #expect(try store.allSamples().map(\.value) == [1, 1.5])
        #expect(try store.sampleCount() == 2)
        #expect(try store.lastSeq() == [0: 5])
        // Out of order but distinct is fine; the last is the highest seq.
        try store.append(samples: [sample(0, 8, time: 3, seq: 8), sample(0, 6, time: 3, seq: 6)], positions: [], counters: [])
        #expect(try store.lastSeq() == [0: 8])
        #expect(try store.finalMetrics().first?.value == 8)
    }

    @Test func anUnregisteredSourceIsRefused() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        let id = try store.sourceID(name: "/var/log/a.log")
        var s = sample(0, 1, time: 1, seq: 1)
        s.sourceID = id
        try store.append(samples: [s], positions: [], counters: [])
        s.seq = 2
        s.sourceID = id + 41
        let error = captureError { try store.append(samples: [s], positions: [], counters: []) }
        #expect(error?.description.contains("source id \(id + 41) is not a registered source") == true, "\(String(describing: error))")
        #expect(try store.allSamples().map(\.source) == ["/var/log/a.log"])
    }

    @Test func finalMetricsPickTheLastSeqInDefinitionOrder() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        try store.append(samples: [
            sample(2, 0.9, time: 50, seq: 1),
            // seq 3 is last although its time is earlier than seq 2's.
            sample(0, 0.3, time: 40, seq: 3),
            sample(0, 0.2, time: 60, seq: 2),
            sample(0, 0.1, time: 10, seq: 1),
        ], positions: [], counters: [])
        let final = try store.finalMetrics()
        // train:accuracy never matched and is omitted.
        #expect(final.map(\.name) == ["train:loss", "validation:loss"])
        #expect(final.map(\.value) == [0.3, 0.9])
        #expect(final.map(\.timeMs) == [40, 50])
        #expect(try store.lastSeq() == [0: 3, 2: 1])
    }

    @Test func reopenResumesWithSamplesPositionsAndSequence() throws {
        let fixture = StoreFixture()
        do {
            let store = try fixture.startedStore()
            try store.setStartTime(1_500)
            try store.recordTransition(status: "Training", timeMs: 1_600, message: "Training in progress")
            try store.append(samples: [sample(0, 1, time: 1, seq: 1), sample(0, 2, time: 2, seq: 2),
                                       sample(1, 5, time: 2, seq: 1)],
                             positions: [SourcePosition(source: "stdout", byteOffset: 321, line: 12)],
                             counters: [CounterDelta(name: "lines", labels: "", delta: 12)])
            try store.finishJob(status: "Failed", secondaryStatus: "Failed", failureReason: "crash",
                                exitCode: 137, endTimeMs: 2_000)
        }
        let store = try MetricStore(path: fixture.path)
        #expect(try store.lastSeq() == [0: 2, 1: 1])
        #expect(try store.position(source: "stdout") == SourcePosition(source: "stdout", byteOffset: 321, line: 12))

        var again = StoreFixture.job(creationTimeMs: 9_999)
        again.status = "InProgress"
        try store.startJob(again, definitions: StoreFixture.definitions)
        let job = try #require(try store.job())
        #expect(job.creationTimeMs == 1_000)  // the first start's
        #expect(job.status == "InProgress")
        #expect(job.exitCode == nil && job.failureReason == nil && job.endTimeMs == nil)
        #expect(try store.sampleCount() == 3)
        #expect(try store.transitions().map(\.status) == ["Training"])

        try store.append(samples: [sample(0, 3, time: 3, seq: 3)], positions: [], counters: [])
        #expect(try store.lastSeq()[0] == 3)
    }

    @Test func jobLifecycleAndTransitions() throws {
        let fixture = StoreFixture()
        let store = try MetricStore(path: fixture.path)
        #expect(try store.job() == nil)
        let noJob = captureError { try store.setStartTime(5) }
        #expect(noJob?.message.contains("no job has been started") == true)

        try store.startJob(StoreFixture.job(), definitions: StoreFixture.definitions)
        #expect(try store.definitions().map(\.name) == StoreFixture.definitions.map(\.name))
        #expect(try store.definitions().map(\.regex) == StoreFixture.definitions.map(\.regex))
        try store.recordTransition(status: "Starting", timeMs: 1_000, message: "Preparing the instances")
        try store.recordTransition(status: "Starting", timeMs: 1_100, message: "Launching")
        try store.setStartTime(1_200)
        try store.recordTransition(status: "Training", timeMs: 1_200, message: nil)
        try store.finishJob(status: "Completed", secondaryStatus: "Completed", failureReason: nil, exitCode: 0,
                            endTimeMs: 3_000)

        #expect(try store.transitions() == [
            StatusTransition(status: "Starting", startTimeMs: 1_000, endTimeMs: 1_200, message: "Launching"),
            StatusTransition(status: "Training", startTimeMs: 1_200, endTimeMs: 3_000, message: nil),
        ])
        var expected = StoreFixture.job()
        expected.status = "Completed"
        expected.secondaryStatus = "Completed"
        expected.startTimeMs = 1_200
        expected.endTimeMs = 3_000
        expected.exitCode = 0
        #expect(try store.job() == expected)
    }

    @Test func anotherJobNameOrChangedDefinitionsAreRefused() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        let other = try #require(captureError {
            try store.startJob(StoreFixture.job(name: "job-b"), definitions: StoreFixture.definitions)
        })
        #expect(other.description.contains(#"holds training job "job-a", not "job-b""#))
        #expect(other.description.contains(fixture.path))

        let changed = captureError {
            try store.startJob(StoreFixture.job(), definitions: [("train:loss", "loss=(\\S+)")])
        }
        #expect(changed?.message.contains("different metric definitions") == true)
        #expect(try store.job()?.name == "job-a")
    }

    @Test func appendRunsAsOneTransaction() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        final class Log { var lines: [String] = [] }
        let log = Log()
        store.traceSQL { log.lines.append($0) }
        let count = MetricStore.rowsPerInsert * 2 + 5   // two full multi-row statements and a short one
        let samples = (1...Int64(count)).map { sample(Int($0 % 3), Double($0), time: $0, seq: $0) }
        try store.append(samples: samples, positions: [SourcePosition(source: "stdout", byteOffset: 1, line: 1)],
                         counters: [CounterDelta(name: "lines", labels: "", delta: 1)])
        store.traceSQL(nil)

        #expect(log.lines.first == "BEGIN IMMEDIATE")
        #expect(log.lines.last == "COMMIT")
        #expect(log.lines.filter { $0.hasPrefix("BEGIN") }.count == 1)
        #expect(log.lines.filter { $0 == "COMMIT" }.count == 1)
        #expect(log.lines.filter { $0.hasPrefix("INSERT INTO sample") }.count == 3)
        // BEGIN, position, counter, metric states, 3 inserts, one update per metric, COMMIT.
        #expect(log.lines.filter { $0.hasPrefix("UPDATE metric") }.count == 3)
        #expect(log.lines.count == 11)
        #expect(try store.sampleCount() == Int64(count))
    }

    @Test func nestedIterationOverTheSameQuery() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        try store.append(samples: [sample(0, 1, time: 1, seq: 1), sample(0, 2, time: 2, seq: 2)],
                         positions: [], counters: [])
        var pairs = 0
        try store.forEachSample(metricName: nil) { _ in
            try store.forEachSample(metricName: nil) { _ in pairs += 1 }
        }
        #expect(pairs == 4)
    }

    @Test func readOnlyStoreReadsAndRefusesWrites() throws {
        let fixture = StoreFixture()
        do {
            let writer = try fixture.startedStore()
            try writer.append(samples: [sample(0, 1, time: 1, seq: 1)], positions: [], counters: [])
        }
        // The writer closed cleanly, removing -wal and -shm; a reader must still open.
        let reader = try MetricStore.openReadOnly(path: fixture.path)
        #expect(try reader.job()?.name == "job-a")
        #expect(try reader.snapshot { () throws(SQLiteError) in try reader.sampleCount() } == 1)
        let error = captureError { try reader.setStartTime(1) }
        #expect(error?.code == SQLITE_READONLY)
    }
}
