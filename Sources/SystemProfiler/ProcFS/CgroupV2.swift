#if canImport(Glibc)
import Glibc
#endif

/// cgroup v2 interface files (Documentation/admin-guide/cgroup-v2.rst) of one cgroup directory.
public enum CgroupV2 {
    /// `cpu.max`: `$MAX $PERIOD`, where `$MAX` is `max` for no limit.
    public struct CPUMax: Sendable, Equatable {
        public var quotaMicroseconds: UInt64?
        public var periodMicroseconds: UInt64

        /// The quota in CPUs (1.5 = one and a half cores); nil without a quota.
        public var limitCores: Double? {
            guard let quota = quotaMicroseconds, periodMicroseconds > 0 else { return nil }
            return Double(quota) / Double(periodMicroseconds)
        }
    }

    public static func parseCPUMax(_ bytes: [UInt8], path: String = "cpu.max") throws(ProcFSError) -> CPUMax {
        let text = ByteText(bytes)
        let f = text.fields(0..<bytes.count)
        guard f.count == 2 || f.count == 1 else { throw .malformed(path, line: 1, "expected '$MAX $PERIOD'") }
        // A period left out means the default, 100000 µs (the kernel accepts "$MAX" alone on write).
        let period = f.count == 2 ? text.uint64(f[1]) : 100_000
        guard let period, period > 0 else { throw .malformed(path, line: 1, "bad period") }
        if text.equals(f[0], "max") { return CPUMax(quotaMicroseconds: nil, periodMicroseconds: period) }
        guard let quota = text.uint64(f[0]) else {
            throw .malformed(path, line: 1, "bad quota \(text.string(f[0]).debugDescription)")
        }
        return CPUMax(quotaMicroseconds: quota, periodMicroseconds: period)
    }

    /// `cpu.stat`: `usage_usec`, `user_usec`, `system_usec`, and with the cpu controller enabled
    /// `nr_periods`, `nr_throttled`, `throttled_usec`, … (flat keyed).
    public static func parseCPUStat(_ bytes: [UInt8], path: String = "cpu.stat") throws(ProcFSError) -> FlatKeyed {
        let stat = try FlatKeyed.parse(bytes, path: path)
        guard stat["usage_usec"] != nil else { throw .malformed(path, "no usage_usec") }
        return stat
    }

    /// `memory.current`: bytes in use by the cgroup and its descendants.
    public static func parseMemoryCurrent(_ bytes: [UInt8], path: String = "memory.current") throws(ProcFSError) -> UInt64 {
        try FlatKeyed.parseSingle(bytes, path: path)
    }

    /// `memory.max`: the hard limit in bytes; nil for `max`.
    public static func parseMemoryMax(_ bytes: [UInt8], path: String = "memory.max") throws(ProcFSError) -> UInt64? {
        let text = ByteText(bytes)
        let f = text.fields(0..<bytes.count)
        if f.count == 1 && text.equals(f[0], "max") { return nil }
        return try FlatKeyed.parseSingle(bytes, path: path)
    }

    /// `memory.stat` (flat keyed; `anon`, `file`, `inactive_file`, … in bytes).
    public static func parseMemoryStat(_ bytes: [UInt8], path: String = "memory.stat") throws(ProcFSError) -> FlatKeyed {
        try FlatKeyed.parse(bytes, path: path)
    }

    /// One reading of the files the container collector uses; nil where the file does not exist
    /// (the root cgroup has no cpu.max or memory.*, and a controller may not be enabled).
    public struct Snapshot: Sendable, Equatable {
        public var cpuMax: CPUMax?
        public var cpuStat: FlatKeyed?
        public var memoryCurrent: UInt64?
        /// nil when there is no limit (`max`) or no file.
        public var memoryMax: UInt64?
        public var memoryStat: FlatKeyed?
    }

    /// Reads `directory`'s files, keeping them open between reads. The set of files is fixed at
    /// the first read: one present then and failing later is an error, not an absence.
    public final class Reader {
        public let directory: String
        private var files: [String: CachedKernelFile]?

        static let names = ["cpu.max", "cpu.stat", "memory.current", "memory.max", "memory.stat"]

        public init(directory: String) {
            self.directory = directory
        }

        public func read() throws(ProcFSError) -> Snapshot {
            if files == nil {
                var found: [String: CachedKernelFile] = [:]
                for name in Self.names where access("\(directory)/\(name)", F_OK) == 0 {
                    found[name] = CachedKernelFile(path: "\(directory)/\(name)")
                }
                guard found["cpu.stat"] != nil || found["memory.current"] != nil else {
                    throw ProcFSError(.read(errno: ENOENT), path: directory, "neither cpu.stat nor memory.current in the cgroup")
                }
                files = found
            }
            let files = self.files!
            var s = Snapshot()
            if let f = files["cpu.max"] { s.cpuMax = try parseCPUMax(f.read(), path: f.path) }
            if let f = files["cpu.stat"] { s.cpuStat = try parseCPUStat(f.read(), path: f.path) }
            if let f = files["memory.current"] { s.memoryCurrent = try parseMemoryCurrent(f.read(), path: f.path) }
            if let f = files["memory.max"] { s.memoryMax = try parseMemoryMax(f.read(), path: f.path) }
            if let f = files["memory.stat"] { s.memoryStat = try parseMemoryStat(f.read(), path: f.path) }
            return s
        }
    }

    /// The directory of the process's v2 cgroup under `cgroupRoot` (normally /sys/fs/cgroup), or
    /// nil when the host has no v2 hierarchy with the files the collector reads.
    ///
    /// The path in /proc/self/cgroup is relative to the hierarchy's root, but a container usually
    /// sees its own cgroup mounted *as* the root (cgroup namespace or bind mount), so the path is
    /// tried under the root first and then the root itself. On a hybrid host the v2 hierarchy is
    /// mounted at `<root>/unified`.
    public static func locate(_ cgroup: ProcPIDCgroup, cgroupRoot: String) -> String? {
        guard let path = cgroup.unifiedPath else { return nil }
        let relative = path == "/" ? "" : path
        for base in [cgroupRoot, "\(cgroupRoot)/unified"] {
            for directory in ["\(base)\(relative)", base] where hasCollectorFiles(directory) {
                return directory
            }
        }
        return nil
    }

    static func hasCollectorFiles(_ directory: String) -> Bool {
        access("\(directory)/memory.current", F_OK) == 0 || access("\(directory)/cpu.max", F_OK) == 0
    }
}
