/// `/proc/<pid>/status`: `Key:\tvalue` lines (proc(5)). Memory sizes are in kB (KiB) and are
/// returned in bytes.
public struct PIDStatus: Sendable, Equatable {
    public var name: String
    public var pid: Int32
    public var ppid: Int32
    /// Resident set size (VmRSS); nil for kernel threads, which have none.
    public var residentBytes: UInt64?
    /// Peak resident set size (VmHWM).
    public var peakResidentBytes: UInt64?
    public var threads: Int64?

    public init(name: String, pid: Int32, ppid: Int32, residentBytes: UInt64?, peakResidentBytes: UInt64?, threads: Int64?) {
        self.name = name
        self.pid = pid
        self.ppid = ppid
        self.residentBytes = residentBytes
        self.peakResidentBytes = peakResidentBytes
        self.threads = threads
    }

    public static func read(procRoot: String, pid: Int32) throws(ProcFSError) -> PIDStatus {
        let path = "\(procRoot)/\(pid)/status"
        return try parse(KernelFile.read(path), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String = "/proc/<pid>/status") throws(ProcFSError) -> PIDStatus {
        let text = ByteText(bytes)
        var name: String?, pid: Int64?, ppid: Int64?, rss: UInt64?, hwm: UInt64?, threads: Int64?
        try text.forEachLine { (line, number) throws(ProcFSError) in
            guard let colon = text.firstIndex(of: UInt8(ascii: ":"), in: line) else { return }
            let key = line.lowerBound..<colon
            let value = text.trimmed(colon + 1..<line.upperBound)
            func kilobytes() throws(ProcFSError) -> UInt64 {
                let f = text.fields(value)
                guard f.count == 2, text.equals(f[1], "kB"), let n = text.uint64(f[0]) else {
                    throw .malformed(path, line: number, "expected '<n> kB': \(text.string(value).debugDescription)")
                }
                return n &* 1024
            }
            func integer() throws(ProcFSError) -> Int64 {
                guard let n = text.int64(value) else {
                    throw .malformed(path, line: number, "not a number: \(text.string(value).debugDescription)")
                }
                return n
            }
            if text.equals(key, "Name") { name = text.string(value) }
            else if text.equals(key, "Pid") { pid = try integer() }
            else if text.equals(key, "PPid") { ppid = try integer() }
            else if text.equals(key, "VmRSS") { rss = try kilobytes() }
            else if text.equals(key, "VmHWM") { hwm = try kilobytes() }
            else if text.equals(key, "Threads") { threads = try integer() }
        }
        guard let name, let pid, let ppid else { throw .malformed(path, "missing Name, Pid or PPid") }
        return PIDStatus(name: name, pid: Int32(truncatingIfNeeded: pid), ppid: Int32(truncatingIfNeeded: ppid),
                         residentBytes: rss, peakResidentBytes: hwm, threads: threads)
    }
}
