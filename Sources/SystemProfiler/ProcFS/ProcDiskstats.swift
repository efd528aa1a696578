/// `/proc/diskstats`: I/O counters per block device (Documentation/admin-guide/iostats.rst).
///
/// Kernels write 14 fields (before 4.18), 18 (4.18, discards) or 20 (5.5, flushes); the first 14
/// are all this parser needs. Sectors are always 512 bytes here, whatever the device's sector size.
public struct ProcDiskstats: Sendable, Equatable {
    public struct Device: Sendable, Equatable {
        public var major: UInt32
        public var minor: UInt32
        public var name: String
        public var readsCompleted: UInt64
        public var readsMerged: UInt64
        public var sectorsRead: UInt64
        public var readTimeMs: UInt64
        public var writesCompleted: UInt64
        public var writesMerged: UInt64
        public var sectorsWritten: UInt64
        public var writeTimeMs: UInt64
        public var ioInProgress: UInt64
        public var ioTimeMs: UInt64
        public var weightedIOTimeMs: UInt64

        public var bytesRead: UInt64 { sectorsRead &* 512 }
        public var bytesWritten: UInt64 { sectorsWritten &* 512 }
    }

    public var devices: [Device]

    public init(devices: [Device]) {
        self.devices = devices
    }

    public static let relativePath = "diskstats"

    public static func read(procRoot: String) throws(ProcFSError) -> ProcDiskstats {
        let path = "\(procRoot)/\(relativePath)"
        return try parse(KernelFile.read(path), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String = "/proc/diskstats") throws(ProcFSError) -> ProcDiskstats {
        let text = ByteText(bytes)
        var devices: [Device] = []
        try text.forEachLine { (line, number) throws(ProcFSError) in
            let f = text.fields(line)
            guard !f.isEmpty else { return }
            guard f.count >= 14 else {
                throw .malformed(path, line: number, "expected at least 14 fields, found \(f.count)")
            }
            var n: [UInt64] = []
            n.reserveCapacity(13)
            for (k, field) in f.prefix(14).enumerated() where k != 2 {
                guard let value = text.uint64(field) else {
                    throw .malformed(path, line: number, "field \(k + 1) is not a number: \(text.string(field).debugDescription)")
                }
                n.append(value)
            }
            guard n[0] <= UInt64(UInt32.max), n[1] <= UInt64(UInt32.max) else {
                throw .malformed(path, line: number, "device number out of range")
            }
            devices.append(Device(
                major: UInt32(n[0]), minor: UInt32(n[1]), name: text.string(f[2]),
                readsCompleted: n[2], readsMerged: n[3], sectorsRead: n[4], readTimeMs: n[5],
                writesCompleted: n[6], writesMerged: n[7], sectorsWritten: n[8], writeTimeMs: n[9],
                ioInProgress: n[10], ioTimeMs: n[11], weightedIOTimeMs: n[12]))
        }
        return ProcDiskstats(devices: devices)
    }
}
