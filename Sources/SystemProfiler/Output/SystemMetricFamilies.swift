import Exposition

/// A label put on every series (`host`, `training_job`).
public struct MetricLabel: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The Prometheus view of the latest sample and of the sampler itself, in Prometheus's naming:
/// ratios in 0–1 (SageMaker's percentages divided by 100), bytes, `_total` on counters only.
///
/// | record (Type / Name / Dimension)        | family                                         | label |
/// | --------------------------------------- | ---------------------------------------------- | ----- |
/// | cpu / cpuN / CPUUtilization             | trainscope_system_cpu_utilization_ratio        | cpu   |
/// | cpu / cpuN / I/OWaitPercentage          | trainscope_system_cpu_iowait_ratio             | cpu   |
/// | memory / MemoryUsedPercent              | trainscope_system_memory_utilization_ratio     |       |
/// | memory / MemoryUsedBytes, …TotalBytes   | trainscope_system_memory_{used,total}_bytes    |       |
/// | i/o / IOPS                              | trainscope_system_disk_operations_per_second   |       |
/// | i/o / Read…, WriteThroughputInBytes…    | trainscope_system_disk_{read,write}_bytes_per_second |  |
/// | instance / DiskUtilization              | trainscope_system_disk_utilization_ratio       |       |
/// | network / Receive…, TransmitBytes…      | trainscope_system_network_{receive,transmit}_bytes_per_second | |
/// | gpu / gpuN / GPUUtilization             | trainscope_system_gpu_utilization_ratio        | gpu (N) |
/// | gpu / gpuN / GPUMemoryUtilization       | trainscope_system_gpu_memory_utilization_ratio | gpu   |
/// | gpu / gpuN / GPUMemory{Used,Total}Bytes | trainscope_system_gpu_memory_{used,total}_bytes | gpu  |
/// | container / …                           | trainscope_container_*                         |       |
/// | process / …                             | trainscope_process_tree_*                      |       |
///
/// The instance sums (CPUUtilization over cores, GPU over devices) are left out: in PromQL they
/// are `sum()` of the per-core and per-device ratios.
public enum SystemMetricFamilies {
    struct Mapping {
        let type: String
        /// Matches the record's Dimension, or its Name when `byName`.
        let key: String
        let byName: Bool
        let family: String
        let help: String
        let kind: MetricFamily.Kind
        let scale: Double
        /// The label taken from the record's Name, with a prefix dropped (`gpu0` → `0`).
        let label: (name: String, dropPrefix: String)?
    }

