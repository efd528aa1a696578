#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Sleeps until something happens to the followed files, so an idle `tail` costs next to nothing:
/// inotify on the folders that hold them (a folder, not the file, sees renames, creations and a
/// switched symlink), and a periodic look as the fallback where inotify is missing or blind
/// (network file systems). `wake()` interrupts a wait from another thread (a stop request).
public final class FileWatcher: @unchecked Sendable {
    private let inotifyFD: Int32
    /// A pipe: `wake()` writes to the end the waits do not poll.
    private let wakeFD: Int32
    private let wakeWriteFD: Int32
    private let watched = Mutex<Set<String>>([])
    /// Descriptors whose readability also ends a wait (standard input).
    private let readable = Mutex<[Int32]>([])
    /// Wake-ups that came from inotify events, for tests and the idle benchmark.
    public let events = Atomic<Int64>(0)

    public init() {
        #if os(Linux)
        inotifyFD = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        #else
        inotifyFD = -1
        #endif
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for fd in ends {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        wakeFD = ends[0]
        wakeWriteFD = ends[1]
    }

    deinit {
        if inotifyFD >= 0 { close(inotifyFD) }
        if wakeFD >= 0 { close(wakeFD); close(wakeWriteFD) }
    }

    /// Whether inotify is there; without it, waits last their whole timeout.
    public var isEventDriven: Bool { inotifyFD >= 0 }

    /// Watches the folder of `path`, and of its symlink target when it is a link (as under
    /// /var/log/containers, whose links point into /var/log/pods).
    public func watch(path: String) {
        var folders = [Self.folder(of: path)]
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if let resolved = realpath(path, &buffer) {
            folders.append(Self.folder(of: String(cString: resolved)))
        }
        for folder in folders { add(folder) }
    }

    private func add(_ folder: String) {
        #if os(Linux)
        guard inotifyFD >= 0 else { return }
        let isNew = watched.withLock { $0.insert(folder).inserted }
        guard isNew else { return }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB)
        _ = inotify_add_watch(inotifyFD, folder, mask)
        #endif
    }

    /// Ends waits when `fd` has data (or reached its end).
    public func watch(fd: Int32) {
        readable.withLock { $0.append(fd) }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// Waits for a change, a `wake()`, or `timeoutMs`.
    public func wait(timeoutMs: Int) {
        var fds: [pollfd] = []
        if inotifyFD >= 0 { fds.append(pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)) }
        if wakeFD >= 0 { fds.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)) }
        for fd in readable.withLock({ $0 }) { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        if fds.isEmpty { usleep(UInt32(timeoutMs) * 1000); return }
        let n = poll(&fds, nfds_t(fds.count), Int32(timeoutMs))
        guard n > 0 else { return }
        // Drain both so the next wait sleeps again; the events themselves are not needed: every
        // source looks at its own file after a wake-up.
        var buffer = [UInt8](repeating: 0, count: 4096)
        if inotifyFD >= 0, fds[0].revents != 0 {
            while buffer.withUnsafeMutableBytes({ read(inotifyFD, $0.baseAddress, $0.count) }) > 0 {}
            events.add(1, ordering: .relaxed)
        }
        if wakeFD >= 0 {
            while buffer.withUnsafeMutableBytes({ read(wakeFD, $0.baseAddress, $0.count) }) > 0 {}
        }
    }

    public func wake() {
        guard wakeWriteFD >= 0 else { return }
        var one: UInt8 = 1
        _ = write(wakeWriteFD, &one, 1)
    }
}
