import Foundation
import SystemProfiler
import Testing
import TrainScopeTesting

/// The GPU collector against a fake libnvidia-ml.so built from Fixtures/fake-nvml/fake_nvml.c.
@Suite(.serialized) struct GPUCollectorTests {
    /// Builds the fake library once per process (the tests share it; its state is per dlopen).
    static let library: String = {
        let directory = TemporaryDirectory(prefix: "fake-nvml")
        Self.keep = directory
        let output = directory.file("libnvidia-ml.so.1")
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-shared", "-fPIC", "-O1", "-o", output, Fixtures.path("fake-nvml/fake_nvml.c")]
        try! cc.run()
        cc.waitUntilExit()
        precondition(cc.terminationStatus == 0, "cc failed to build the fake NVML library")
        return output
    }()
    nonisolated(unsafe) static var keep: TemporaryDirectory?

    /// Environment variables are process-wide: set them only around the load.
    static func withEnvironment<R>(_ values: [String: String], _ body: () throws -> R) rethrows -> R {
        for (k, v) in values { setenv(k, v, 1) }
        defer { for k in values.keys { unsetenv(k) } }
        return try body()
    }

    @Test func twoDevicesGolden() throws {
        let collector = try #require(try Self.withEnvironment([:]) {
            try GPUCollector(library: Self.library, environment: [:])
        })
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
            _ = try Self.withEnvironment(["FAKE_NVML_INIT_ERROR": "9"]) {
                try GPUCollector(library: Self.library, environment: [:])
            }
        } throws: { "\($0)".contains("Driver Not Loaded") }
    }

    @Test func noDevicesMeansNoCollector() throws {
        let collector = try Self.withEnvironment(["FAKE_NVML_DEVICES": "0"]) {
            try GPUCollector(library: Self.library, environment: [:])
        }
        #expect(collector == nil)
    }

    @Test func aLostGPUThrowsFromCollect() throws {
        try Self.withEnvironment(["FAKE_NVML_FAIL_AFTER": "2"]) {
            let collector = try #require(try GPUCollector(library: Self.library, environment: [:]))
            defer { collector.close() }
            var records: [SystemRecord] = []
            try collector.collect(CollectContext(monotonicNanoseconds: 1), into: &records)
            #expect(throws: NVML.Error.self) { try collector.collect(CollectContext(monotonicNanoseconds: 2), into: &records) }
        }
    }
}
