import Foundation
import SystemProfiler
import Testing
import TrainScopeTesting

@Suite struct SmdebugFileSinkTests {
    static func sample(_ micros: Int64, node: String = "algo-1", value: Double = 4.756) -> ProfilerSample {
        ProfilerSample(slot: 1, timeMicroseconds: micros, nodeID: node, records: [
            SystemRecord(type: "cpu", name: "cpu0", dimension: "CPUUtilization", value: value, smdebug: true),
            SystemRecord(type: "memory", name: "MemoryUsedBytes", dimension: "", value: 1e9, smdebug: false),
            SystemRecord(type: "memory", name: "MemoryUsedPercent", dimension: "", value: 5, smdebug: true),
        ])
    }

    static func files(_ root: String) -> [String] {
        (FileManager.default.subpaths(atPath: root) ?? []).filter { $0.hasSuffix(".json") || $0.hasSuffix(".ts") }.sorted()
    }

    @Test func linesAreSageMakersRecordsInSageMakersKeyOrder() throws {
        var out: [UInt8] = []
        SmdebugRecordEncoder.encode(Self.sample(1_591_160_699_457_089), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == """
            {"Type":"cpu","Name":"cpu0","Dimension":"CPUUtilization","Value":4.76,"NodeId":"algo-1","Timestamp":1591160699.457089}
            {"Type":"memory","Name":"MemoryUsedPercent","Dimension":"","Value":5.0,"NodeId":"algo-1","Timestamp":1591160699.457089}

            """)
    }

    @Test(arguments: [(0.004, "0.0"), (-0.004, "0.0"), (99.999, "100.0"), (262819579.4, "262819579.4"),
                      (1e20, "1e+20"), (Double.nan, "0.0"), (0.5, "0.5"), (7.0, "7.0")])
    func valuesAreRoundedToTwoDecimals(_ value: Double, _ expected: String) {
        var out: [UInt8] = []
        SmdebugRecordEncoder.encode(ProfilerSample(slot: 1, timeMicroseconds: 5, nodeID: "algo-1", records: [
            SystemRecord(type: "t", name: "n", dimension: "", value: value, smdebug: true)]), into: &out)
        let line = String(decoding: out, as: UTF8.self)
        #expect(line.contains("\"Value\":\(expected),"), "\(line)")
        #expect(line.contains("\"Timestamp\":0.000005}"))
    }

    @Test func filesAreNamedByMinuteInUTCHourFoldersAndRotateEveryWindow() throws {
        let dir = TemporaryDirectory(prefix: "smdebug-sink")
        let sink = SmdebugFileSink(configuration: .init(localPath: dir.path))
        // 2023-11-14 22:13:20 UTC is 1700000000; the minute began at 1699999980.
        for s: Int64 in [1_700_000_000, 1_700_000_030, 1_700_000_039, 1_700_000_040, 1_700_002_799, 1_700_002_800] {
            try sink.write(Self.sample(s * 1_000_000 + 250_000))
        }
        try sink.finish(endTimeMicroseconds: 0)
        #expect(Self.files(dir.path) == [
            "system/incremental/2023111422/1699999980.algo-1.json",
            "system/incremental/2023111422/1700000040.algo-1.json",
            "system/incremental/2023111422/1700002740.algo-1.json",
            "system/incremental/2023111423/1700002800.algo-1.json",
            "system/training_job_end.ts",
        ])
        let first = try String(contentsOfFile: "\(dir.path)/system/incremental/2023111422/1699999980.algo-1.json", encoding: .utf8)
        #expect(first.split(separator: "\n").count == 6)   // 3 samples × 2 smdebug records
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/system/training_job_end.ts")).isEmpty)
    }

    @Test func aWindowLongerThanAnHourStillSplitsAtTheHour() throws {
        let dir = TemporaryDirectory(prefix: "smdebug-sink")
        let sink = SmdebugFileSink(configuration: .init(localPath: dir.path, rotateFileCloseIntervalInSeconds: 7200))
        try sink.write(Self.sample(1_700_002_790_000_000))   // 22:59:50 UTC
        try sink.write(Self.sample(1_700_002_810_000_000))   // 23:00:10 UTC, same 2-hour window
        try sink.finish(endTimeMicroseconds: 0)
        #expect(Self.files(dir.path).filter { $0.hasSuffix(".json") } == [
            "system/incremental/2023111422/1699999200.algo-1.json",
            "system/incremental/2023111423/1700002810.algo-1.json",
        ])
    }

    @Test func aFullFileRotatesToOneNamedAfterTheSampleKeepingNamesUnique() throws {
        let dir = TemporaryDirectory(prefix: "smdebug-sink")
        // Two samples' lines (about 240 bytes) fit; the third starts a new file.
        let sink = SmdebugFileSink(configuration: .init(localPath: dir.path, rotateMaxFileSizeInBytes: 500))
        for k: Int64 in 0..<6 { try sink.write(Self.sample(1_700_000_010_000_000 + k * 100_000)) }
        try sink.finish(endTimeMicroseconds: 0)
        let names = Self.files(dir.path).filter { $0.hasSuffix(".json") }.map { ($0 as NSString).lastPathComponent }
        #expect(names == ["1699999980.algo-1.json", "1700000010.algo-1.json", "1700000011.algo-1.json"])
        for name in names {
            let size = try FileManager.default.attributesOfItem(atPath: "\(dir.path)/system/incremental/2023111422/\(name)")[.size] as! Int
            #expect(size <= 500)
        }
    }

    @Test func givesUpAfterFileOpenFailThresholdFailuresInARow() throws {
        let dir = TemporaryDirectory(prefix: "smdebug-sink")
        FileManager.default.createFile(atPath: dir.file("file"), contents: Data())
        // LocalPath under a regular file: every directory creation fails.
        let sink = SmdebugFileSink(configuration: .init(localPath: dir.file("file/profiler"), fileOpenFailThreshold: 3))
        var messages: [String] = []
        for k: Int64 in 0..<5 {
            do { try sink.write(Self.sample(1_700_000_000_000_000 + k * 100_000)); Issue.record("write succeeded") }
            catch { messages.append("\(error)") }
        }
        #expect(messages.prefix(3).allSatisfy { $0.contains("cannot create") })
        #expect(messages.suffix(2).allSatisfy { $0.contains("gave up after 3 failures") })
    }

    @Test func aSampleWithoutSageMakerRecordsWritesNothing() throws {
        let dir = TemporaryDirectory(prefix: "smdebug-sink")
        let sink = SmdebugFileSink(configuration: .init(localPath: dir.path, writeEndMarker: false))
        try sink.write(ProfilerSample(slot: 1, timeMicroseconds: 1_700_000_000_000_000, nodeID: "algo-1", records: [
            SystemRecord(type: "container", name: "CPULimitCores", dimension: "", value: 2, smdebug: false)]))
        try sink.finish(endTimeMicroseconds: 0)
        #expect(Self.files(dir.path).isEmpty)
    }
}
