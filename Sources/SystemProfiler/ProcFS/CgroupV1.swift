#if canImport(Glibc)
import Glibc
#endif

/// cgroup v1 interface files (Documentation/admin-guide/cgroup-v1/) of the cpu, cpuacct and memory
/// controllers, each of which may be mounted in a hierarchy of its own or together (`cpu,cpuacct`).
public enum CgroupV1 {
    /// A memory limit at or above this is "no limit": the kernel reports PAGE_COUNTER_MAX pages,
    /// 9223372036854771712 with 4 KiB pages, rounded down to the page size.
    public static let unlimitedMemory: UInt64 = 1 << 62

    /// `cpu.cfs_quota_us`: -1 for no quota, else microseconds per period.
    public static func parseQuota(_ bytes: [UInt8], path: String = "cpu.cfs_quota_us") throws(ProcFSError) -> Int64 {
        try FlatKeyed.parseSingleSigned(bytes, path: path)
    }

    /// A file holding one unsigned number: `cpu.cfs_period_us`, `cpuacct.usage` (ns),
    /// `memory.usage_in_bytes`, `memory.limit_in_bytes`.
    public static func parseCounter(_ bytes: [UInt8], path: String) throws(ProcFSError) -> UInt64 {
        try FlatKeyed.parseSingle(bytes, path: path)
    }

    /// `memory.stat` (flat keyed; `total_*` keys include descendants).
    public static func parseMemoryStat(_ bytes: [UInt8], path: String = "memory.stat") throws(ProcFSError) -> FlatKeyed {
        try FlatKeyed.parse(bytes, path: path)
    }

    public struct Snapshot: Sendable, Equatable {
        /// Quota and period in µs; quota nil when unlimited (-1).
        public var cfsQuotaMicroseconds: UInt64?
        public var cfsPeriodMicroseconds: UInt64?
        /// cpuacct.usage: CPU time of the cgroup's tasks, in nanoseconds.
        public var cpuUsageNanoseconds: UInt64?
        public var memoryUsage: UInt64?
        /// nil when unlimited (at or above `unlimitedMemory`).
        public var memoryLimit: UInt64?
        public var memoryStat: FlatKeyed?

        public var limitCores: Double? {
            guard let quota = cfsQuotaMicroseconds, let period = cfsPeriodMicroseconds, period > 0 else { return nil }
            return Double(quota) / Double(period)
        }
    }

    /// The controller directories found for the process; nil members were not found.
    public struct Directories: Sendable, Equatable {
        public var cpu: String?
        public var cpuacct: String?
        public var memory: String?

        public var isEmpty: Bool { cpu == nil && cpuacct == nil && memory == nil }
    }

    /// Finds each controller's directory under `cgroupRoot`: the hierarchy is mounted under its
    /// controller list (`cpu,cpuacct`) or one of its names (`cpu`, `cpuacct`, usually symlinks),
    /// and, as for v2, a container sees its own cgroup at the mount's root.
    public static func locate(_ cgroup: ProcPIDCgroup, cgroupRoot: String) -> Directories {
        func directory(_ controller: String, file: String) -> String? {
            guard let entry = cgroup.v1Entry(controller) else { return nil }
            let relative = entry.path == "/" ? "" : entry.path
            for mount in [entry.controllers.joined(separator: ","), controller] {
                let base = "\(cgroupRoot)/\(mount)"
                for candidate in ["\(base)\(relative)", base] where access("\(candidate)/\(file)", F_OK) == 0 {
                    return candidate
                }
            }
            return nil
        }
        return Directories(cpu: directory("cpu", file: "cpu.cfs_quota_us"),
                           cpuacct: directory("cpuacct", file: "cpuacct.usage"),
                           memory: directory("memory", file: "memory.usage_in_bytes"))
    }

    /// Reads the controllers' files, keeping them open between reads.
    public final class Reader {
        public let directories: Directories
        private let quota, period, usage, memoryUsage, memoryLimit, memoryStat: CachedKernelFile?

        public init(directories: Directories) {
            self.directories = directories
            func file(_ directory: String?, _ name: String) -> CachedKernelFile? {
                directory.map { CachedKernelFile(path: "\($0)/\(name)") }
            }
            quota = file(directories.cpu, "cpu.cfs_quota_us")
            period = file(directories.cpu, "cpu.cfs_period_us")
            usage = file(directories.cpuacct, "cpuacct.usage")
            memoryUsage = file(directories.memory, "memory.usage_in_bytes")
            memoryLimit = file(directories.memory, "memory.limit_in_bytes")
            memoryStat = file(directories.memory, "memory.stat")
        }

        public func read() throws(ProcFSError) -> Snapshot {
            var s = Snapshot()
            if let f = quota {
                let q = try parseQuota(f.read(), path: f.path)
                s.cfsQuotaMicroseconds = q < 0 ? nil : UInt64(q)
            }
            if let f = period { s.cfsPeriodMicroseconds = try parseCounter(f.read(), path: f.path) }
            if let f = usage { s.cpuUsageNanoseconds = try parseCounter(f.read(), path: f.path) }
            if let f = memoryUsage { s.memoryUsage = try parseCounter(f.read(), path: f.path) }
            if let f = memoryLimit {
                let limit = try parseCounter(f.read(), path: f.path)
                s.memoryLimit = limit >= unlimitedMemory ? nil : limit
            }
            if let f = memoryStat { s.memoryStat = try parseMemoryStat(f.read(), path: f.path) }
            return s
        }
    }
}
