import Foundation
import Testing
import TrainScopeTesting
@testable import TensorIO

@Suite struct SmdebugTrialWriterTests {
    /// The same tensors as smdebug's own writer wrote into the fixture give byte-identical event and
    /// index files (proto3 encoding, Dim names, plugin data order, the payload-CRC constant, the
    /// index JSON's formatting).
    @Test(arguments: [false, true])
    func eventAndIndexFilesAreByteIdenticalToSmdebugs(asynchronousIO: Bool) throws {
        let dir = TemporaryDirectory()
        let writer = try SmdebugTrialWriter(directory: dir.path, numWorkers: 2, asynchronousIO: asynchronousIO)
        for w in 0..<2 {
            for (step, mode, modeStep) in Fixtures.schedule {
                let position = StepPosition(step: step, mode: mode, modeStep: modeStep, worker: "worker_\(w)")
                for tensor in OracleTensors.tensors(step: step, worker: w, mode: mode) {
                    try writer.write(tensor, at: position, wallTime: 1_700_000_000.5)
                }
                try writer.writeShape(name: "dense/activation", shape: [4, 3], at: position)
                try writer.closeStep(worker: "worker_\(w)")
            }
        }
        try writer.finish()
        var compared = 0
        for w in 0..<2 {
            for (step, _, _) in Fixtures.schedule {
                for relative in [TrialLayout.eventFile(step: step, worker: "worker_\(w)"),
                                 TrialLayout.indexFile(step: step, worker: "worker_\(w)")] {
                    let mine = try Data(contentsOf: URL(fileURLWithPath: dir.file(relative)))
                    let theirs = try Data(contentsOf: URL(fileURLWithPath: Fixtures.smdebugTrial + "/" + relative))
                    #expect(mine == theirs, "\(relative) differs")
                    compared += 1
                }
            }
        }
        #expect(compared == 24)
        #expect(FileManager.default.fileExists(atPath: dir.file("training_job_end.ts")))
        #expect(writer.tensorsWritten == 2 * 6 * 11)
        // No .tmp file is left behind.
        let leftovers = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func writesReadableStepsAsTheyClose() throws {
        let dir = TemporaryDirectory()
        var config = DebugHookConfiguration()
        config.collections = [CollectionDefinition(name: "losses", includeRegex: ["loss"])]
        let writer = try SmdebugTrialWriter(directory: dir.path, collections: config.collections, numWorkers: 1)
        let reader = SmdebugTrialReader(directory: dir.path)
        try writer.write(.float32("loss", shape: [], [0.5]), at: StepPosition(step: 0, mode: .train, modeStep: 0),
                         collections: ["losses"])
        #expect(reader.refresh() == [])                               // step 0 is still open
        #expect(FileManager.default.fileExists(atPath: dir.file("collections/000000000/worker_0_collections.json")))
        try writer.write(.float32("loss", shape: [], [0.25]), at: StepPosition(step: 1, mode: .train, modeStep: 1))
        #expect(reader.refresh() == [0])                              // a later step closed step 0
        #expect(reader.steps() == [0])
        #expect(try reader.value("loss", step: 0).map(Scalar.of) == [.number(0.5)])
        try writer.finish()
        reader.refresh()
        #expect(reader.steps() == [0, 1])
        #expect(reader.hasEnded)
        let collections = try CollectionsFile.parse(
            Array(Data(contentsOf: URL(fileURLWithPath: dir.file("collections/000000000/worker_0_collections.json")))), source: "c")
        #expect(collections.collections.first?.tensorNames == ["loss"])
        #expect(collections.numWorkers == 1)
    }

    @Test func refusesWhatSmdebugCannotRepresent() throws {
        let dir = TemporaryDirectory()
        let writer = try SmdebugTrialWriter(directory: dir.path)
        let t = Tensor.float32("x", shape: [1], [1])
        try writer.write(t, at: StepPosition(step: 5, mode: .train, modeStep: 2))
        func kind(_ body: () throws -> Void) -> TrialWriteError.Kind? {
            do { try body(); return nil } catch let e as TrialWriteError { return e.kind } catch { return nil }
        }
        #expect(kind { try writer.write(t, at: StepPosition(step: 5, mode: .train, modeStep: 2)) } == .duplicateTensor)
        #expect(kind { try writer.write(.float32("y", shape: [1], [1]), at: StepPosition(step: 5, mode: .eval, modeStep: 0)) } == .modeConflict)
        #expect(kind { try writer.write(t, at: StepPosition(step: 4)) } == .stepAlreadyWritten)
        #expect(kind { try writer.write(t, at: StepPosition(step: 6, worker: "../x")) } == .invalidWorker)
        #expect(kind { try writer.write(t, at: StepPosition(step: 6, worker: ".hidden")) } == .invalidWorker)
        #expect(kind { try writer.writeShape(name: "x", shape: [1], at: StepPosition(step: 5, mode: .train, modeStep: 2)) } == .duplicateTensor)
        try writer.write(t, at: StepPosition(step: 6))
        #expect(kind { try writer.write(.float32("z", shape: [1], [1]), at: StepPosition(step: 5, mode: .train, modeStep: 2)) } == .stepAlreadyWritten)
        try writer.finish()
        #expect(kind { try writer.write(t, at: StepPosition(step: 7)) } == .finished)
    }

    /// A second worker raises num_workers in every collections file; a step is complete once both wrote it.
    @Test func workersJoinAndStepsCompleteAcrossThem() throws {
        let dir = TemporaryDirectory()
        let writer = try SmdebugTrialWriter(directory: dir.path, numWorkers: 1)
        let reader = SmdebugTrialReader(directory: dir.path)
        try writer.write(.float32("a", shape: [1], [1]), at: StepPosition(step: 0, worker: "worker_0"))
        try writer.write(.float32("a", shape: [1], [2]), at: StepPosition(step: 0, worker: "worker_1"))
        try writer.closeOpenSteps()
        reader.refresh()
        #expect(reader.workers == ["worker_0", "worker_1"])
        #expect(reader.numWorkers == 2)
        #expect(reader.steps() == [0])
        #expect(try reader.value("a", step: 0, worker: "worker_1").map(Scalar.of) == [.number(2)])
        try writer.write(.float32("a", shape: [1], [3]), at: StepPosition(step: 1, worker: "worker_0"))
        try writer.closeOpenSteps()
        reader.refresh()
        #expect(reader.steps() == [0])                                 // worker_1 has not written step 1
        #expect(reader.steps(includeIncomplete: true) == [0, 1])
    }

    /// A step whose files cannot be written (here a file stands where its folder must go) is dropped
    /// whole, the failure is thrown once, and the steps before and after it are whole. Without a lane
    /// the failing call throws; with one, the next call that waits (or writes) does.
    @Test(arguments: [false, true])
    func aStepThatCannotBeWrittenIsDroppedWhole(asynchronousIO: Bool) throws {
        let dir = TemporaryDirectory()
        let writer = try SmdebugTrialWriter(directory: dir.path, asynchronousIO: asynchronousIO)
        let blocked = dir.file("events/000000000001")
        try FileManager.default.createDirectory(atPath: dir.file("events"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: blocked, contents: Data("in the way".utf8))
        func write(_ step: Int64) throws { try writer.write(.float32("loss", shape: [], [Float(step)]), at: StepPosition(step: step)) }
        try write(0)
        var failures: [TrialWriteError] = []
        func note(_ body: () throws -> Void) {
            do { try body() } catch let e as TrialWriteError { failures.append(e) } catch { Issue.record("\(error)") }
        }
        note { try write(1) }
        note { try write(2) }
        note { try writer.closeOpenSteps() }
        note { try writer.closeOpenSteps() }
        #expect(failures.count == 1, "\(failures)")
        #expect(failures.first?.kind == .io)
        #expect(failures.first?.message.contains("events/000000000001") == true, "\(failures)")
        try writer.finish()
        let reader = SmdebugTrialReader(directory: dir.path)
        reader.refresh()
        #expect(reader.steps() == [0, 2])
        #expect(try reader.value("loss", step: 2).map(Scalar.of) == [.number(2)])
        let leftovers = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    /// A failure still queued when the trial is finished: the trial ends all the same (the failed
    /// step dropped), then the failure is thrown.
    @Test func finishingAfterAFailureStillEndsTheTrial() throws {
        let dir = TemporaryDirectory()
        let writer = try SmdebugTrialWriter(directory: dir.path, asynchronousIO: true)
        try FileManager.default.createDirectory(atPath: dir.file("events"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir.file("events/000000000001"), contents: Data("in the way".utf8))
        try writer.write(.float32("loss", shape: [], [0]), at: StepPosition(step: 0))
        try writer.write(.float32("loss", shape: [], [1]), at: StepPosition(step: 1))
        #expect(throws: TrialWriteError.self) { try writer.finish() }
        #expect(FileManager.default.fileExists(atPath: dir.file(TrialLayout.endMarker)))
        let reader = SmdebugTrialReader(directory: dir.path)
        reader.refresh()
        #expect(reader.steps() == [0])
    }

    /// A second writer on the same trial (a restarted sidecar) keeps the tensor names the first one
    /// listed in the collections file, and refuses the steps it wrote once told where it got to.
    @Test func aSecondWriterContinuesTheTrial() throws {
        let dir = TemporaryDirectory()
        let losses = [CollectionDefinition(name: "losses", includeRegex: ["loss"])]
        let first = try SmdebugTrialWriter(directory: dir.path, collections: losses)
        try first.write(.float32("loss", shape: [], [1]), at: StepPosition(step: 0), collections: ["losses"])
        try first.finish(endMarker: false)
        let second = try SmdebugTrialWriter(directory: dir.path, collections: losses)
        second.resume(from: TrialResumePoint.scan(directory: dir.path))
        #expect(throws: TrialWriteError.self) { try second.write(.float32("loss", shape: [], [9]), at: StepPosition(step: 0)) }
        try second.write(.float32("val_loss", shape: [], [2]), at: StepPosition(step: 1), collections: ["losses"])
        try second.finish()
        let file = try CollectionsFile.parse(
            Array(Data(contentsOf: URL(fileURLWithPath: dir.file(TrialLayout.collectionsFile(worker: "worker_0"))))), source: "c")
        #expect(file.collections.first?.tensorNames == ["loss", "val_loss"])
        let reader = SmdebugTrialReader(directory: dir.path)
        reader.refresh()
        #expect(reader.steps() == [0, 1])
        #expect(try reader.value("loss", step: 0).map(Scalar.of) == [.number(1)])
    }

    /// With a lane, a write returns before its bytes are on disk; closing waits for them.
    @Test func asynchronousWritesAreOnDiskOnceClosed() throws {
        let dir = TemporaryDirectory()
        let writer = try SmdebugTrialWriter(directory: dir.path, asynchronousIO: true)
        let big = Tensor.float32("w", shape: [1 << 18], [Float](repeating: 0.5, count: 1 << 18))
        for step in 0..<20 { try writer.write(big, at: StepPosition(step: Int64(step))) }
        try writer.closeOpenSteps()
        let reader = SmdebugTrialReader(directory: dir.path)
        reader.refresh()
        #expect(reader.steps(includeIncomplete: true) == Array(0..<20))
        #expect(try reader.value("w", step: 19)?.elementCount == 1 << 18)
        #expect(writer.stepsClosed == 20)
    }

    /// Finishing a trial nothing was written through (the training script used smdebug's own hook)
    /// marks the end and leaves that hook's collections file as it wrote it; with nothing there at
    /// all, it declares the default worker so smdebug's readers do not wait for one.
    @Test func finishingAnUnusedWriterKeepsAnotherWritersCollections() throws {
        let dir = TemporaryDirectory()
        let writer = try SmdebugTrialWriter(directory: dir.path)
        let theirs = dir.file(TrialLayout.collectionsFile(worker: "worker_0"))
        try FileManager.default.createDirectory(atPath: dir.file(TrialLayout.collectionsDirectory), withIntermediateDirectories: true)
        let bytes = Data(#"{"meta": {"num_workers": 1}, "collections": {"losses": {"tensor_names": ["loss"]}}}"#.utf8)
        try bytes.write(to: URL(fileURLWithPath: theirs))
        try writer.finish()
        #expect(FileManager.default.contents(atPath: theirs) == bytes)
        #expect(FileManager.default.fileExists(atPath: dir.file(TrialLayout.endMarker)))

        let empty = TemporaryDirectory()
        try SmdebugTrialWriter(directory: empty.path).finish()
        #expect(FileManager.default.fileExists(atPath: empty.file(TrialLayout.collectionsFile(worker: "worker_0"))))
    }

    @Test func shapeOnlyStepWritesAnIndexWithoutEventFile() throws {
        let dir = TemporaryDirectory()
        let writer = try SmdebugTrialWriter(directory: dir.path)
        try writer.writeShape(name: "act", shape: [8, 4], at: StepPosition(step: 3))
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: dir.file(TrialLayout.eventFile(step: 3, worker: "worker_0"))))
        let index = try String(contentsOfFile: dir.file(TrialLayout.indexFile(step: 3, worker: "worker_0")), encoding: .utf8)
        #expect(index == #"{"meta": {"mode": "GLOBAL", "mode_step": 3}, "tensor_payload": [], "shape_payload": [{"tensorname": "act", "originalname": "act", "shape": [8, 4]}]}"#)
    }

    @Test func indexJSONEscapesAsPython() {
        let index = TrialIndex(mode: .train, modeStep: 1, eventFileName: "e", tensors: [.init(tensorName: "β\"\\\n/é😀", startIndex: 0, length: 20)])
        let text = String(decoding: index.jsonBytes(), as: UTF8.self)
        // json.dumps(ensure_ascii=True): \u escapes with lowercase hex, surrogate pairs.
        #expect(text.contains(#""tensorname": "\u03b2\"\\\n/\u00e9\ud83d\ude00""#))
    }
}

@Suite struct SmdebugEventCodecTests {
    /// The hand-framed parts around the tensor bytes equal SwiftProtobuf's serialization of the
    /// same message, whatever is zero or empty.
    @Test(arguments: [Int64(0), 1, 300, Int64.max])
    func partsEqualTheSerializedMessage(step: Int64) {
        let tensors: [Tensor] = [
            .float32("loss", shape: [], [0.5]),
            .float32("", shape: [0], []),
            .float64("w/é", shape: [2, 0, 3], []),
            .int64(String(repeating: "n", count: 200), shape: [130], Array(0..<130)),
            Tensor(name: "words", strings: ["a", "", "ß"]),
            Tensor(name: "none", strings: []),
        ]
        for t in tensors {
            for (mode, modeStep, wall) in [(TrainingMode.train, Int64(0), 0.0), (.eval, 7, 1_700_000_000.25), (.global, step, -1)] {
                let e = TensorEvent(tensor: t, step: step, mode: mode, modeStep: modeStep, wallTime: wall)
                let parts = SmdebugEventCodec.encodeParts(e)
                let joined = parts.prefix + (t.dtype == .string ? [] : Array(t.content)) + parts.suffix
                #expect(joined == SmdebugEventCodec.encode(e), "\(t.name) \(mode)")
                #expect(parts.payloadLength == joined.count)
                #expect((try? SmdebugEventCodec.decode(joined, source: "t")) == e)
            }
        }
    }

    @Test func partsAppendMatchesWholePayloadAppend() throws {
        let dir = TemporaryDirectory()
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for checksum in [TFRecord.PayloadChecksum.crc32c, .smdebugConstant] {
            let a = try TFRecordFileWriter(path: dir.file("a"), checksum: checksum, bufferCapacity: 1024)
            let b = try TFRecordFileWriter(path: dir.file("b"), checksum: checksum, bufferCapacity: 1024)
            for payload in [big, [1, 2, 3], []] {
                for cut in [0, 1, payload.count / 2, payload.count] where cut <= payload.count {
                    let spanA = try a.append(payload: payload)
                    let spanB = try payload.withUnsafeBytes { raw in
                        try b.append(parts: [UnsafeRawBufferPointer(rebasing: raw[0..<cut]), UnsafeRawBufferPointer(rebasing: raw[cut...])])
                    }
                    #expect(spanA == spanB)
                }
            }
            try a.close()
            try b.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("a"))) == Data(contentsOf: URL(fileURLWithPath: dir.file("b"))))
            #expect(try TFRecordReader(path: dir.file("b"), check: .either).readAll(requireComplete: true).count == 11)
        }
    }
}
