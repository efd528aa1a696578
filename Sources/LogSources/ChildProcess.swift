#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSpawnShims

/// The training process, started with posix_spawn so that its stdout and stderr are pipes this process
/// reads, in a process group of its own so a forwarded signal reaches its whole tree (data-loader
/// workers included) exactly once, even when the terminal also signalled trainscope.
public final class ChildProcess: @unchecked Sendable {
    public struct SpawnError: Error, Sendable, CustomStringConvertible {
        public let command: String
        public let code: Int32
        /// The exit status a shell would give: 127 when the command is not found, 126 when it cannot run.
        public var exitStatus: Int32 { code == ENOENT ? 127 : 126 }
        public var description: String {
            code == ENOENT ? "\(command): command not found"
                : "\(command): cannot execute: \(String(cString: strerror(code)))"
        }
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        /// The status trainscope itself exits with: the child's code, or 128+N for signal N.
        public var exitStatus: Int32 {
            switch self {
            case .exited(let c): c
            case .signaled(let s): 128 + s
            }
        }
    }

    public let pid: pid_t
    /// Read ends of the child's stdout and stderr.
    public let stdoutFD: Int32
    public let stderrFD: Int32

    /// Starts `arguments[0]` (looked up in PATH) with `environment` as its whole environment.
    public init(arguments: [String], environment: [String]) throws(SpawnError) {
        precondition(!arguments.isEmpty, "ChildProcess needs a command")
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw SpawnError(command: arguments[0], code: errno) }
        guard pipe(&errPipe) == 0 else {
            let e = errno; close(outPipe[0]); close(outPipe[1])
            throw SpawnError(command: arguments[0], code: e)
        }
        // Our read ends must not leak into the child (it would never see EOF on its own pipes otherwise).
        _ = fcntl(outPipe[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(errPipe[0], F_SETFD, FD_CLOEXEC)
        #if os(Linux)
        // A 1 MiB pipe (F_SETPIPE_SZ) lets a burst of output land in one read instead of sixteen,
        // and gives the child more room before a write would ever wait on us. Best effort: the
        // system limit (/proc/sys/fs/pipe-max-size) may refuse it, and 64 KiB still works.
        _ = fcntl(outPipe[1], 1031, Int32(1 << 20))
        _ = fcntl(errPipe[1], 1031, Int32(1 << 20))
        #endif

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[1])
        posix_spawn_file_actions_addclose(&actions, errPipe[1])

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // trainscope blocks and ignores signals for its own handling; the child starts with defaults.
        var empty = sigset_t(); sigemptyset(&empty)
        var defaults = sigset_t(); sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        // The child gets stdin and its two pipes and nothing else, as with Python's subprocess: NIO
        // opens its listening socket and epoll descriptors without FD_CLOEXEC, and an orphaned child
        // holding them would keep the metrics port bound after trainscope is gone. closefrom in the
        // spawn itself has no window in which another thread's new descriptor could slip through.
        if cspawn_addclosefrom(&actions, 3) != 0 { Self.markCloseOnExecAboveStderr() }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, arguments[0], &actions, &attributes, &argv, &envp)
        close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw SpawnError(command: arguments[0], code: rc)
        }
        pid = child
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
    }

    /// The fallback where the C library has no closefrom action: trainscope execs nothing else, so
    /// marking all of its descriptors close-on-exec costs it nothing.
    static func markCloseOnExecAboveStderr() {
        #if os(Linux)
        guard let dir = opendir("/proc/self/fd") else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
        #endif
    }

    /// Sends `signal` to the child's process group (falling back to the child alone).
    public func send(_ signal: Int32) {
        if kill(-pid, signal) != 0 { _ = kill(pid, signal) }
    }

    /// Blocks until the child exits.
    public func wait() -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(255) }
        }
        let low = status & 0x7f
        if low == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(low)
    }

    /// The environment for the child: ours, then the job's `Environment` (which wins), then
    /// `PYTHONUNBUFFERED=1` unless someone set it, because a block-buffered stdout is the first reason
    /// metrics "never show up".
    public static func environment(base: [String: String], job: [(key: String, value: String)]) -> [String] {
        var merged = base
        for (k, v) in job { merged[k] = v }
        if merged["PYTHONUNBUFFERED"] == nil { merged["PYTHONUNBUFFERED"] = "1" }
        return merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }
    }
}
