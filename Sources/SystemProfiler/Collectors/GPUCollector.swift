/// GPU utilization and memory per device through NVML: SageMaker's `gpu` records, Name `gpu<i>`
/// (NVML's device index), Dimensions `GPUUtilization` and `GPUMemoryUtilization` in percent.
///
/// `GPUUtilization` is NVML's `utilization.gpu`. `GPUMemoryUtilization` is memory in use over total
/// memory (the CloudWatch metric's "% GPU memory used"), not NVML's `utilization.memory`, which is
/// memory-bus activity; that reading of the name is inferred. The bytes behind it are trainscope's
/// records `GPUMemoryUsedBytes` and `GPUMemoryTotalBytes`.
public final class GPUCollector: Collector {
    public let name = "gpu"
    private let nvml: NVML

    public init(nvml: NVML) {
        self.nvml = nvml
    }

    /// Loads NVML from `library` (default `TRAINSCOPE_NVML_LIBRARY`, else libnvidia-ml.so.1).
    /// Throws when it cannot be loaded or initialized; returns nil when it reports no GPU.
    public convenience init?(library: String? = nil, environment: [String: String]) throws {
        let path = library ?? environment[NVML.libraryEnvironmentVariable] ?? NVML.defaultLibrary
        let nvml = try NVML(path: path)
        guard nvml.deviceCount > 0 else { return nil }
        self.init(nvml: nvml)
    }

    public var deviceCount: Int { nvml.deviceCount }

    public func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        for index in 0..<nvml.deviceCount {
            let name = "gpu\(index)"
            let utilization = try nvml.utilization(index)
            let memory = try nvml.memory(index)
            records.append(SystemRecord(type: "gpu", name: name, dimension: "GPUUtilization",
                                        value: Double(utilization.gpu), smdebug: true))
            records.append(SystemRecord(type: "gpu", name: name, dimension: "GPUMemoryUtilization",
                                        value: percent(memory.used, memory.total), smdebug: true))
            records.append(SystemRecord(type: "gpu", name: name, dimension: "GPUMemoryUsedBytes",
                                        value: Double(memory.used), smdebug: false))
            records.append(SystemRecord(type: "gpu", name: name, dimension: "GPUMemoryTotalBytes",
                                        value: Double(memory.total), smdebug: false))
        }
    }

    public func close() { nvml.shutdown() }
}
