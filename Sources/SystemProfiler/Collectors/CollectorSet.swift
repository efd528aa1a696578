import Logging

/// Where the collectors read from: the `--proc-root`, `--sys-root` and cgroup roots (fixture trees
/// in tests), the process tree to watch, the NVML library and the file system behind DiskUtilization.
public struct SystemSources: Sendable, Equatable {
    public var procRoot: String
    public var sysRoot: String
    /// The cgroup file system; default `<sysRoot>/fs/cgroup`.
    public var cgroupRoot: String
    /// Watch this process and its descendants (`run`'s child, `profile --pid`).
    public var pid: Int32?
    /// NVML to load; nil means `TRAINSCOPE_NVML_LIBRARY`, else libnvidia-ml.so.1.
    public var nvmlLibrary: String?
    /// A path on the file system whose use is DiskUtilization (the ML root); nil leaves it out.
    public var diskSpacePath: String?
    /// Turn collectors off by name (`gpu`, …).
    public var disabled: Set<String>

    public init(procRoot: String = "/proc", sysRoot: String = "/sys", cgroupRoot: String? = nil, pid: Int32? = nil,
                nvmlLibrary: String? = nil, diskSpacePath: String? = nil, disabled: Set<String> = []) {
        self.procRoot = procRoot
        self.sysRoot = sysRoot
        self.cgroupRoot = cgroupRoot ?? "\(sysRoot)/fs/cgroup"
        self.pid = pid
        self.nvmlLibrary = nvmlLibrary
        self.diskSpacePath = diskSpacePath
        self.disabled = disabled
    }
}

/// Builds the collectors for a set of sources. A collector whose source is missing (no NVML, no
/// cgroup files) is left out with one notice; the sampler turns off one that fails later.
public enum CollectorSet {
    public static func make(_ sources: SystemSources, environment: [String: String], logger: Logger) -> [any Collector] {
        var collectors: [any Collector] = []
        func enabled(_ name: String) -> Bool { !sources.disabled.contains(name) }
        if enabled("cpu") { collectors.append(CPUCollector(procRoot: sources.procRoot)) }
        if enabled("memory") { collectors.append(MemoryCollector(procRoot: sources.procRoot)) }
        if enabled("disk") { collectors.append(DiskCollector(procRoot: sources.procRoot, spacePath: sources.diskSpacePath)) }
        if enabled("network") { collectors.append(NetworkCollector(procRoot: sources.procRoot)) }
        if enabled("container") {
            do {
                if let container = try ContainerCollector(procRoot: sources.procRoot, cgroupRoot: sources.cgroupRoot) {
                    logger.debug("profiler: container limits from \(container.location)")
                    collectors.append(container)
                } else {
                    logger.notice("profiler: no cgroup with CPU or memory files under \(sources.cgroupRoot); container metrics are off")
                }
            } catch {
                logger.notice("profiler: container metrics are off: \(error)")
            }
        }
        if enabled("process_tree"), let pid = sources.pid {
            collectors.append(ProcessTreeCollector(procRoot: sources.procRoot, rootPID: pid))
        }
        if enabled("gpu") {
            do {
                if let gpu = try GPUCollector(library: sources.nvmlLibrary, environment: environment) {
                    logger.info("profiler: \(gpu.deviceCount) GPU(s) through NVML")
                    collectors.append(gpu)
                } else {
                    logger.notice("profiler: NVML reports no GPU; GPU metrics are off")
                }
            } catch {
                logger.notice("profiler: GPU metrics are off (\(error))")
            }
        }
        return collectors
    }
}
