#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock milliseconds since the epoch. Injected wherever a time is recorded, so tests pin it.
public typealias MillisecondClock = @Sendable () -> Int64

public enum SystemClock {
    public static let milliseconds: MillisecondClock = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
