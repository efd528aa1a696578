/// The cgroup "flat keyed" format (`key value` per line: cpu.stat, memory.stat, v1 memory.stat),
/// as Documentation/admin-guide/cgroup-v2.rst names it. Values are unsigned decimals.
public struct FlatKeyed: Sendable, Equatable {
    public var entries: [(key: String, value: UInt64)]

    public init(entries: [(key: String, value: UInt64)]) {
        self.entries = entries
    }

    public subscript(key: String) -> UInt64? { entries.first { $0.key == key }?.value }

    public static func == (a: FlatKeyed, b: FlatKeyed) -> Bool {
        a.entries.elementsEqual(b.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    public static func parse(_ bytes: [UInt8], path: String) throws(ProcFSError) -> FlatKeyed {
        let text = ByteText(bytes)
        var entries: [(key: String, value: UInt64)] = []
        try text.forEachLine { (line, number) throws(ProcFSError) in
            let f = text.fields(line)
            guard !f.isEmpty else { return }
            guard f.count == 2, let value = text.uint64(f[1]) else {
                throw .malformed(path, line: number, "expected 'key value': \(text.string(line).debugDescription)")
            }
            entries.append((text.string(f[0]), value))
        }
        return FlatKeyed(entries: entries)
    }

    /// A file holding one unsigned number (memory.current, cpuacct.usage, …).
    static func parseSingle(_ bytes: [UInt8], path: String) throws(ProcFSError) -> UInt64 {
        let text = ByteText(bytes)
        let f = text.fields(0..<bytes.count)
        guard f.count == 1, let value = text.uint64(f[0]) else {
            throw .malformed(path, line: 1, "expected one number: \(text.string(0..<min(bytes.count, 64)).debugDescription)")
        }
        return value
    }

    /// A file holding one signed number (v1 cpu.cfs_quota_us, where -1 means no quota).
    static func parseSingleSigned(_ bytes: [UInt8], path: String) throws(ProcFSError) -> Int64 {
        let text = ByteText(bytes)
        let f = text.fields(0..<bytes.count)
        guard f.count == 1, let value = text.int64(f[0]) else {
            throw .malformed(path, line: 1, "expected one number: \(text.string(0..<min(bytes.count, 64)).debugDescription)")
        }
        return value
    }
}
