import Foundation
import SystemProfiler
import Testing

/// Every collector on fixture trees copied from real /proc and /sys files (Fixtures/README.md),
/// compared with the checked-in expected records.
@Suite struct CollectorGoldenTests {
    static let procScenarios = ["host-2core", "many-cores-96", "odd-spacing"]

    @Test(arguments: procScenarios + ["cgroup-v1-container", "cgroup-v2-container"])
    func cpu(_ scenario: String) throws {
        let tree = try Fixtures.Tree(scenario)
        let records = try Fixtures.collect(CPUCollector(procRoot: tree.proc), tree: tree)
        #expect(Fixtures.golden(Fixtures.text(records), "\(scenario)/expected/cpu.txt") == nil)
    }

    @Test(arguments: procScenarios)
    func memory(_ scenario: String) throws {
        let tree = try Fixtures.Tree(scenario)
        let records = try Fixtures.collect(MemoryCollector(procRoot: tree.proc), tree: tree)
        #expect(Fixtures.golden(Fixtures.text(records), "\(scenario)/expected/memory.txt") == nil)
    }

    @Test(arguments: procScenarios)
    func disk(_ scenario: String) throws {
        let tree = try Fixtures.Tree(scenario)
        let space = DiskCollector.FileSystemSpace(usedBytes: 30 << 30, availableBytes: 70 << 30)
        let collector = DiskCollector(procRoot: tree.proc, spacePath: "/opt/ml", statfs: { _ in space })
        let records = try Fixtures.collect(collector, tree: tree, seconds: 2)
        #expect(Fixtures.golden(Fixtures.text(records), "\(scenario)/expected/disk.txt") == nil)
    }

    @Test(arguments: procScenarios)
    func network(_ scenario: String) throws {
        let tree = try Fixtures.Tree(scenario)
        let records = try Fixtures.collect(NetworkCollector(procRoot: tree.proc), tree: tree, seconds: 0.5)
        #expect(Fixtures.golden(Fixtures.text(records), "\(scenario)/expected/network.txt") == nil)
    }

    @Test(arguments: ["host-2core", "cgroup-v1-container", "cgroup-v2-container"])
    func container(_ scenario: String) throws {
        let tree = try Fixtures.Tree(scenario)
        let collector = try #require(try ContainerCollector(procRoot: tree.proc, cgroupRoot: tree.cgroup))
        let records = try Fixtures.collect(collector, tree: tree)
        let text = "# \(collector.location.replacingOccurrences(of: tree.directory.path, with: "<root>"))\n"
        #expect(Fixtures.golden(Array(text.utf8) + Fixtures.text(records), "\(scenario)/expected/container.txt") == nil)
    }

    @Test func processTree() throws {
        let tree = try Fixtures.Tree("process-tree")
        let rootText = try String(contentsOfFile: Fixtures.path("process-tree/root-pid"), encoding: .utf8)
        let root = try #require(Int32(rootText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let collector = ProcessTreeCollector(procRoot: tree.proc, rootPID: root, ticksPerSecond: 100)
        let records = try Fixtures.collect(collector, tree: tree, seconds: 0.5)
        #expect(Fixtures.golden(Fixtures.text(records), "process-tree/expected/process_tree.txt") == nil)
        // The parent of the watched process is not in its tree.
        #expect(records.first { $0.name == "Processes" }?.value == 4)
    }

    @Test func containerCollectorIsAbsentWithoutCgroupFiles() throws {
        let tree = try Fixtures.Tree("host-2core")
        try FileManager.default.removeItem(atPath: tree.sys)
        #expect(try ContainerCollector(procRoot: tree.proc, cgroupRoot: tree.cgroup) == nil)
    }
}
