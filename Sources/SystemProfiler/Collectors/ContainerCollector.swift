/// CPU and memory of the sampler's own cgroup, measured against the container's quota and limit
/// rather than the host's cores and memory (what node_exporter does not do: node_exporter#1006).
///
/// cgroup v2 when the process's v2 cgroup has the files, else v1 (a hybrid host keeps its
/// controllers on v1). The records are trainscope's, not SageMaker's (Type `container`):
/// - `CPUUtilization`: CPU time used over the interval, in percent of the limit (the quota, or
///   every host core when there is none); 100 means the container used all it may.
/// - `CPULimitCores`: that limit, in cores.
/// - `CPUSecondsTotal`: the cgroup's CPU time counter, in seconds.
/// - `MemoryUsedBytes`: the working set, usage less inactive file cache (what the OOM killer will not
///   reclaim first; the figure cAdvisor and `kubectl top` report).
/// - `MemoryLimitBytes`: the limit, or the host's MemTotal when there is none.
/// - `MemoryUtilization`: used over limit, in percent.
public final class ContainerCollector: Collector {
    public let name = "container"

    enum Source {
        case v2(CgroupV2.Reader)
        case v1(CgroupV1.Reader)
    }

    private let source: Source
    private let hostCores: Int
    private let hostMemoryBytes: UInt64
    private var previous = Previous<UInt64>()

    /// Where the cgroup was found, for the notice that says which one is measured.
    public let location: String

    /// Finds the cgroup of `pid` (default: this process) under `cgroupRoot`; nil when neither a v2
    /// nor a v1 cgroup with CPU or memory files is there (a notice then says so).
    public init?(procRoot: String, cgroupRoot: String, pid: String = "self") throws {
        let cgroup = try ProcPIDCgroup.read(procRoot: procRoot, pid: pid)
        let v1 = CgroupV1.locate(cgroup, cgroupRoot: cgroupRoot)
        if let directory = CgroupV2.locate(cgroup, cgroupRoot: cgroupRoot), v1.isEmpty {
            source = .v2(CgroupV2.Reader(directory: directory))
            location = "cgroup v2 \(directory)"
        } else if !v1.isEmpty {
            source = .v1(CgroupV1.Reader(directories: v1))
            location = "cgroup v1 " + [v1.cpu, v1.cpuacct, v1.memory].compactMap { $0 }.joined(separator: ", ")
        } else {
            return nil
        }
        hostCores = max(1, try ProcStat.read(procRoot: procRoot).cores.count)
        hostMemoryBytes = try Meminfo.read(procRoot: procRoot).memTotal ?? 0
    }

    public func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        var usageNanoseconds: UInt64?
        var limitCores: Double?
        var memoryUsed: UInt64?
        var memoryLimit: UInt64?
        switch source {
        case .v2(let reader):
            let s = try reader.read()
            usageNanoseconds = s.cpuStat?["usage_usec"].map { $0 &* 1000 }
            limitCores = s.cpuMax?.limitCores
            if let current = s.memoryCurrent {
                memoryUsed = current - min(current, s.memoryStat?["inactive_file"] ?? 0)
            }
            memoryLimit = s.memoryMax
        case .v1(let reader):
            let s = try reader.read()
            usageNanoseconds = s.cpuUsageNanoseconds
            limitCores = s.limitCores
            if let usage = s.memoryUsage {
                memoryUsed = usage - min(usage, s.memoryStat?["total_inactive_file"] ?? 0)
            }
            memoryLimit = s.memoryLimit
        }
        let cores = limitCores ?? Double(hostCores)
        if let usage = usageNanoseconds {
            if let (old, seconds) = previous.advance(to: usage, at: context.monotonicNanoseconds) {
                let used = Double(delta(usage, old)) / 1e9 / seconds
                records.append(record("CPUUtilization", used / cores * 100))
            }
            records.append(record("CPULimitCores", cores))
            records.append(record("CPUSecondsTotal", Double(usage) / 1e9))
        }
        if let used = memoryUsed {
            let limit = min(memoryLimit ?? hostMemoryBytes, hostMemoryBytes == 0 ? .max : hostMemoryBytes)
            records.append(record("MemoryUsedBytes", Double(used)))
            records.append(record("MemoryLimitBytes", Double(limit)))
            records.append(record("MemoryUtilization", percent(used, limit)))
        }
    }

    private func record(_ name: String, _ value: Double) -> SystemRecord {
        SystemRecord(type: "container", name: name, dimension: "", value: value, smdebug: false)
    }
}
