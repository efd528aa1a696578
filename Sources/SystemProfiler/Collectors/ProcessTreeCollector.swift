#if canImport(Glibc)
import Glibc
#endif

/// CPU and resident memory of one process and all its descendants (in `run`, the training
/// command's tree), from `/proc/<pid>/stat` and `/proc/<pid>/status`. trainscope's records, Type
/// `process`, Dimension `""`, Names:
/// - `CPUUtilization`: CPU time over the interval in percent of one core (200 = two busy cores);
/// - `CPUSecondsTotal`: CPU time accumulated by the tree since the collector started, in seconds;
/// - `ResidentMemoryBytes`: the sum of the processes' VmRSS (shared pages count once per process,
///   as in `ps`);
/// - `Processes`: how many processes the tree has.
///
/// Each sample scans every `/proc/<pid>/stat` for parent links. CPU is counted per process: a
/// process's time since the previous sample, or since it started if it is new. Time a process used
/// between the previous sample and its exit is not seen (it goes to its parent's `cutime` only
/// once reaped, which would count a whole life at once).
public final class ProcessTreeCollector: Collector {
    public let name = "process_tree"
    public let rootPID: Int32
    private let procRoot: String
    private let ticksPerSecond: Double
    private var previousTicks: [Int32: UInt64] = [:]
    private var previousTime: UInt64?
    private var accumulatedTicks: UInt64 = 0

    /// `ticksPerSecond` is USER_HZ (`sysconf(_SC_CLK_TCK)`, 100 on Linux); tests pass it.
    public init(procRoot: String, rootPID: Int32, ticksPerSecond: Int = Int(sysconf(Int32(_SC_CLK_TCK)))) {
        self.procRoot = procRoot
        self.rootPID = rootPID
        self.ticksPerSecond = Double(max(1, ticksPerSecond))
    }

    public struct ProcessNotFound: Error, CustomStringConvertible {
        public let pid: Int32
        public var description: String { "process \(pid) is gone" }
    }

    public func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        let stats = try scan()
        guard stats.contains(where: { $0.pid == rootPID }) else { throw ProcessNotFound(pid: rootPID) }
        var children: [Int32: [Int32]] = [:]
        var byPID: [Int32: PIDStat] = [:]
        for s in stats {
            byPID[s.pid] = s
            children[s.ppid, default: []].append(s.pid)
        }
        var tree: [Int32] = []
        var queue = [rootPID]
        var seen: Set<Int32> = []
        while let pid = queue.popLast() {
            guard seen.insert(pid).inserted else { continue }
            tree.append(pid)
            queue.append(contentsOf: children[pid] ?? [])
        }
        var ticks: [Int32: UInt64] = [:]
        var intervalTicks: UInt64 = 0
        var resident: UInt64 = 0
        for pid in tree {
            guard let s = byPID[pid] else { continue }
            let now = s.utime &+ s.stime
            ticks[pid] = now
            intervalTicks &+= delta(now, previousTicks[pid] ?? 0)
            // A process that exits between the two reads simply drops out of this sample.
            if let status = try? PIDStatus.read(procRoot: procRoot, pid: pid) { resident &+= status.residentBytes ?? 0 }
        }
        let firstSample = previousTime == nil
        if !firstSample { accumulatedTicks &+= intervalTicks }
        if let last = previousTime, context.monotonicNanoseconds > last {
            let seconds = Double(context.monotonicNanoseconds - last) / 1e9
            records.append(record("CPUUtilization", Double(intervalTicks) / ticksPerSecond / seconds * 100))
        }
        previousTicks = ticks
        previousTime = context.monotonicNanoseconds
        records.append(record("CPUSecondsTotal", Double(accumulatedTicks) / ticksPerSecond))
        records.append(record("ResidentMemoryBytes", Double(resident)))
        records.append(record("Processes", Double(tree.count)))
    }

    /// Every process's stat, skipping those that vanish while the directory is read.
    private func scan() throws -> [PIDStat] {
        guard let dir = opendir(procRoot) else { throw KernelFile.openError(procRoot) }
        defer { closedir(dir) }
        var result: [PIDStat] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), pid > 0 else { continue }
            if let stat = try? PIDStat.read(procRoot: procRoot, pid: pid) { result.append(stat) }
        }
        return result
    }

    private func record(_ name: String, _ value: Double) -> SystemRecord {
        SystemRecord(type: "process", name: name, dimension: "", value: value, smdebug: false)
    }
}
