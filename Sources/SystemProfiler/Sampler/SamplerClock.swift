#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The sampler's time: a monotonic clock for the schedule, a wall clock for the records' timestamps,
/// and a sleep that a stop request cuts short. Injected so tests run the schedule without sleeping.
public protocol SamplerClock: Sendable {
    /// Monotonic nanoseconds (any origin).
    func nanoseconds() -> UInt64
    /// Wall-clock microseconds since the Unix epoch.
    func wallMicroseconds() -> Int64
    /// Returns at `deadline` (monotonic nanoseconds) or as soon as `stop` is requested; true when
    /// stopped.
    func sleep(until deadline: UInt64, stop: StopSignal) -> Bool
}

/// CLOCK_MONOTONIC and CLOCK_REALTIME; sleeps on the stop signal's condition variable.
public struct SystemSamplerClock: SamplerClock {
    public init() {}

    public func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public func wallMicroseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    public func sleep(until deadline: UInt64, stop: StopSignal) -> Bool {
        stop.wait(untilMonotonic: deadline)
    }
}

/// A clock that moves only when told: `sleep(until:)` jumps to the deadline at once, and a test
/// makes a tick late with `advance(by:)` (from inside a collector, say). The wall clock is
/// `wallStart` plus the monotonic time elapsed.
public final class ManualSamplerClock: SamplerClock {
    private let state: Mutex<UInt64>
    public let wallStartMicroseconds: Int64

    public init(wallStartMicroseconds: Int64 = 1_700_000_000_000_000, nanoseconds: UInt64 = 1_000_000_000) {
        state = Mutex(nanoseconds)
        self.wallStartMicroseconds = wallStartMicroseconds - Int64(nanoseconds / 1000)
    }

    public func nanoseconds() -> UInt64 { state.withLock { $0 } }

    public func wallMicroseconds() -> Int64 { wallStartMicroseconds + Int64(nanoseconds() / 1000) }

    public func advance(by nanoseconds: UInt64) { state.withLock { $0 += nanoseconds } }

    public func sleep(until deadline: UInt64, stop: StopSignal) -> Bool {
        if stop.isRequested { return true }
        state.withLock { $0 = max($0, deadline) }
        return stop.isRequested
    }
}

/// A stop request the sampler's thread can sleep on: `wait(untilMonotonic:)` is a
/// `pthread_cond_timedwait` on CLOCK_MONOTONIC, so a wall-clock step (NTP) moves no deadline, and
/// `request()` wakes the sleeper at once.
public final class StopSignal: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var requested = false

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public var isRequested: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return requested
    }

    public func request() {
        pthread_mutex_lock(mutex)
        requested = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps until the monotonic `deadline` (nanoseconds) or a request; true when requested.
    public func wait(untilMonotonic deadline: UInt64) -> Bool {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !requested {
            let rc = pthread_cond_timedwait(condition, mutex, &ts)
            if rc == ETIMEDOUT { break }
        }
        return requested
    }
}