    static let mappings: [Mapping] = [
        Mapping(type: "cpu", key: "CPUUtilization", byName: false, family: "trainscope_system_cpu_utilization_ratio",
                help: "Share of the last interval each CPU core was busy (not idle or waiting for I/O).",
                kind: .gauge, scale: 0.01, label: ("cpu", "")),
        Mapping(type: "cpu", key: "I/OWaitPercentage", byName: false, family: "trainscope_system_cpu_iowait_ratio",
                help: "Share of the last interval each CPU core was idle waiting for I/O.",
                kind: .gauge, scale: 0.01, label: ("cpu", "")),
        Mapping(type: "memory", key: "MemoryUsedPercent", byName: true, family: "trainscope_system_memory_utilization_ratio",
                help: "Host memory in use (MemTotal - MemAvailable) over MemTotal.", kind: .gauge, scale: 0.01, label: nil),
        Mapping(type: "memory", key: "MemoryUsedBytes", byName: true, family: "trainscope_system_memory_used_bytes",
                help: "Host memory in use (MemTotal - MemAvailable).", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "memory", key: "MemoryTotalBytes", byName: true, family: "trainscope_system_memory_total_bytes",
                help: "Host memory (MemTotal).", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "i/o", key: "IOPS", byName: true, family: "trainscope_system_disk_operations_per_second",
                help: "Reads and writes completed per second over the last interval, all physical disks.",
                kind: .gauge, scale: 1, label: nil),
        Mapping(type: "i/o", key: "ReadThroughputInBytesPerSecond", byName: true, family: "trainscope_system_disk_read_bytes_per_second",
                help: "Bytes read per second over the last interval, all physical disks.", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "i/o", key: "WriteThroughputInBytesPerSecond", byName: true, family: "trainscope_system_disk_write_bytes_per_second",
                help: "Bytes written per second over the last interval, all physical disks.", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "instance", key: "DiskUtilization", byName: true, family: "trainscope_system_disk_utilization_ratio",
                help: "Share of the ML root's file system in use, as df computes it.", kind: .gauge, scale: 0.01, label: nil),
        Mapping(type: "network", key: "ReceiveBytesPerSecond", byName: true, family: "trainscope_system_network_receive_bytes_per_second",
                help: "Bytes received per second over the last interval, all interfaces but loopback.", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "network", key: "TransmitBytesPerSecond", byName: true, family: "trainscope_system_network_transmit_bytes_per_second",
                help: "Bytes sent per second over the last interval, all interfaces but loopback.", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "gpu", key: "GPUUtilization", byName: false, family: "trainscope_system_gpu_utilization_ratio",
                help: "Share of NVML's last sample period in which a kernel ran on each GPU.", kind: .gauge, scale: 0.01, label: ("gpu", "gpu")),
        Mapping(type: "gpu", key: "GPUMemoryUtilization", byName: false, family: "trainscope_system_gpu_memory_utilization_ratio",
                help: "GPU memory in use over total GPU memory.", kind: .gauge, scale: 0.01, label: ("gpu", "gpu")),
        Mapping(type: "gpu", key: "GPUMemoryUsedBytes", byName: false, family: "trainscope_system_gpu_memory_used_bytes",
                help: "GPU memory in use.", kind: .gauge, scale: 1, label: ("gpu", "gpu")),
        Mapping(type: "gpu", key: "GPUMemoryTotalBytes", byName: false, family: "trainscope_system_gpu_memory_total_bytes",
                help: "Total GPU memory.", kind: .gauge, scale: 1, label: ("gpu", "gpu")),
        Mapping(type: "container", key: "CPUUtilization", byName: true, family: "trainscope_container_cpu_utilization_ratio",
                help: "CPU time the container used over the last interval, over its CPU limit (quota, or all host cores).",
                kind: .gauge, scale: 0.01, label: nil),
        Mapping(type: "container", key: "CPULimitCores", byName: true, family: "trainscope_container_cpu_limit_cores",
                help: "The container's CPU limit in cores: its quota, or the host's core count without one.",
                kind: .gauge, scale: 1, label: nil),
        Mapping(type: "container", key: "CPUSecondsTotal", byName: true, family: "trainscope_container_cpu_usage_seconds_total",
                help: "CPU time used by the container's cgroup.", kind: .counter, scale: 1, label: nil),
        Mapping(type: "container", key: "MemoryUsedBytes", byName: true, family: "trainscope_container_memory_working_set_bytes",
                help: "The container's memory in use less inactive file cache.", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "container", key: "MemoryLimitBytes", byName: true, family: "trainscope_container_memory_limit_bytes",
                help: "The container's memory limit, or the host's memory without one.", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "container", key: "MemoryUtilization", byName: true, family: "trainscope_container_memory_utilization_ratio",
                help: "The container's working set over its memory limit.", kind: .gauge, scale: 0.01, label: nil),
        Mapping(type: "process", key: "CPUSecondsTotal", byName: true, family: "trainscope_process_tree_cpu_seconds_total",
                help: "CPU time used by the watched process and its descendants since profiling started.",
                kind: .counter, scale: 1, label: nil),
        Mapping(type: "process", key: "ResidentMemoryBytes", byName: true, family: "trainscope_process_tree_resident_memory_bytes",
                help: "Resident memory of the watched process and its descendants (sum of VmRSS).", kind: .gauge, scale: 1, label: nil),
        Mapping(type: "process", key: "Processes", byName: true, family: "trainscope_process_tree_processes",
                help: "Processes in the watched process's tree.", kind: .gauge, scale: 1, label: nil),
    ]

