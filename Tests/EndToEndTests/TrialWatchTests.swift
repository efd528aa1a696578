#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TrainScopeTesting

/// `run` and `tail` watch the Debugger trial that a hook writes: smdebug's own writer in the training
/// process, which finds the folder in the debughookconfig.json that `run` wrote, or any writer of a
/// folder given to `tail --tensor-dir`. Steps, workers and scalar tensors come out on `/metrics`.
@Suite(.serialized) struct TrialWatchTests {
    static let smdebugWriter = CLI.root + "/Tests/TensorIOTests/Conformance/write_smdebug_trial.py"
    static let fixture = CLI.root + "/Tests/TensorIOTests/Fixtures/smdebug-trial"

    /// The loss smdebug's writer saves (float32) at a global step, as the fixture's schedule has it.
    static func loss(step: Int, eval: Bool = false) -> String {
        let f = Float(eval ? 0.75 : 1.0 / Double(step + 1))
        return "\(Double(f))"
    }

    @Test func runWatchesTheTrialSmdebugsOwnWriterMakes() throws {
        let python = try #require(ProcessInfo.processInfo.environment["TRAINSCOPE_CONFORMANCE_PYTHON"],
                                  "TRAINSCOPE_CONFORMANCE_PYTHON is not set: run bash scripts/test.sh")
        let dir = TemporaryDirectory(prefix: "e2e-trial-run")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-trial-run", extra: [
            "DebugHookConfig": ["S3OutputPath": "s3://bucket/debug", "HookParameters": ["save_interval": "1"]],
            "ProfilerConfig": ["DisableProfiler": true],
        ])
        // As a script with smdebug's hook does: the folder comes from the file SageMaker (here `run`) wrote.
        let script = """
        import json, os, subprocess, sys
        cfg = json.load(open(os.environ['SMDEBUG_CONFIG_FILE_PATH']))
        subprocess.check_call([sys.executable, sys.argv[1], cfg['LocalPath'], '--workers', '1', '--no-end-marker'],
                              stdout=subprocess.DEVNULL)
        print('loss=0.125')
        """
        let ml = dir.file("ml")
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", ml, "--listen", "127.0.0.1:0", "--linger", "60",
                                         "--", python, "-c", script, Self.smdebugWriter], in: dir)
        defer { run.killTree() }
        let port = try run.metricsPort()
        var samples: [ExposedSample] = []
        var text = ""
        let ended = try poll(timeout: 30) {
            text = try HTTP.get(port: port, path: "/metrics").text
            samples = Exposed.parse(text)
            return Exposed.value(samples, "trainscope_training_job_status", ["status": "Completed"]) == "1"
        }
        #expect(ended, "the job never completed: \(run.stderr)")
        #expect(Exposed.value(samples, "trainscope_trial_ended") == "1")
        #expect(Exposed.value(samples, "trainscope_trial_workers") == "1")
        #expect(Exposed.value(samples, "trainscope_trial_steps_total") == "6")
        #expect(Exposed.value(samples, "trainscope_trial_last_step", ["mode": "GLOBAL"]) == "5")
        #expect(Exposed.value(samples, "trainscope_trial_last_step", ["mode": "TRAIN"]) == "4")
        #expect(Exposed.value(samples, "trainscope_trial_last_step", ["mode": "EVAL"]) == "0")
        let loss = ["tensor": "loss", "worker": "worker_0", "mode": "TRAIN"]
        #expect(Exposed.value(samples, "trainscope_trial_scalar", loss) == Self.loss(step: 5), "\(samples.filter { $0.name.hasPrefix("trainscope_trial") })")
        #expect(Exposed.value(samples, "trainscope_trial_scalar_step", loss) == "4")
        #expect(Exposed.value(samples, "trainscope_trial_scalar", ["tensor": "loss", "mode": "EVAL"]) == Self.loss(step: 3, eval: true))
        #expect(Exposed.value(samples, "trainscope_trial_tensors") == "12")
        let promtool = try #require(try? Executables.find("promtool"), "promtool is not on PATH (apt-get install prometheus)")
        let lint = try Executables.run([promtool, "check", "metrics"], stdin: Data(text.utf8))
        #expect(lint.status == 0 && (lint.stdout + lint.stderr).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                "promtool check metrics:\n\(lint.stdout)\(lint.stderr)")
        // The log's loss is there too, beside the hook's.
        #expect(Exposed.value(samples, "trainscope_training_metric", ["metric": "train:loss"]) == "0.125")

        // trainscope marked the end, and left smdebug's collections file as smdebug wrote it.
        let trial = "\(ml)/output/tensors"
        #expect(FileManager.default.fileExists(atPath: "\(trial)/training_job_end.ts"))
        let collections = try String(contentsOfFile: "\(trial)/collections/000000000/worker_0_collections.json", encoding: .utf8)
        #expect(collections.contains("\"loss\"") && collections.contains("dense/weight"), "\(collections)")
        run.signal(SIGTERM)
        #expect(try run.waitForExit(timeout: 10) == 0)
    }

    /// In a pod the training container reaches the sidecar on localhost: `tail` with a
    /// DebugHookConfig serves the ingestion API too. Stopping it ends the trial as it ends the job;
    /// a restart opens both again, refuses the steps already written, counts mode steps on, and
    /// keeps the tensor names that the collections file already lists.
    @Test func tailServesTheIngestionAPIAcrossARestart() throws {
        let dir = TemporaryDirectory(prefix: "e2e-tail-ingest")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-tail-ingest", extra: [
            "DebugHookConfig": ["S3OutputPath": "s3://bucket/debug", "HookParameters": ["save_interval": "1"],
                                "CollectionConfigurations": [["CollectionName": "losses"]]],
            "ProfilerConfig": ["DisableProfiler": true],
        ])
        let log = dir.file("train.log")
        FileManager.default.createFile(atPath: log, contents: Data("loss=1\n".utf8))
        let arguments = ["tail", "--job", job, "--db", dir.file("state/job.db"), "--listen", "127.0.0.1:0", log]
        let trial = dir.file("state/output/tensors")

        func post(_ port: Int, steps: ClosedRange<Int>) throws {
            for step in steps {
                let body = #"{"step": \#(step), "mode": "TRAIN", "tensors": [{"name": "loss", "data": \#(1.0 / Double(step + 1))}]}"#
                let r = try Executables.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                                             "--data-binary", body, "http://127.0.0.1:\(port)/v1/tensors"])
                #expect(r.stdout == "200", "step \(step): \(r.stdout) \(r.stderr)")
            }
        }
        for (life, steps) in [(1, 0...2), (2, 3...4)] {
            let tail = try RunningTrainscope(arguments, in: dir, name: "tail-\(life)")
            defer { tail.killTree() }
            let port = try tail.metricsPort()
            if life == 2 {   // the last step of the first life is refused, not written twice
                let r = try Executables.run(["curl", "-sS", "-w", " %{http_code}", "-H", "Content-Type: application/json",
                                             "--data-binary", #"{"step": 2, "mode": "TRAIN", "tensors": [{"name": "loss", "data": 9}]}"#,
                                             "http://127.0.0.1:\(port)/v1/tensors"])
                #expect(r.stdout.hasSuffix(" 409") && r.stdout.contains("already written"), "\(r.stdout)")
                #expect(tail.stderr.contains("continuing the tensor trial in \(trial): worker_0 after step 2"), "\(tail.stderr)")
            }
            try post(port, steps: steps)
            _ = try Executables.run(["curl", "-sS", "-X", "POST", "http://127.0.0.1:\(port)/v1/tensors/flush"])
            var samples: [ExposedSample] = []
            #expect(try poll(timeout: 10) {
                samples = Exposed.parse(try HTTP.get(port: port, path: "/metrics").text)
                return Exposed.value(samples, "trainscope_trial_last_step", ["mode": "TRAIN"]) == "\(steps.upperBound)"
            }, "\(tail.stderr)")
            #expect(Exposed.value(samples, "trainscope_trial_scalar", ["tensor": "loss", "mode": "TRAIN"])
                    == "\(Double(Float(1.0 / Double(steps.upperBound + 1))))")
            #expect(Exposed.value(samples, "trainscope_tensors_saved_total") == "\(steps.count)")
            #expect(!FileManager.default.fileExists(atPath: "\(trial)/training_job_end.ts"))
            tail.signal(SIGTERM)
            #expect(try tail.waitForExit(timeout: 10) == 0)
            #expect(FileManager.default.fileExists(atPath: "\(trial)/training_job_end.ts"))
        }
        let collections = try String(contentsOfFile: "\(trial)/collections/000000000/worker_0_collections.json", encoding: .utf8)
        #expect(collections.contains(#""tensor_names": ["loss"]"#), "\(collections)")
        let dump = try CLI.run(["tensors", "dump", trial, "--format", "json"])
        #expect(dump.status == 0, "\(dump.stderr)")
        // Mode steps go on across the restart: TRAIN 0…4, each once.
        for step in 0...4 { #expect(dump.stdoutText.contains(#""step":\#(step),"mode":"TRAIN","mode_step":\#(step),"#), "\(dump.stdoutText.prefix(900))") }
    }

    @Test func tailWatchesATrialFolderAsItGrows() throws {
        let dir = TemporaryDirectory(prefix: "e2e-trial-tail")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-trial-tail", extra: ["ProfilerConfig": ["DisableProfiler": true]])
        let trial = dir.file("trial")
        let log = dir.file("train.log")
        FileManager.default.createFile(atPath: log, contents: Data("loss=1\n".utf8))
        func copy(_ relative: String) throws {
            let to = "\(trial)/\(relative)"
            try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(Self.fixture)/\(relative)", toPath: to)
        }
        func copyStep(_ step: Int) throws {
            let s = String(format: "%012d", step)
            for w in 0..<2 {
                try copy("events/\(s)/\(s)_worker_\(w).tfevents")
                try copy("index/000000000/\(s)_worker_\(w).json")
            }
        }
        let tail = try RunningTrainscope(["tail", "--job", job, "--db", dir.file("db/job.db"), "--listen", "127.0.0.1:0",
                                          "--tensor-dir", trial, log], in: dir)
        defer { tail.killTree() }
        let port = try tail.metricsPort()
        func scrape() throws -> [ExposedSample] { Exposed.parse(try HTTP.get(port: port, path: "/metrics").text) }
        // No trial yet: the families are there, at zero.
        #expect(try poll(timeout: 10) { Exposed.value(try scrape(), "trainscope_trial_steps_total") == "0" })

        try copy("collections/000000000/worker_0_collections.json")
        try copy("collections/000000000/worker_1_collections.json")
        for step in 0..<3 { try copyStep(step) }
        var samples: [ExposedSample] = []
        #expect(try poll(timeout: 10) { samples = try scrape(); return Exposed.value(samples, "trainscope_trial_steps_total") == "3" },
                "\(tail.stderr)")
        #expect(Exposed.value(samples, "trainscope_trial_workers") == "2")
        #expect(Exposed.value(samples, "trainscope_trial_last_step", ["mode": "TRAIN"]) == "2")
        #expect(Exposed.value(samples, "trainscope_trial_scalar", ["tensor": "loss", "worker": "worker_0", "mode": "TRAIN"]) == Self.loss(step: 2))
        #expect(Exposed.value(samples, "trainscope_trial_ended") == "0")

        for step in 3..<6 { try copyStep(step) }
        try copy("training_job_end.ts")
        #expect(try poll(timeout: 10) { samples = try scrape(); return Exposed.value(samples, "trainscope_trial_ended") == "1" })
        #expect(Exposed.value(samples, "trainscope_trial_steps_total") == "6")
        #expect(Exposed.value(samples, "trainscope_trial_last_step", ["mode": "GLOBAL"]) == "5")
        #expect(Exposed.value(samples, "trainscope_training_metric", ["metric": "train:loss", "source": log]) == "1.0")
        tail.signal(SIGTERM)
        #expect(try tail.waitForExit(timeout: 10) == 0)
    }
}
