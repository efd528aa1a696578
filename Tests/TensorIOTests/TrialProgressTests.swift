import Foundation
import Testing
import TrainScopeTesting
@testable import TensorIO

/// The sidecar's view of a trial being written: complete steps, workers and latest scalars, read
/// from directories that smdebug's own writer made (the committed fixture), file by file.
@Suite struct TrialProgressTests {
    /// Copies fixture files into `dir`, as a hook writing them would make them appear.
    struct Trial {
        let dir = TemporaryDirectory(prefix: "trial-progress")
        func copy(_ relative: String) throws {
            let fm = FileManager.default
            let to = dir.file(relative)
            try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: Fixtures.smdebugTrial + "/" + relative, toPath: to)
        }
        func copyStep(_ step: Int, worker: Int) throws {
            let s = String(format: "%012d", step)
            try copy("events/\(s)/\(s)_worker_\(worker).tfevents")
            try copy("index/000000000/\(s)_worker_\(worker).json")
        }
        func copyCollections() throws {
            try copy("collections/000000000/worker_0_collections.json")
            try copy("collections/000000000/worker_1_collections.json")
        }
    }

    static func loss(step: Int64, worker: Int, eval: Bool = false) -> Double {
        Double(Float(eval ? 0.75 + 0.01 * Double(worker) : 1.0 / Double(step + 1) + 0.01 * Double(worker)))
    }

    @Test func theWholeFixture() throws {
        let p = TrialProgress(directory: Fixtures.smdebugTrial)
        let fresh = p.refresh()
        #expect(p.hasEnded)
        #expect(p.workers == ["worker_0", "worker_1"])
        #expect(p.numWorkers == 2)
        #expect(p.completeSteps == 6)
        #expect(p.lastStep == 5)
        #expect(p.lastModeStep == [.train: 4, .eval: 0])
        #expect(p.unreadableIndexFiles.isEmpty && p.unreadableRecords == 0)
        // The 11 tensors `SmdebugTrialReader` lists, and the reduction smdebug saved under its own name.
        #expect(p.tensorCount == 12)

        // Scalars: the 0-d loss, the one-element int64 counter, the abs-mean reduction; per worker and mode.
        let latest = p.latestScalars
        #expect(Set(latest.map(\.tensor)) == ["loss", "global_step_counter", "smdebug/reductions/abs_mean/dense/weight"])
        #expect(latest.count == 3 * 2 * 2)
        let losses = latest.filter { $0.tensor == "loss" }
        #expect(losses.map { "\($0.worker) \($0.mode.rawValue) \($0.modeStep) \($0.step)" } == [
            "worker_0 EVAL 0 3", "worker_0 TRAIN 4 5", "worker_1 EVAL 0 3", "worker_1 TRAIN 4 5",
        ])
        #expect(losses.map(\.value) == [Self.loss(step: 3, worker: 0, eval: true), Self.loss(step: 5, worker: 0),
                                        Self.loss(step: 3, worker: 1, eval: true), Self.loss(step: 5, worker: 1)])
        #expect(latest.first { $0.tensor == "global_step_counter" && $0.worker == "worker_1" && $0.mode == .train }?.value == 5)
        // Every complete step's scalars came out once, in step order.
        #expect(fresh.filter { $0.tensor == "loss" }.count == 12)
        #expect(fresh.map(\.step) == fresh.map(\.step).sorted())
        // Nothing new: nothing again.
        #expect(p.refresh().isEmpty)
        #expect(p.completeSteps == 6)
    }

    /// As a two-worker hook writes it: a step counts once both workers wrote it, or once a later
    /// step is complete, or at the end marker; a half-written index file is retried.
    @Test func stepByStepWhileTheHookWrites() throws {
        let t = Trial()
        let p = TrialProgress(directory: t.dir.path)
        #expect(p.refresh().isEmpty && p.lastStep == nil)
        try t.copyCollections()
        try t.copyStep(0, worker: 0)
        try t.copyStep(1, worker: 0)
        #expect(p.refresh().isEmpty)                       // worker_1 has not written step 0 yet
        #expect(p.completeSteps == 0 && p.numWorkers == 2)

        try t.copyStep(0, worker: 1)
        let step0 = p.refresh()
        #expect(p.lastStep == 0 && p.completeSteps == 1)
        #expect(step0.filter { $0.tensor == "loss" }.map(\.value) == [Self.loss(step: 0, worker: 0), Self.loss(step: 0, worker: 1)])

        // worker_1 skips step 1 and writes step 2 with worker_0: step 1 counts with step 2.
        try t.copyStep(2, worker: 0)
        try t.copyStep(2, worker: 1)
        // A half-written index file for step 3: not parsed, retried.
        let s3 = String(format: "%012d", 3)
        try t.copy("events/\(s3)/\(s3)_worker_0.tfevents")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.smdebugTrial + "/index/000000000/\(s3)_worker_0.json"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: t.dir.file("index/000000000/\(s3)_worker_0.json")))
        let more = p.refresh()
        #expect(more.filter { $0.tensor == "loss" }.map(\.step) == [1, 2, 2])
        #expect(p.lastStep == 2 && p.completeSteps == 3)
        #expect(p.unreadableIndexFiles.keys.sorted() == ["index/000000000/\(s3)_worker_0.json"])

        try whole.write(to: URL(fileURLWithPath: t.dir.file("index/000000000/\(s3)_worker_0.json")))
        _ = p.refresh()
        #expect(p.unreadableIndexFiles.isEmpty)
        #expect(p.lastStep == 2)                           // step 3 waits for worker_1
        try t.copy("training_job_end.ts")
        let last = p.refresh()
        #expect(p.lastStep == 3 && p.lastModeStep == [.train: 2, .eval: 0])
        #expect(last.filter { $0.tensor == "loss" }.map(\.value) == [Self.loss(step: 3, worker: 0, eval: true)])
    }

    /// A worker that never writes again does not make memory grow: beyond `maxPendingSteps` the
    /// oldest steps count as complete. And the number of distinct scalars is capped.
    @Test func boundedWhateverTheTrialDoes() throws {
        let t = Trial()
        try t.copyCollections()   // declares two workers; only worker_0 writes
        let p = TrialProgress(directory: t.dir.path, configuration: .init(maxScalars: 2, maxPendingSteps: 3))
        for step in 0..<6 { try t.copyStep(step, worker: 0) }
        _ = p.refresh()
        #expect(p.completeSteps == 3 && p.lastStep == 2)  // 3, 4, 5 still wait for worker_1
        #expect(p.latestScalars.count == 2)
        #expect(p.scalarsDropped > 0)
    }

    /// An index file larger than any smdebug writes (here 100 MB, sparse) is refused unread, once,
    /// and the other steps are read as usual.
    @Test func anOversizedIndexFileIsNotRead() throws {
        let t = Trial()
        try t.copyCollections()
        for w in 0..<2 { try t.copyStep(0, worker: w) }
        let huge = t.dir.file("index/000000000/000000000001_worker_0.json")
        FileManager.default.createFile(atPath: huge, contents: nil)
        #expect(truncate(huge, 100_000_000) == 0)
        let p = TrialProgress(directory: t.dir.path)
        p.refresh()
        #expect(p.completeSteps == 1)
        let problem = try #require(p.unreadableIndexFiles["index/000000000/000000000001_worker_0.json"])
        #expect(problem.contains("100000000 bytes") && problem.contains("not read"), "\(problem)")
        p.refresh()
        #expect(p.unreadableIndexFiles.count == 1)
        #expect(TrialResumePoint.scan(directory: t.dir.path).unreadable.count == 1)
    }

    /// Where each worker of the fixture got to, for a writer that continues it.
    @Test func resumePointOfTheFixture() {
        let point = TrialResumePoint.scan(directory: Fixtures.smdebugTrial)
        #expect(point.unreadable.isEmpty)
        #expect(point.workers.keys.sorted() == ["worker_0", "worker_1"])
        for w in point.workers.values {
            #expect(w.lastStep == 5)
            #expect(w.modes == [.train: .init(step: 5, modeStep: 4), .eval: .init(step: 3, modeStep: 0)])
        }
        #expect(TrialResumePoint.scan(directory: "/nonexistent").workers.isEmpty)
    }

    /// A scalar record that cannot be read (the event file is cut short) is counted, not fatal.
    @Test func aTruncatedEventFileIsCounted() throws {
        let t = Trial()
        try t.copyCollections()
        for w in 0..<2 { try t.copyStep(0, worker: w) }
        let event = t.dir.file("events/000000000000/000000000000_worker_1.tfevents")
        #expect(truncate(event, 20) == 0)
        let p = TrialProgress(directory: t.dir.path)
        let fresh = p.refresh()
        #expect(p.completeSteps == 1)
        #expect(p.unreadableRecords > 0)
        #expect(fresh.allSatisfy { $0.worker == "worker_0" })
        #expect(p.lastProblem?.contains("000000000000_worker_1.tfevents") == true, "\(p.lastProblem ?? "")")
    }
}
