#if canImport(Glibc)
import Glibc
#endif

/// Disk I/O from `/proc/diskstats`, summed over whole physical disks: SageMaker's `i/o` records
/// `IOPS`, `ReadThroughputInBytesPerSecond` and `WriteThroughputInBytesPerSecond` (Dimension `""`;
/// Type and Dimension inferred, smdebug-formats.md C.2). With a `spacePath`, also CloudWatch's
/// `DiskUtilization`: the share of that file system in use, as `df` computes it.
public final class DiskCollector: Collector {
    public let name = "disk"
    private let file: CachedKernelFile
    private let spacePath: String?
    private let statfs: @Sendable (String) -> FileSystemSpace?
    private var previous = Previous<ProcDiskstats.Device>()

    /// Used and available bytes of a file system (statvfs), injectable so tests can pin them.
    public struct FileSystemSpace: Sendable, Equatable {
        public var usedBytes: UInt64
        public var availableBytes: UInt64

        public init(usedBytes: UInt64, availableBytes: UInt64) {
            self.usedBytes = usedBytes
            self.availableBytes = availableBytes
        }

        /// `df`'s Use%: used over used + available to unprivileged users (root's reserve excluded).
        public var usedPercent: Double {
            let whole = usedBytes + availableBytes
            return whole == 0 ? 0 : Double(usedBytes) / Double(whole) * 100
        }
    }

    public init(procRoot: String, spacePath: String? = nil,
                statfs: @escaping @Sendable (String) -> FileSystemSpace? = DiskCollector.statvfsSpace) {
        file = CachedKernelFile(path: "\(procRoot)/\(ProcDiskstats.relativePath)")
        self.spacePath = spacePath
        self.statfs = statfs
    }

    public func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        let stats = try ProcDiskstats.parse(file.read(), path: file.path)
        var sum = ProcDiskstats.Device(major: 0, minor: 0, name: "all", readsCompleted: 0, readsMerged: 0,
                                       sectorsRead: 0, readTimeMs: 0, writesCompleted: 0, writesMerged: 0,
                                       sectorsWritten: 0, writeTimeMs: 0, ioInProgress: 0, ioTimeMs: 0,
                                       weightedIOTimeMs: 0)
        for device in stats.devices where Self.isPhysicalDisk(device.name) {
            sum.readsCompleted &+= device.readsCompleted
            sum.writesCompleted &+= device.writesCompleted
            sum.sectorsRead &+= device.sectorsRead
            sum.sectorsWritten &+= device.sectorsWritten
        }
        if let (old, seconds) = previous.advance(to: sum, at: context.monotonicNanoseconds) {
            let operations = delta(sum.readsCompleted, old.readsCompleted) + delta(sum.writesCompleted, old.writesCompleted)
            records.append(SystemRecord(type: "i/o", name: "IOPS", dimension: "",
                                        value: Double(operations) / seconds, smdebug: true))
            records.append(SystemRecord(type: "i/o", name: "ReadThroughputInBytesPerSecond", dimension: "",
                                        value: Double(delta(sum.bytesRead, old.bytesRead)) / seconds, smdebug: true))
            records.append(SystemRecord(type: "i/o", name: "WriteThroughputInBytesPerSecond", dimension: "",
                                        value: Double(delta(sum.bytesWritten, old.bytesWritten)) / seconds, smdebug: true))
        }
        if let spacePath, let space = statfs(spacePath) {
            records.append(SystemRecord(type: "instance", name: "DiskUtilization", dimension: "",
                                        value: space.usedPercent, smdebug: false))
        }
    }

    /// Whole disks only, so that no I/O is counted twice: partitions (`sda1`, `nvme0n1p1`,
    /// `mmcblk0p1`) repeat their disk's I/O, device-mapper and md devices (`dm-0`, `md0`) repeat
    /// their members', and loop, RAM, zram, floppy and optical devices are not disks. The rule
    /// follows node_exporter's default device exclusion, plus `dm-` and `md`.
    public static func isPhysicalDisk(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func digits(from i: Int) -> Bool { i < bytes.count && bytes[i...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        func letters(from i: Int) -> Int { var j = i; while j < bytes.count, bytes[j] >= 0x61, bytes[j] <= 0x7A { j += 1 }; return j }
        for prefix in ["ram", "zram", "loop", "fd", "sr", "md", "dm-"] where name.hasPrefix(prefix) {
            if digits(from: prefix.utf8.count) { return false }
        }
        // sda1, vdb2, hdc3, xvda1: a partition of a lettered disk.
        for prefix in ["sd", "vd", "hd", "xvd"] where name.hasPrefix(prefix) {
            let end = letters(from: prefix.utf8.count)
            if end > prefix.utf8.count && digits(from: end) { return false }
        }
        // nvme0n1p1, mmcblk0p1: a partition is a 'p' followed by digits after the disk's digits.
        for prefix in ["nvme", "mmcblk"] where name.hasPrefix(prefix) {
            if let p = bytes.lastIndex(of: UInt8(ascii: "p")), p > prefix.utf8.count, digits(from: p + 1) { return false }
        }
        return true
    }

    public static let statvfsSpace: @Sendable (String) -> FileSystemSpace? = { path in
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        let fragment = UInt64(s.f_frsize)
        let total = UInt64(s.f_blocks) * fragment
        let free = UInt64(s.f_bfree) * fragment
        return FileSystemSpace(usedBytes: total >= free ? total - free : 0, availableBytes: UInt64(s.f_bavail) * fragment)
    }
}