    /// Families for the records of `sample`, plus the sampler's own.
    public static func families(sample: ProfilerSample?, statistics: Sampler.Statistics,
                                intervalMilliseconds: Int, labels: [MetricLabel]) -> [MetricFamily] {
        let base = labels.map { ($0.name, $0.value) }
        var families: [String: MetricFamily] = [:]
        var order: [String] = []
        for r in sample?.records ?? [] {
            guard let m = mappings.first(where: { $0.type == r.type && ($0.byName ? $0.key == r.name : $0.key == r.dimension) })
            else { continue }
            var series = base
            if let label = m.label {
                series.append((label.name, r.name.hasPrefix(label.dropPrefix) ? String(r.name.dropFirst(label.dropPrefix.count)) : r.name))
            }
            if families[m.family] == nil {
                families[m.family] = MetricFamily(name: m.family, help: m.help, kind: m.kind)
                order.append(m.family)
            }
            families[m.family]!.series.append(.init(labels: series, value: .double(r.value * m.scale)))
        }
        var result = order.map { families[$0]! }
        result += selfFamilies(statistics: statistics, sample: sample, intervalMilliseconds: intervalMilliseconds, base: base)
        return result
    }

    static func selfFamilies(statistics s: Sampler.Statistics, sample: ProfilerSample?, intervalMilliseconds: Int,
                             base: [(String, String)]) -> [MetricFamily] {
        var up = MetricFamily(name: "trainscope_profiler_collector_up",
                              help: "1 while a system-metric collector runs, 0 once it was disabled by an error.", kind: .gauge)
        var duration = MetricFamily(name: "trainscope_profiler_collector_duration_seconds",
                                    help: "Time the collector's last reading took.", kind: .gauge)
        for c in s.collectors {
            up.series.append(.init(labels: base + [("collector", c.name)], value: .integer(c.up ? 1 : 0)))
            duration.series.append(.init(labels: base + [("collector", c.name)], value: .double(c.lastDurationSeconds)))
        }
        var errors = MetricFamily(name: "trainscope_profiler_write_errors_total",
                                  help: "Samples a sink (smdebug files, store) failed to take.", kind: .counter)
        for (sink, count) in s.sinkErrors.sorted(by: { $0.key < $1.key }) {
            errors.series.append(.init(labels: base + [("sink", sink)], value: .integer(Int64(count))))
        }
        var result = [
            up, duration,
            MetricFamily(name: "trainscope_profiler_samples_total", help: "System-metric samples taken.", kind: .counter,
                         series: [.init(labels: base, value: .integer(Int64(s.samples)))]),
            MetricFamily(name: "trainscope_profiler_late_ticks_total",
                         help: "Sampling slots skipped because the sampler woke a whole interval late.", kind: .counter,
                         series: [.init(labels: base, value: .integer(Int64(s.lateTicks)))]),
            MetricFamily(name: "trainscope_profiler_cpu_seconds_total", help: "CPU time used by the sampler's thread.",
                         kind: .counter, series: [.init(labels: base, value: .double(s.cpuSeconds))]),
            MetricFamily(name: "trainscope_profiler_interval_seconds", help: "ProfilingIntervalInMilliseconds, in seconds.",
                         kind: .gauge, series: [.init(labels: base, value: .double(Double(intervalMilliseconds) / 1000))]),
        ]
        if !errors.series.isEmpty { result.append(errors) }
        if let last = s.lastSampleMicroseconds {
            result.append(MetricFamily(name: "trainscope_profiler_last_sample_timestamp_seconds",
                                       help: "Time of the latest sample, in seconds since the epoch.", kind: .gauge,
                                       series: [.init(labels: base, value: .double(Double(last) / 1e6))]))
        }
        return result
    }
}

extension Sampler {
    /// /metrics families for the latest sample and the sampler's own counters.
    public func latestFamilies() -> [MetricFamily] {
        let (sample, statistics) = snapshot
        return SystemMetricFamilies.families(sample: sample, statistics: statistics,
                                      intervalMilliseconds: configuration.intervalMilliseconds,
                                      labels: configuration.labels)
    }
}
