import Foundation
import JobSpec
import Testing
import TrainScopeTesting
@testable import TensorIO

@Suite struct TensorBoardWriterTests {
    @Test func fileNameFirstEventAndRealCRCs() throws {
        let dir = TemporaryDirectory()
        let writer = try TensorBoardWriter(directory: dir.file("tb"), hostname: "algo-1", clock: { 1_700_000_123.25 })
        writer.add(tag: "train:loss", step: 3, value: 0.5)
        writer.flush()
        #expect(writer.path == dir.file("tb/events.out.tfevents.1700000123.algo-1"))
        let records = try TFRecordReader(path: writer.path, check: .crc32c).readAll(requireComplete: true)
        #expect(records.count == 2)
        let first = try Tensorboard_Event(serializedBytes: records[0].payload)
        #expect(first.fileVersion == "brain.Event:2")
        #expect(first.wallTime == 1_700_000_123.25)
        let second = try Tensorboard_Event(serializedBytes: records[1].payload)
        #expect(second.step == 3)
        #expect(second.summary.value.first?.tag == "train:loss")
        #expect(second.summary.value.first?.simpleValue == 0.5)
        // A second writer in the same second gets its own file.
        let other = try TensorBoardWriter(directory: dir.file("tb"), hostname: "algo-1", clock: { 1_700_000_123.9 })
        #expect(other.path == dir.file("tb/events.out.tfevents.1700000123.algo-1.1"))
    }

    @Test func tensorFormScalarsAndMonotoneSteps() throws {
        let dir = TemporaryDirectory()
        let writer = try TensorBoardWriter(directory: dir.path, hostname: "h", scalarForm: .tensor, clock: { 5 })
        writer.addNext(tag: "acc", value: 0.1)
        writer.addNext(tag: "acc", value: 0.2)
        writer.addNext(tag: "loss", value: 9)
        writer.close()
        let events = try TFRecordReader(path: writer.path, check: .crc32c).readAll(requireComplete: true).dropFirst()
            .map { try Tensorboard_Event(serializedBytes: $0.payload) }
        #expect(events.map(\.step) == [0, 1, 0])
        let v = events[1].summary.value[0]
        #expect(v.metadata.pluginData.pluginName == "scalars")
        #expect(v.tensor.dtype == .dtFloat)
        #expect(v.tensor.floatVal == [0.2])
        #expect(v.tensor.hasTensorShape && v.tensor.tensorShape.dim.isEmpty)
    }

    @Test func errorsAreCountedNotThrown() throws {
        let dir = TemporaryDirectory()
        let writer = try TensorBoardWriter(directory: dir.path, hostname: "h")
        writer.close()
        writer.add(tag: "x", step: 0, value: 1)
        #expect(writer.errorCount == 1)
        #expect(writer.lastError?.contains("closed") == true)
    }

    @Test func histogramMatchesTensorFlowBuckets() throws {
        // 774 limits 1e-12 * 1.1^k below 1e20, then DBL_MAX, on each side of 0.
        #expect(HistogramBuilder.defaultLimits.count == 1551)
        #expect(HistogramBuilder.defaultLimits[775] == 0)
        #expect(HistogramBuilder.defaultLimits[776] == 1e-12)
        #expect(HistogramBuilder.defaultLimits.last == .greatestFiniteMagnitude)
        let h = try #require(HistogramBuilder.histogram(of: [0, 0.5, 1, 1, -2, .nan]))
        #expect(h.num == 5)
        #expect(h.min == -2 && h.max == 1)
        #expect(h.sum == 0.5)
        #expect(h.sumSquares == 6.25)
        #expect(h.buckets.reduce(0, +) == 5)
        // Every non-empty bucket's limit is above its values; empty runs are collapsed.
        #expect(zip(h.buckets, h.buckets.dropFirst()).allSatisfy { !($0 == 0 && $1 == 0) })
        #expect(HistogramBuilder.histogram(of: [.nan, .infinity]) == nil)
    }
}

@Suite(.serialized) struct TensorBoardConformanceTests {
    /// TensorBoard's EventAccumulator reads the tags, steps and values back (and checks the CRCs).
    @Test func tensorBoardReadsTrainscopesEventFiles() throws {
        let dir = TemporaryDirectory()
        let writer = try TensorBoardWriter(directory: dir.path, hostname: "algo-1", clock: { 1_700_000_000 })
        for step in 0..<50 {
            writer.add(tag: "train:loss", step: Int64(step), value: 1 / Double(step + 1), wallTime: 1_700_000_000 + Double(step))
            if step % 10 == 0 {
                writer.addHistogram(tag: "weights/dense/weight", step: Int64(step),
                                    values: (0..<100).map { Double($0 - 50) * 0.01 * Double(step + 1) })
            }
        }
        writer.addNext(tag: "validation:accuracy", value: 0.75)
        writer.addNext(tag: "validation:accuracy", value: 0.875)
        writer.close()
        let tensorForm = try TensorBoardWriter(directory: dir.path, hostname: "algo-1", fileSuffix: ".tensor", scalarForm: .tensor,
                                               clock: { 1_700_000_000 })
        tensorForm.add(tag: "eval/loss", step: 7, value: 0.25)
        tensorForm.close()

        let got = try Conformance.json("read_tensorboard.py", [dir.path])
        #expect(got["file_version"]?.numberValue?.double == 2)   // "brain.Event:2", as ParseFileVersion reads it
        #expect(got["files"]?.arrayElements?.count == 2)
        let loss = try #require(got["scalars"]?["train:loss"]?.arrayElements)
        #expect(loss.count == 50)
        for (i, e) in loss.enumerated() {
            #expect(e.arrayElements?[0].numberValue?.double == Double(i))
            #expect(e.arrayElements?[1].numberValue?.double == Double(Float(1 / Double(i + 1))))
            #expect(e.arrayElements?[2].numberValue?.double == 1_700_000_000 + Double(i))
        }
        let acc = try #require(got["scalars"]?["validation:accuracy"]?.arrayElements)
        #expect(acc.map { $0.arrayElements?[0].numberValue?.double } == [0, 1])
        #expect(acc.map { $0.arrayElements?[1].numberValue?.double } == [0.75, 0.875])
        let tensor = try #require(got["tensor_scalars"]?["eval/loss"]?.arrayElements?.first?.arrayElements)
        #expect(tensor[0].numberValue?.double == 7)
        #expect(tensor[1].numberValue?.double == 0.25)
        #expect(tensor[2].stringValue == "scalars")
        let histograms = try #require(got["histograms"]?["weights/dense/weight"]?.arrayElements)
        #expect(histograms.map { $0["step"]?.numberValue?.double } == [0, 10, 20, 30, 40])
        let h = try #require(histograms.last)
        let values = (0..<100).map { Double($0 - 50) * 0.01 * 41 }
        #expect(h["num"]?.numberValue?.double == 100)
        #expect(h["min"]?.numberValue?.double == values.min())
        #expect(h["max"]?.numberValue?.double == values.max())
        #expect(h["bucket"]?.arrayElements?.compactMap { $0.numberValue?.double }.reduce(0, +) == 100)
        let expected = HistogramBuilder.histogram(of: values)!
        #expect(h["bucket_limit"]?.arrayElements?.compactMap { $0.numberValue?.double } == expected.bucketLimits)
    }
}
