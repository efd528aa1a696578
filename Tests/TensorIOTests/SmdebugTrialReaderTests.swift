import Foundation
import JobSpec
import Testing
import TrainScopeTesting
@testable import TensorIO

@Suite struct SmdebugTrialReaderTests {
    /// Everything smdebug's own writer put in the fixture reads back with the values it printed.
    @Test func readsATrialWrittenBySmdebug() throws {
        let reader = SmdebugTrialReader(directory: Fixtures.smdebugTrial)
        #expect(reader.refresh() == [0, 1, 2, 3, 4, 5])
        #expect(reader.problems.isEmpty)
        #expect(reader.hasEnded)
        #expect(reader.workers == ["worker_0", "worker_1"])
        #expect(reader.numWorkers == 2)
        #expect(reader.steps() == [0, 1, 2, 3, 4, 5])
        #expect(reader.steps(mode: .train) == [0, 1, 2, 3, 4])
        #expect(reader.steps(mode: .eval) == [0])
        #expect(reader.mode(ofStep: 3)! == (.eval, 0))
        #expect(reader.globalStep(mode: .train, modeStep: 3) == 4)
        #expect(reader.collectionsFile?.collections.map(\.name) == ["losses", "weights", "biases", "labels"])
        #expect(reader.tensorNames == ["dense/activation", "dense/bias", "dense/weight", "global_step_counter",
                                       "gradients/dense/weight", "half", "labels", "loss", "mask", "pixels", "words"])
        let expected = try Fixtures.smdebugExpectedValues()
        var compared = 0
        for member in expected.objectMembers! {
            for stepMember in member.value.objectMembers! {
                for workerMember in stepMember.value.objectMembers! {
                    let value = try reader.value(member.key, step: Int64(stepMember.key)!, worker: workerMember.key)
                    let got = try #require(value, "\(member.key) step \(stepMember.key) \(workerMember.key)")
                    #expect(Scalar.of(got) == Scalar.flatten(workerMember.value), "\(member.key) step \(stepMember.key)")
                    compared += 1
                }
            }
        }
        #expect(compared == 10 * 6 * 2)
        let reductions = try reader.reductions("dense/weight", step: 1)
        #expect(reductions[Reduction(name: "mean", abs: true)].map(Scalar.of) == [.number(5.0)])
        #expect(try reader.shape("dense/activation", step: 2) == [4, 3])
        #expect(try reader.value("dense/activation", step: 2) == nil)
        #expect(try reader.shape("dense/weight", step: 2, worker: "worker_1") == [2, 3])
        #expect(try reader.value("loss", step: 0)?.shape == [])
    }

    /// Index files appear one by one, as while training: steps become complete when both workers
    /// wrote them, or when the end marker appears.
    @Test func readsIncrementallyWhileTheTrialIsWritten() throws {
        let dir = TemporaryDirectory()
        let fm = FileManager.default
        func copy(_ relative: String) throws {
            let to = dir.file(relative)
            try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: Fixtures.smdebugTrial + "/" + relative, toPath: to)
        }
        let reader = SmdebugTrialReader(directory: dir.path)
        #expect(reader.refresh() == [])
        try copy("collections/000000000/worker_0_collections.json")
        try copy("collections/000000000/worker_1_collections.json")
        for step in 0..<3 {
            let s = String(format: "%012d", step)
            try copy("events/\(s)/\(s)_worker_0.tfevents")
            try copy("index/000000000/\(s)_worker_0.json")
        }
        #expect(reader.refresh() == [0, 1, 2])
        #expect(reader.steps() == [])                       // worker_1 has written nothing yet
        #expect(reader.steps(includeIncomplete: true) == [0, 1, 2])
        #expect(try reader.value("loss", step: 1).map(Scalar.of) == [.number(Double(Float(0.5)))])
        let s1 = String(format: "%012d", 1)
        try copy("events/\(s1)/\(s1)_worker_1.tfevents")
        try copy("index/000000000/\(s1)_worker_1.json")
        #expect(reader.refresh() == [])
        #expect(reader.steps() == [0, 1])                  // step 0 counts: a later step is complete
        #expect(reader.workers(of: "loss", step: 1) == ["worker_0", "worker_1"])
        // An index whose event file has not arrived: no value yet, no error.
        let s4 = String(format: "%012d", 4)
        try copy("index/000000000/\(s4)_worker_0.json")
        #expect(reader.refresh() == [4])
        #expect(try reader.value("loss", step: 4) == nil)
        try copy("events/\(s4)/\(s4)_worker_0.tfevents")
        #expect(try reader.value("loss", step: 4).map(Scalar.of) == [.number(Double(Float(0.2)))])
        fm.createFile(atPath: dir.file("training_job_end.ts"), contents: nil)
        reader.refresh()
        #expect(reader.steps() == [0, 1, 2, 4])
    }

    @Test func unreadableIndexIsReportedAndRetried() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("index/000000000"), withIntermediateDirectories: true)
        let path = dir.file("index/000000000/000000000007_worker_0.json")
        writeFile(path, Data("{\"meta\": {\"mode\": \"TRAIN\"".utf8))
        let reader = SmdebugTrialReader(directory: dir.path)
        #expect(reader.refresh() == [])
        #expect(reader.problems["index/000000000/000000000007_worker_0.json"]?.contains("not JSON") == true)
        writeFile(path, Data(#"{"meta": {"mode": "TRAIN", "mode_step": 7}, "tensor_payload": [], "shape_payload": [{"tensorname": "a", "originalname": "a", "shape": [2]}]}"#.utf8))
        #expect(reader.refresh() == [7])
        #expect(reader.problems.isEmpty)
        #expect(try reader.shape("a", step: 7) == [2])
    }
}
