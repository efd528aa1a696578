/// `/proc/meminfo`: system memory, converted to bytes (the file counts in kB, meaning KiB).
///
/// The fields the profiler needs are named; every field is also kept in `fields`, in file order.
public struct Meminfo: Sendable, Equatable {
    /// Every `Key: value [kB]` line, values in bytes when the line had the `kB` unit.
    public var fields: [KeyValueBytes]

    public struct KeyValueBytes: Sendable, Equatable {
        public var key: String
        public var value: UInt64
    }

    public init(fields: [KeyValueBytes]) {
        self.fields = fields
    }

    public subscript(key: String) -> UInt64? { fields.first { $0.key == key }?.value }

    public var memTotal: UInt64? { self["MemTotal"] }
    public var memFree: UInt64? { self["MemFree"] }
    /// Kernels before 3.14 lack MemAvailable; free + buffers + page cache is then the estimate
    /// (what psutil and `free` fall back to).
    public var memAvailable: UInt64? {
        if let available = self["MemAvailable"] { return available }
        guard let free = memFree else { return nil }
        return free + (self["Buffers"] ?? 0) + (self["Cached"] ?? 0)
    }

    public static let relativePath = "meminfo"

    public static func read(procRoot: String) throws(ProcFSError) -> Meminfo {
        let path = "\(procRoot)/\(relativePath)"
        return try parse(KernelFile.read(path), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String = "/proc/meminfo") throws(ProcFSError) -> Meminfo {
        let text = ByteText(bytes)
        var fields: [KeyValueBytes] = []
        fields.reserveCapacity(64)
        try text.forEachLine { (line, number) throws(ProcFSError) in
            let trimmed = text.trimmed(line)
            guard !trimmed.isEmpty else { return }
            guard let colon = text.firstIndex(of: UInt8(ascii: ":"), in: trimmed) else {
                throw .malformed(path, line: number, "no ':' in \(text.string(trimmed).debugDescription)")
            }
            let rest = text.fields(colon + 1..<trimmed.upperBound)
            guard !rest.isEmpty, rest.count <= 2, let value = text.uint64(rest[0]) else {
                throw .malformed(path, line: number, "expected a number and an optional unit: \(text.string(trimmed).debugDescription)")
            }
            var bytes = value
            if rest.count == 2 {
                guard text.equals(rest[1], "kB") else {
                    throw .malformed(path, line: number, "unknown unit \(text.string(rest[1]).debugDescription)")
                }
                bytes = value.multipliedReportingOverflow(by: 1024).partialValue
            }
            fields.append(KeyValueBytes(key: text.string(trimmed.lowerBound..<colon), value: bytes))
        }
        guard fields.contains(where: { $0.key == "MemTotal" }) else { throw .malformed(path, "no MemTotal line") }
        return Meminfo(fields: fields)
    }
}
