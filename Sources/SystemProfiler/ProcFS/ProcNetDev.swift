/// `/proc/net/dev`: byte and packet counters per network interface of the reader's network
/// namespace (inside a container: the container's interfaces).
///
/// Two header lines, then `name: 8 receive fields 8 transmit fields`. The name and the first
/// counter may touch (`eth0:123`) when the counter is wide, so the line is split at the colon first.
public struct ProcNetDev: Sendable, Equatable {
    public struct Interface: Sendable, Equatable {
        public var name: String
        public var receiveBytes: UInt64
        public var receivePackets: UInt64
        public var receiveErrors: UInt64
        public var receiveDropped: UInt64
        public var transmitBytes: UInt64
        public var transmitPackets: UInt64
        public var transmitErrors: UInt64
        public var transmitDropped: UInt64
    }

    public var interfaces: [Interface]

    public init(interfaces: [Interface]) {
        self.interfaces = interfaces
    }

    public static let relativePath = "net/dev"

    public static func read(procRoot: String) throws(ProcFSError) -> ProcNetDev {
        let path = "\(procRoot)/\(relativePath)"
        return try parse(KernelFile.read(path), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String = "/proc/net/dev") throws(ProcFSError) -> ProcNetDev {
        let text = ByteText(bytes)
        var interfaces: [Interface] = []
        try text.forEachLine { (line, number) throws(ProcFSError) in
            // The headers are the lines with '|' (two in every kernel since 2.2).
            guard text.firstIndex(of: UInt8(ascii: "|"), in: line) == nil else { return }
            let trimmed = text.trimmed(line)
            guard !trimmed.isEmpty else { return }
            guard let colon = text.firstIndex(of: UInt8(ascii: ":"), in: trimmed) else {
                throw .malformed(path, line: number, "no ':' after the interface name")
            }
            let f = text.fields(colon + 1..<trimmed.upperBound)
            guard f.count == 16 else {
                throw .malformed(path, line: number, "expected 16 counters, found \(f.count)")
            }
            var n: [UInt64] = []
            n.reserveCapacity(16)
            for field in f {
                guard let value = text.uint64(field) else {
                    throw .malformed(path, line: number, "not a counter: \(text.string(field).debugDescription)")
                }
                n.append(value)
            }
            interfaces.append(Interface(
                name: text.string(text.trimmed(trimmed.lowerBound..<colon)),
                receiveBytes: n[0], receivePackets: n[1], receiveErrors: n[2], receiveDropped: n[3],
                transmitBytes: n[8], transmitPackets: n[9], transmitErrors: n[10], transmitDropped: n[11]))
        }
        return ProcNetDev(interfaces: interfaces)
    }
}
