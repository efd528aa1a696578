#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Lets a reader that has caught up sleep until a writer has more, without polling in a tight loop
/// and without losing a wake-up that happens between "nothing to read" and "wait".
public final class Wakeup: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var generation: UInt64 = 0

    public init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }
    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    /// The current generation; pass it to `wait(after:)`.
    public var current: UInt64 {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return generation
    }

    public func signal() {
        pthread_mutex_lock(&mutex)
        generation &+= 1
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
    }

    /// Waits until a signal after `seen`, or `timeoutMs` at most.
    public func wait(after seen: UInt64, timeoutMs: Int) {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        guard generation == seen else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var deadline = now
        let ns = Int(now.tv_nsec) + (timeoutMs % 1000) * 1_000_000
        deadline.tv_sec += timeoutMs / 1000 + ns / 1_000_000_000
        deadline.tv_nsec = ns % 1_000_000_000
        _ = pthread_cond_timedwait(&cond, &mutex, &deadline)
    }
}
