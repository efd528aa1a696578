/// `/proc/stat`: time each CPU spent in each state, in USER_HZ ticks (1/100 s on Linux).
///
/// Only the `cpu` lines are parsed; the other lines (`intr`, `ctxt`, …) are skipped without being
/// split, since `intr` alone can hold thousands of fields.
public struct ProcStat: Sendable, Equatable {
    /// One `cpu` line. Kernels before 2.6.33 write fewer than ten columns; the missing ones are 0.
    public struct CPUTimes: Sendable, Equatable {
        public var user: UInt64 = 0
        public var nice: UInt64 = 0
        public var system: UInt64 = 0
        public var idle: UInt64 = 0
        public var iowait: UInt64 = 0
        public var irq: UInt64 = 0
        public var softirq: UInt64 = 0
        public var steal: UInt64 = 0
        /// Already counted in `user` (and `guestNice` in `nice`), so left out of `total`.
        public var guest: UInt64 = 0
        public var guestNice: UInt64 = 0

        public init() {}

        public init(_ columns: [UInt64]) {
            let c = columns + Array(repeating: 0, count: max(0, 10 - columns.count))
            (user, nice, system, idle, iowait) = (c[0], c[1], c[2], c[3], c[4])
            (irq, softirq, steal, guest, guestNice) = (c[5], c[6], c[7], c[8], c[9])
        }

        /// Every tick the CPU existed for: the states that partition time (guest time is inside user).
        public var total: UInt64 { user &+ nice &+ system &+ idle &+ iowait &+ irq &+ softirq &+ steal }
        /// Ticks neither idle nor waiting for I/O.
        public var busy: UInt64 { total &- idle &- iowait }
    }

    /// The aggregate `cpu` line.
    public var total: CPUTimes
    /// `cpuN` lines in file order (an offline CPU has no line, so N may skip).
    public var cores: [(index: Int, times: CPUTimes)]

    public init(total: CPUTimes, cores: [(index: Int, times: CPUTimes)]) {
        self.total = total
        self.cores = cores
    }

    public static func == (a: ProcStat, b: ProcStat) -> Bool {
        a.total == b.total && a.cores.elementsEqual(b.cores) { $0.index == $1.index && $0.times == $1.times }
    }

    public static let relativePath = "stat"

    public static func read(procRoot: String) throws(ProcFSError) -> ProcStat {
        let path = "\(procRoot)/\(relativePath)"
        return try parse(KernelFile.read(path), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String = "/proc/stat") throws(ProcFSError) -> ProcStat {
        let text = ByteText(bytes)
        var total: CPUTimes?
        var cores: [(index: Int, times: CPUTimes)] = []
        try text.forEachLine { (line, number) throws(ProcFSError) in
            guard text.hasPrefix(line, "cpu") else { return }
            let fields = text.fields(line)
            guard fields.count >= 5 else {
                throw .malformed(path, line: number, "a cpu line needs at least 4 counters, found \(fields.count - 1)")
            }
            var columns: [UInt64] = []
            columns.reserveCapacity(10)
            for field in fields.dropFirst().prefix(10) {
                guard let value = text.uint64(field) else {
                    throw .malformed(path, line: number, "not a counter: \(text.string(field).debugDescription)")
                }
                columns.append(value)
            }
            let label = fields[0]
            if label.count == 3 {
                total = CPUTimes(columns)
            } else if let index = text.uint64(label.lowerBound + 3..<label.upperBound), index < 1 << 20 {
                cores.append((Int(index), CPUTimes(columns)))
            } else {
                throw .malformed(path, line: number, "unknown cpu label \(text.string(label).debugDescription)")
            }
        }
        guard let total else { throw .malformed(path, "no aggregate cpu line") }
        return ProcStat(total: total, cores: cores)
    }
}
