import Foundation
import Store

/// The job row and its status transitions are written from the supervisor, the signal handler and
/// the runtime limit; one connection behind a lock serialises them.
final class StatusRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private let store: MetricStore

    init(path: String) throws {
        store = try MetricStore(path: path)
    }

    func with<R>(_ body: (MetricStore) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(store)
    }

    func transition(_ status: String, timeMs: Int64, message: String?) {
        with { try? $0.recordTransition(status: status, timeMs: timeMs, message: message) }
    }
}
