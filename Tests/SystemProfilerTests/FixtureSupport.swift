import Foundation
import SystemProfiler
import TrainScopeTesting

/// The fixture trees (see Fixtures/README.md) and the moves the tests make with them.
enum Fixtures {
    static let root = SourceTree.root() + "/Tests/SystemProfilerTests/Fixtures"

    static func path(_ relative: String) -> String { "\(root)/\(relative)" }

    /// A scratch copy of `<scenario>/t0` whose files `advance()` overwrites in place with `t1`'s, so
    /// the collectors' open descriptors (they keep them) see the second reading as the kernel's
    /// files would look a moment later.
    final class Tree {
        let scenario: String
        let directory = TemporaryDirectory(prefix: "profiler-fixture")
        var proc: String { "\(directory.path)/proc" }
        var sys: String { "\(directory.path)/sys" }
        var cgroup: String { "\(directory.path)/sys/fs/cgroup" }

        init(_ scenario: String) throws {
            self.scenario = scenario
            try Self.overlay(from: Fixtures.path("\(scenario)/t0"), onto: directory.path)
        }

        func advance() throws {
            try Self.overlay(from: Fixtures.path("\(scenario)/t1"), onto: directory.path)
        }

        /// Copies every file of `source` onto the same relative path under `target`, writing into an
        /// existing file rather than replacing it.
        static func overlay(from source: String, onto target: String) throws {
            let files = FileManager.default
            guard let walker = files.enumerator(atPath: source) else { return }
            while let relative = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                let from = "\(source)/\(relative)", to = "\(target)/\(relative)"
                files.fileExists(atPath: from, isDirectory: &isDirectory)
                if isDirectory.boolValue {
                    try files.createDirectory(atPath: to, withIntermediateDirectories: true)
                    continue
                }
                let bytes = try Data(contentsOf: URL(fileURLWithPath: from))
                if !files.fileExists(atPath: to) { files.createFile(atPath: to, contents: nil) }
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: to))
                try handle.truncate(atOffset: 0)
                try handle.write(contentsOf: bytes)
                try handle.close()
            }
        }
    }

    /// Runs `collector` on t0 (at 0 s) and on t1 (at `seconds`), returning the second reading's records.
    static func collect(_ collector: any Collector, tree: Tree, seconds: Double = 1) throws -> [SystemRecord] {
        var records: [SystemRecord] = []
        try collector.collect(CollectContext(monotonicNanoseconds: 1_000_000_000), into: &records)
        try tree.advance()
        records.removeAll()
        try collector.collect(CollectContext(monotonicNanoseconds: 1_000_000_000 + UInt64(seconds * 1e9)), into: &records)
        return records
    }

    /// Records as the goldens hold them: `Type|Name|Dimension<TAB>value`, `<TAB>trainscope` for
    /// records that stay out of the smdebug files.
    static func text(_ records: [SystemRecord]) -> [UInt8] {
        Array(records.map { "\($0.key)\t\($0.value)\($0.smdebug ? "" : "\ttrainscope")\n" }.joined().utf8)
    }

    /// Compares with the golden file `relative` under Fixtures.
    static func golden(_ bytes: [UInt8], _ relative: String) -> String? {
        Golden.compare(bytes, toFile: path(relative))
    }
}

/// Keeps every sample it is given.
final class MemorySink: SampleSink {
    let name = "memory"
    var samples: [ProfilerSample] = []
    var finishedAt: Int64?
    func write(_ sample: ProfilerSample) throws { samples.append(sample) }
    func finish(endTimeMicroseconds: Int64) throws { finishedAt = endTimeMicroseconds }
}
