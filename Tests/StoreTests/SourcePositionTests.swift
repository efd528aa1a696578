import Store
import Testing

/// Followed files: sources get stable ids, and a position keeps the identity of the file it is in.
@Suite struct SourcePositionTests {
    @Test func sourcesGetStableIDs() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        let a = try store.sourceID(name: "/logs/a.log")
        let b = try store.sourceID(name: "/logs/b.log")
        #expect(a != b)
        #expect(try store.sourceID(name: "/logs/a.log") == a)
        let reopened = try MetricStore(path: fixture.path)
        #expect(try reopened.sourceID(name: "/logs/b.log") == b)
    }

    @Test func positionKeepsFileIdentityBitExactly() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        let id = try store.sourceID(name: "/logs/a.log")
        let file = FileIdentityRecord(device: UInt64.max - 3, inode: 1 << 63, fingerprint: 0xDEAD_BEEF_0000_FFFF,
                                      fingerprintLength: 1024, modifiedNs: 1_795_000_000_123_456_789)
        var s = sample(0, 0.5, time: 1, seq: 1)
        s.sourceID = id
        try store.append(samples: [s], positions: [SourcePosition(source: "/logs/a.log", byteOffset: 4096, line: 40, file: file)],
                         counters: [])
        let back = try #require(try store.position(source: "/logs/a.log"))
        #expect(back.file == file && back.byteOffset == 4096 && back.line == 40)
        // Pending partial records round-trip as bytes.
        try store.append(samples: [], positions: [SourcePosition(source: "/logs/a.log", byteOffset: 5000, line: 41, file: file,
                                                                 pending: [0, 1, 255, 10])], counters: [])
        #expect(try store.position(source: "/logs/a.log")?.pending == [0, 1, 255, 10])
        // A position without a file (a run's spool) reads back without one.
        try store.append(samples: [], positions: [SourcePosition(source: "stdout", byteOffset: 9, line: 1)], counters: [])
        #expect(try store.position(source: "stdout")?.file == nil)
    }

    @Test func aSampleForAnUnknownSourceIsRefused() throws {
        let fixture = StoreFixture()
        let store = try fixture.startedStore()
        var s = sample(0, 0.5, time: 1, seq: 1)
        s.sourceID = 999
        #expect(throws: SQLiteError.self) { try store.append(samples: [s], positions: [], counters: []) }
    }
}
