/// `/proc/<pid>/cgroup` (or `/proc/self/cgroup`): the process's cgroup in each hierarchy, as
/// `hierarchy-ID:controller-list:path` lines. Under cgroup v2 there is one line, `0::/path`; under
/// v1 one line per hierarchy (`4:memory:/docker/…`); a hybrid host has both.
public struct ProcPIDCgroup: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var hierarchyID: Int
        /// Empty for the v2 line; `name=systemd` style names are kept as written.
        public var controllers: [String]
        public var path: String
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The v2 line's path (`0::/path`), if there is one.
    public var unifiedPath: String? { entries.first { $0.hierarchyID == 0 && $0.controllers.isEmpty }?.path }

    /// The v1 entry holding `controller`.
    public func v1Entry(_ controller: String) -> Entry? {
        entries.first { $0.hierarchyID != 0 && $0.controllers.contains(controller) }
    }

    public static func read(procRoot: String, pid: String = "self") throws(ProcFSError) -> ProcPIDCgroup {
        let path = "\(procRoot)/\(pid)/cgroup"
        return try parse(KernelFile.read(path), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String = "/proc/self/cgroup") throws(ProcFSError) -> ProcPIDCgroup {
        let text = ByteText(bytes)
        var entries: [Entry] = []
        try text.forEachLine { (line, number) throws(ProcFSError) in
            guard !text.trimmed(line).isEmpty else { return }
            guard let first = text.firstIndex(of: UInt8(ascii: ":"), in: line),
                  let second = text.firstIndex(of: UInt8(ascii: ":"), in: first + 1..<line.upperBound),
                  let id = text.uint64(first == line.lowerBound ? line.lowerBound..<first : text.trimmed(line.lowerBound..<first)),
                  id < 1 << 20 else {
                throw .malformed(path, line: number, "expected 'id:controllers:path': \(text.string(line).debugDescription)")
            }
            let controllers = text.string(first + 1..<second).split(separator: ",").map(String.init)
            entries.append(Entry(hierarchyID: Int(id), controllers: controllers, path: text.string(second + 1..<line.upperBound)))
        }
        return ProcPIDCgroup(entries: entries)
    }
}
