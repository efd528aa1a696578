/// Per-core CPU utilization and I/O wait from `/proc/stat`, as SageMaker's system monitor reports
/// them: Type `cpu`, Name `cpu<i>` (the kernel's core number), Dimensions `CPUUtilization` and
/// `I/OWaitPercentage`, in percent of the interval.
///
/// Utilization counts every state but idle and iowait (user, nice, system, irq, softirq, steal),
/// over all states; `I/OWaitPercentage` is iowait over all states. `CPUUtilization` is confirmed by
/// SageMaker's own test files; the `I/OWaitPercentage` name is inferred (smdebug-formats.md C.2).
public final class CPUCollector: Collector {
    public let name = "cpu"
    private let file: CachedKernelFile
    private var previous = Previous<ProcStat>()

    public init(procRoot: String) {
        file = CachedKernelFile(path: "\(procRoot)/\(ProcStat.relativePath)")
    }

    public func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        let stat = try ProcStat.parse(file.read(), path: file.path)
        guard let (old, _) = previous.advance(to: stat, at: context.monotonicNanoseconds) else { return }
        // Cores are matched by number: a core taken offline drops out, one brought online starts
        // at its next sample.
        var before: [Int: ProcStat.CPUTimes] = [:]
        for core in old.cores { before[core.index] = core.times }
        for core in stat.cores {
            guard let was = before[core.index] else { continue }
            let total = delta(core.times.total, was.total)
            let busy = delta(core.times.busy, was.busy)
            let iowait = delta(core.times.iowait, was.iowait)
            let name = "cpu\(core.index)"
            records.append(SystemRecord(type: "cpu", name: name, dimension: "CPUUtilization",
                                        value: percent(min(busy, total), total), smdebug: true))
            records.append(SystemRecord(type: "cpu", name: name, dimension: "I/OWaitPercentage",
                                        value: percent(min(iowait, total), total), smdebug: true))
        }
    }
}
