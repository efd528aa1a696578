/// SageMaker's CloudWatch instance metrics (namespace /aws/sagemaker/TrainingJobs), derived from a
/// sample's other records and appended as trainscope records of Type `instance`, Dimension `""`:
/// - `CPUUtilization`: the sum of the per-core utilizations (0–100 × cores);
/// - `MemoryUtilization`: the container's memory in use over its limit when the container collector
///   runs, else the host's MemoryUsedPercent;
/// - `GPUUtilization`, `GPUMemoryUtilization`: sums over GPUs (0–100 × GPUs), when there are GPUs;
/// - `DiskUtilization` comes from the disk collector itself (a file system's use).
public enum InstanceMetrics {
    public static func append(into records: inout [SystemRecord]) {
        var cpu = 0.0, cores = 0
        var gpu = 0.0, gpuMemory = 0.0, gpus = 0
        var hostMemory: Double?, containerMemory: Double?
        for r in records {
            switch (r.type, r.dimension) {
            case ("cpu", "CPUUtilization"): cpu += r.value; cores += 1
            case ("gpu", "GPUUtilization"): gpu += r.value; gpus += 1
            case ("gpu", "GPUMemoryUtilization"): gpuMemory += r.value
            case ("memory", "") where r.name == "MemoryUsedPercent": hostMemory = r.value
            case ("container", "") where r.name == "MemoryUtilization": containerMemory = r.value
            default: break
            }
        }
        func add(_ name: String, _ value: Double) {
            records.append(SystemRecord(type: "instance", name: name, dimension: "", value: value, smdebug: false))
        }
        if cores > 0 { add("CPUUtilization", cpu) }
        if let memory = containerMemory ?? hostMemory { add("MemoryUtilization", memory) }
        if gpus > 0 {
            add("GPUUtilization", gpu)
            add("GPUMemoryUtilization", gpuMemory)
        }
    }
}
