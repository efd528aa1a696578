/// Host memory from `/proc/meminfo`: SageMaker's `memory` / `MemoryUsedPercent` record, and the
/// bytes behind it for the store and /metrics.
///
/// Used memory is MemTotal − MemAvailable, the kernel's own estimate of what could be handed out
/// without swapping (psutil's `virtual_memory().percent`, which SageMaker's monitor is taken to
/// use). Type `memory` and Dimension `""` are inferred; the Name is confirmed (smdebug-formats.md C.2).
public final class MemoryCollector: Collector {
    public let name = "memory"
    private let file: CachedKernelFile

    public init(procRoot: String) {
        file = CachedKernelFile(path: "\(procRoot)/\(Meminfo.relativePath)")
    }

    public func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        let info = try Meminfo.parse(file.read(), path: file.path)
        guard let total = info.memTotal, let available = info.memAvailable else { return }
        let used = total >= available ? total - available : 0
        records.append(SystemRecord(type: "memory", name: "MemoryUsedPercent", dimension: "",
                                    value: percent(used, total), smdebug: true))
        records.append(SystemRecord(type: "memory", name: "MemoryUsedBytes", dimension: "", value: Double(used), smdebug: false))
        records.append(SystemRecord(type: "memory", name: "MemoryTotalBytes", dimension: "", value: Double(total), smdebug: false))
    }
}
