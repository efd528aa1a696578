import Foundation
import Testing
import TrainScopeTesting

/// `trainscope tensors dump` on a trial written by smdebug's own writer (the TensorIO fixture).
@Suite(.serialized) struct TensorDumpTests {
    static let fixture = SourceTree.root() + "/Tests/TensorIOTests/Fixtures/smdebug-trial"

    @Test func jsonDumpHasEveryStepWorkerAndValue() throws {
        let r = try CLI.run(["tensors", "dump", Self.fixture, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        #expect(doc["workers"] as? [String] == ["worker_0", "worker_1"])
        #expect(doc["num_workers"] as? Int == 2)
        #expect(doc["ended"] as? Bool == true)
        let steps = try #require(doc["steps"] as? [[String: Any]])
        #expect(steps.map { $0["step"] as? Int } == [0, 1, 2, 3, 4, 5])
        #expect(steps.map { $0["mode"] as? String } == ["TRAIN", "TRAIN", "TRAIN", "EVAL", "TRAIN", "TRAIN"])
        let step1 = try #require(steps[1]["tensors"] as? [[String: Any]])
        let weight = try #require(step1.first { $0["name"] as? String == "dense/weight" && $0["worker"] as? String == "worker_1" })
        #expect(weight["dtype"] as? String == "float32")
        #expect(weight["shape"] as? [Int] == [2, 3])
        #expect(weight["values"] as? [[Double]] == [[1, 3, 5], [7, 9, 11]])
        #expect((weight["reductions"] as? [String: Double])?["abs_mean"] == 6.0)
        let activation = try #require(step1.first { $0["name"] as? String == "dense/activation" })
        #expect(activation["shape"] as? [Int] == [4, 3])
        #expect(activation["values"] == nil)
        let words = try #require(step1.first { $0["name"] as? String == "words" })
        #expect(words["values"] as? [String] == ["alpha", "β", "step1"])
    }

    @Test func textDumpAndFilters() throws {
        let r = try CLI.run(["tensors", "dump", Self.fixture, "--step", "3", "--tensor", "loss"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdoutText == """
            step 3 EVAL 0
              loss [worker_0] float32 shape [] = 0.75
              loss [worker_1] float32 shape [] = 0.7599999904632568

            """)
        #expect(r.stderr.contains("6 steps, workers worker_0, worker_1, ended"))
    }

    @Test func missingDirectoryIsAnError() throws {
        let r = try CLI.run(["tensors", "dump", "/nonexistent/trial"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/trial is not a directory"))
    }

    /// --follow prints steps while the trial is being written and exits at the end marker.
    @Test func followPrintsStepsAsTheyAppear() throws {
        let dir = TemporaryDirectory()
        let fm = FileManager.default
        func copy(_ relative: String) throws {
            let to = dir.file(relative)
            try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: Self.fixture + "/" + relative, toPath: to)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["tensors", "dump", dir.path, "--follow", "--format", "json", "--poll-interval", "0.05", "--tensor", "loss"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        try copy("collections/000000000/worker_0_collections.json")
        try copy("collections/000000000/worker_1_collections.json")
        for step in 0..<6 {
            for w in 0..<2 {
                let s = String(format: "%012d", step)
                try copy("events/\(s)/\(s)_worker_\(w).tfevents")
                try copy("index/000000000/\(s)_worker_\(w).json")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        fm.createFile(atPath: dir.file("training_job_end.ts"), contents: nil)
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { p.terminate() }
        #expect(p.terminationStatus == 0)
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        let steps = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(steps.map { $0?["step"] as? Int } == [0, 1, 2, 3, 4, 5])
        #expect((steps.last??["tensors"] as? [[String: Any]])?.count == 2)
    }
}
