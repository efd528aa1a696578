import Foundation
import SystemProfiler
import Testing
import TrainScopeTesting

/// The GPU collector against a fake libnvidia-ml.so built from Fixtures/fake-nvml/fake_nvml.c.
@Suite struct GPUCollectorTests {
    /// One fake library per behaviour, each its own file, so that each is loaded separately and
    /// no test changes the process's environment under another.
    static let directory = TemporaryDirectory(prefix: "fake-nvml")
    static let library = build("libnvidia-ml.so.1", [])
    static let failingInit = build("init-error.so", ["-DFAKE_NVML_INIT_ERROR=9"])
    static let noDevices = build("no-devices.so", ["-DFAKE_NVML_DEVICES=0"])
    static let lostAfterTwo = build("lost.so", ["-DFAKE_NVML_FAIL_AFTER=2"])

    /// `cc` when there is one, else the clang every Swift toolchain on Linux brings.
    static let compiler: String = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["cc", "gcc", "clang"] {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        fatalError("no C compiler (cc, gcc or clang) on PATH to build the fake NVML library")
    }()

    static func build(_ name: String, _ defines: [String]) -> String {
        let output = directory.file(name)
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: compiler)
        cc.arguments = ["-shared", "-fPIC", "-O1"] + defines + ["-o", output, Fixtures.path("fake-nvml/fake_nvml.c")]
        try! cc.run()
        cc.waitUntilExit()
        precondition(cc.terminationStatus == 0, "cc failed to build the fake NVML library \(name)")
        return output
    }

    @Test func twoDevicesGolden() throws {
        let collector = try #require(try GPUCollector(library: Self.library, environment: [:]))
        defer { collector.close() }
        #expect(collector.deviceCount == 2)
        var records: [SystemRecord] = []
        try collector.collect(CollectContext(monotonicNanoseconds: 1), into: &records)
        InstanceMetrics.append(into: &records)
        #expect(Fixtures.golden(Fixtures.text(records), "fake-nvml/expected/gpu.txt") == nil)
    }

    @Test func libraryPathComesFromTheEnvironmentVariable() throws {
        let collector = try #require(try GPUCollector(environment: [NVML.libraryEnvironmentVariable: Self.library]))
        collector.close()
    }

    @Test func missingLibraryIsAnErrorNamingIt() {
        #expect {
            _ = try GPUCollector(library: "/nonexistent/libnvidia-ml.so.1", environment: [:])
        } throws: { "\($0)".contains("/nonexistent/libnvidia-ml.so.1") }
    }

    @Test func initFailureCarriesNVMLsMessage() {
        #expect {
            _ = try GPUCollector(library: Self.failingInit, environment: [:])
        } throws: { "\($0)".contains("Driver Not Loaded") }
    }

    @Test func noDevicesMeansNoCollector() throws {
        let collector = try GPUCollector(library: Self.noDevices, environment: [:])
        #expect(collector == nil)
    }

    @Test func aLostGPUThrowsFromCollect() throws {
        let collector = try #require(try GPUCollector(library: Self.lostAfterTwo, environment: [:]))
        defer { collector.close() }
        var records: [SystemRecord] = []
        try collector.collect(CollectContext(monotonicNanoseconds: 1), into: &records)
        #expect(throws: NVML.Error.self) { try collector.collect(CollectContext(monotonicNanoseconds: 2), into: &records) }
    }
}
