/// `/proc/<pid>/stat`: one line of a process's scheduler state (proc(5)).
///
/// The command name (field 2) is in parentheses and may itself hold spaces and parentheses, so the
/// fields after it are counted from the *last* `)`.
public struct PIDStat: Sendable, Equatable {
    public var pid: Int32
    public var comm: String
    public var state: String
    public var ppid: Int32
    /// CPU time in user and kernel mode, in clock ticks (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
    public var utime: UInt64
    public var stime: UInt64
    public var numThreads: Int64
    /// Clock ticks after boot at which the process started.
    public var startTime: UInt64
    /// Resident set size in pages.
    public var rssPages: Int64

    public init(pid: Int32, comm: String, state: String, ppid: Int32, utime: UInt64, stime: UInt64,
                numThreads: Int64, startTime: UInt64, rssPages: Int64) {
        self.pid = pid
        self.comm = comm
        self.state = state
        self.ppid = ppid
        self.utime = utime
        self.stime = stime
        self.numThreads = numThreads
        self.startTime = startTime
        self.rssPages = rssPages
    }

    public static func read(procRoot: String, pid: Int32) throws(ProcFSError) -> PIDStat {
        let path = "\(procRoot)/\(pid)/stat"
        return try parse(KernelFile.read(path), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String = "/proc/<pid>/stat") throws(ProcFSError) -> PIDStat {
        let text = ByteText(bytes)
        let all = 0..<bytes.count
        guard let open = text.firstIndex(of: UInt8(ascii: "("), in: all),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), close > open else {
            throw .malformed(path, line: 1, "no (comm) field")
        }
        let head = text.fields(0..<open)
        let rest = text.fields(close + 1..<bytes.count)
        // rest[0] is field 3 (state); field n is rest[n - 3].
        guard head.count == 1, let pid = text.int64(head[0]), rest.count >= 22 else {
            throw .malformed(path, line: 1, "expected pid, (comm) and at least 22 more fields")
        }
        func unsigned(_ field: Int) throws(ProcFSError) -> UInt64 {
            guard let v = text.uint64(rest[field - 3]) else {
                throw .malformed(path, line: 1, "field \(field) is not a number: \(text.string(rest[field - 3]).debugDescription)")
            }
            return v
        }
        func signed(_ field: Int) throws(ProcFSError) -> Int64 {
            guard let v = text.int64(rest[field - 3]) else {
                throw .malformed(path, line: 1, "field \(field) is not a number: \(text.string(rest[field - 3]).debugDescription)")
            }
            return v
        }
        return PIDStat(pid: Int32(truncatingIfNeeded: pid), comm: text.string(open + 1..<close),
                       state: text.string(rest[0]), ppid: Int32(truncatingIfNeeded: try signed(4)),
                       utime: try unsigned(14), stime: try unsigned(15), numThreads: try signed(20),
                       startTime: try unsigned(22), rssPages: try signed(24))
    }
}
