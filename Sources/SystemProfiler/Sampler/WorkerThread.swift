#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread for a loop that must not share a cooperative pool with async work: the
/// sampler's ticks (latency) and the store writer (blocking SQLite calls).
final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private var joined = false

    private final class Box {
        let name: String
        let body: () -> Void
        init(name: String, body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts `body` on a new thread; `name` only appears in a failure message.
    init(name: String, _ body: @escaping () -> Void) {
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(rc == 0, """
            pthread_create failed (\(rc)): the process cannot start the thread \(name); it is out of \
            threads or memory
            """)
    }

    /// Waits for the body to return; later calls return at once.
    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }
}

/// CPU time the calling thread has used, in seconds.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
