import CSQLite
import Testing
import TrainScopeTesting
@testable import Store

/// A database written by an older build is brought up to date on open, keeping what it holds.
@Suite struct MigrationTests {
    /// A v3 database (samples keyed by metric and seq) with samples, NaN and -0.0 among them, opened by
    /// this build: the samples move to the append-only table, each metric's last sample and count
    /// land on its row, and appending goes on from there.
    @Test func version3SamplesMoveToTheAppendOnlyTable() throws {
        let fixture = StoreFixture()
        let old = try SQLiteConnection(path: fixture.path, mode: .readWrite)
        for step in Schema.migrations where step.version <= 3 {
            try old.execute(step.sql)
        }
        try old.execute("PRAGMA user_version = 3")
        try old.execute("""
            INSERT INTO job (id, name, host_id, status, secondary_status, creation_time_ms, request_json)
                VALUES (1, 'job-a', 'algo-1', 'InProgress', 'Training', 1000, '{"TrainingJobName":"job-a"}');
            INSERT INTO metric (id, name, definition_index, regex) VALUES
                (0, 'train:loss', 0, 'loss=([0-9.eE+-]+)'), (1, 'train:accuracy', 1, 'acc=([0-9.]+)'),
                (2, 'validation:loss', 2, 'val_loss=([0-9.]+)');
            INSERT INTO source (id, name) VALUES (1, '/logs/a.log');
            INSERT INTO sample (metric_id, seq, time_ms, value, is_nan, stream, line, source_id) VALUES
                (0, 2, 20, -0.0, 0, 1, 4, 1), (0, 1, 10, 0.5, 0, 1, 2, 1), (0, 3, 15, NULL, 1, 2, 9, 1),
                (2, 1, 30, 7.25, 0, 1, 11, NULL);
            """)

        let store = try MetricStore(path: fixture.path)
        #expect(try Migrator.userVersion(store.connection) == Migrator.latestVersion)
        #expect(try store.sampleCount() == 4)
        #expect(try store.lastSeq() == [0: 3, 2: 1])
        let final = try store.finalMetrics()
        #expect(final.map(\.name) == ["train:loss", "validation:loss"])
        #expect(final[0].value.isNaN && final[0].timeMs == 15)
        #expect(final[1].value == 7.25)
        let all = try store.allSamples()
        #expect(all.map(\.seq) == [1, 3, 2, 1])   // time order: 10, 15, 20, 30
        #expect(all[2].value.sign == .minus && all[2].value == 0)
        #expect(all.map(\.source) == ["/logs/a.log", "/logs/a.log", "/logs/a.log", nil])

        // Appending resumes after the migrated last seqs, and refuses what is already there.
        #expect(captureError { try store.append(samples: [sample(0, 1, time: 40, seq: 3)], positions: [], counters: []) }?.code
                == SQLITE_CONSTRAINT)
        try store.append(samples: [sample(0, 0.25, time: 40, seq: 4), sample(1, 0.9, time: 40, seq: 1)], positions: [], counters: [])
        #expect(try store.lastSeq() == [0: 4, 1: 1, 2: 1])
        #expect(try store.sampleCount() == 6)
    }
}
