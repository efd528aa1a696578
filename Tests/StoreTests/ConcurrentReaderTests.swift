import Foundation
import Store
import Testing
import TrainScopeTesting

/// What the reader thread saw, handed back to the test's thread.
private final class Observations: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int64] = []
    private var failure: String?
    private var writerDone = false

    func record(_ count: Int64) { lock.withLock { counts.append(count) } }
    func fail(_ error: any Error) { lock.withLock { failure = "\(error)" } }
    func finishWriting() { lock.withLock { writerDone = true } }
    var isWriterDone: Bool { lock.withLock { writerDone } }
    var snapshot: (counts: [Int64], failure: String?) { lock.withLock { (counts, failure) } }
}

@Suite struct ConcurrentReaderTests {
    /// A read-only store on another thread reads while the writer appends, and only ever sees whole
    /// batches: WAL readers see the last commit, never a transaction in progress.
    @Test func readerSeesWholeBatchesWhileWriterAppends() throws {
        let fixture = StoreFixture()
        let writer = try fixture.startedStore()
        let batch = 200, batches = 40
        func append(_ b: Int) throws {
            let samples = (0..<batch).map { i in
                sample(i % 3, Double(i), time: Int64(b * batch + i), seq: Int64(b * batch + i))
            }
            try writer.append(samples: samples,
                              positions: [SourcePosition(source: "stdout", byteOffset: Int64(b), line: Int64(b))],
                              counters: [])
        }
        try append(0)

        let observations = Observations()
        let path = fixture.path
        let finished = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { finished.signal() }
            do {
                let reader = try MetricStore.openReadOnly(path: path)
                observations.record(try reader.sampleCount())
                started.signal()
                var done = false
                while !done {
                    done = observations.isWriterDone  // read once more after the writer's last commit
                    observations.record(try reader.sampleCount())
                    // A multi-query snapshot agrees with itself mid-write.
                    let (count, streamed) = try reader.snapshot { () throws(SQLiteError) in
                        (try reader.sampleCount(), try reader.position(source: "stdout")?.line ?? -1)
                    }
                    if count != (streamed + 1) * Int64(batch) {
                        throw SQLiteError(extendedCode: 1, message: "snapshot mismatch: \(count) vs \(streamed)")
                    }
                }
            } catch {
                observations.fail(error)
                started.signal()
            }
        }
        thread.start()
        started.wait()
        for b in 1..<batches { try append(b) }
        observations.finishWriting()
        finished.wait()

        let (counts, failure) = observations.snapshot
        #expect(failure == nil)
        #expect(counts.allSatisfy { $0 % Int64(batch) == 0 }, "saw a partial batch: \(counts)")
        #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(counts.first == Int64(batch))
        #expect(counts.last == Int64(batch * batches))
    }
}
