import Store
import Testing
import TrainScopeTesting

/// A store in its own temporary directory; the directory lives as long as the fixture.
struct StoreFixture {
    let directory = TemporaryDirectory(prefix: "store-test")
    var path: String { directory.file("job.db") }

    static let definitions: [(name: String, regex: String)] = [
        ("train:loss", "loss=([0-9.eE+-]+)"),
        ("train:accuracy", "acc=([0-9.]+)"),
        ("validation:loss", "val_loss=([0-9.]+)"),
    ]

    static func job(name: String = "job-a", creationTimeMs: Int64 = 1_000) -> JobRecord {
        JobRecord(name: name, hostId: "algo-1", status: "InProgress", secondaryStatus: "Starting",
                  creationTimeMs: creationTimeMs, requestJSON: #"{"TrainingJobName":"\#(name)"}"#)
    }

    /// Opens the store and starts the standard job in it.
    func startedStore() throws -> MetricStore {
        let store = try MetricStore(path: path)
        try store.startJob(Self.job(), definitions: Self.definitions)
        return store
    }
}

func sample(_ metricIndex: Int, _ value: Double, time: Int64, seq: Int64, stream: LogStream = .stdout,
            line: Int64? = nil) -> MetricSample {
    MetricSample(metricIndex: metricIndex, value: value, timeMs: time, stream: stream, line: line ?? seq, seq: seq)
}

/// Bit-exact equality, except that any NaN equals any NaN (SQLite keeps no payload).
func sameBits(_ a: Double, _ b: Double) -> Bool {
    (a.isNaN && b.isNaN) || a.bitPattern == b.bitPattern
}

func sameSample(_ a: StoredSample, _ b: StoredSample) -> Bool {
    var a2 = a, b2 = b
    a2.value = 0
    b2.value = 0
    return a2 == b2 && sameBits(a.value, b.value)
}

extension MetricStore {
    func allSamples(metricName: String? = nil) throws -> [StoredSample] {
        var result: [StoredSample] = []
        try forEachSample(metricName: metricName) { result.append($0) }
        return result
    }
}

/// The `SQLiteError` a call threw, or nil when it succeeded (wrap in `#require`). Any other error
/// fails the test: the store promises to throw only `SQLiteError`.
func captureError<R>(_ body: () throws -> R) -> SQLiteError? {
    do {
        _ = try body()
        return nil
    } catch let error as SQLiteError {
        return error
    } catch {
        Issue.record("expected a SQLiteError, got \(error)")
        return nil
    }
}
