import Foundation
import Testing
import TrainScopeTesting

/// `run` with a TensorBoardOutputConfig and a DebugHookConfig: the log-derived metrics become
/// TensorBoard scalars that TensorBoard's own reader reads, and the container gets smdebug's config
/// files (re-rooted under the ML root), their variables, and the trial's end marker.
@Suite(.serialized) struct RunDebuggerConfigTests {
    @Test func scalarsForTensorBoardAndConfigForSmdebugsHook() throws {
        let python = try #require(ProcessInfo.processInfo.environment["TRAINSCOPE_CONFORMANCE_PYTHON"],
                                  "TRAINSCOPE_CONFORMANCE_PYTHON is not set: run bash scripts/test.sh")
        let dir = TemporaryDirectory(prefix: "e2e-tb")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-tensorboard", extra: [
            "TensorBoardOutputConfig": ["S3OutputPath": "s3://bucket/tb", "LocalPath": "/opt/ml/output/tensorboard"],
            "DebugHookConfig": ["S3OutputPath": "s3://bucket/debug", "HookParameters": ["save_interval": "10"]],
            "ProfilerConfig": ["DisableProfiler": true],
        ])
        let script = """
        import json, os
        print(json.dumps({k: os.environ.get(k) for k in ['SMDEBUG_CONFIG_FILE_PATH', 'TENSORBOARD_CONFIG_FILE_PATH']}))
        for v in [0.5, 0.25, 0.125]:
            print(f'loss={v}')
        """
        let ml = dir.file("ml")
        let r = try CLI.run(["run", "--job", job, "--ml-root", ml, "--listen", "127.0.0.1:0", "--", "python3", "-c", script],
                            cwd: dir.path)
        #expect(r.status == 0, "stderr:\n\(r.stderr)")

        // The variables point at the files, and the files at the re-rooted folders.
        let firstLine = String(r.stdoutText.split(separator: "\n").first ?? "")
        let variables = try #require(try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: String])
        let hookFile = try #require(variables["SMDEBUG_CONFIG_FILE_PATH"])
        #expect(hookFile.hasSuffix("/input/config/debughookconfig.json"))
        let hook = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: hookFile))) as? [String: Any])
        #expect((hook["LocalPath"] as? String)?.hasSuffix("/output/tensors") == true && (hook["LocalPath"] as? String)?.hasPrefix("/opt/ml") == false)
        // The ingestion API served the trial, so it is finished when the job ends, as SageMaker's
        // platform does for smdebug's own hook.
        #expect(FileManager.default.fileExists(atPath: "\(ml)/output/tensors/training_job_end.ts"))

        // TensorBoard's EventAccumulator reads the scalars: one monotone step per metric.
        let reader = CLI.root + "/Tests/TensorIOTests/Conformance/read_tensorboard.py"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [reader, "\(ml)/output/tensorboard"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let read = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let scalars = try #require(read["scalars"] as? [String: [[Double]]], "\(String(decoding: data, as: UTF8.self))")
        let loss = try #require(scalars["train:loss"])
        #expect(loss.map { $0[0] } == [0, 1, 2])
        #expect(loss.map { $0[1] } == [0.5, 0.25, 0.125])
    }

    /// With a DebugHookConfig, the child posts tensors to TRAINSCOPE_URL; the trial is written by the
    /// hook's rules and finished when the job ends.
    @Test func tensorsPostedByTheChildLandInTheTrial() throws {
        let dir = TemporaryDirectory(prefix: "e2e-ingest")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-ingest", extra: [
            "DebugHookConfig": ["S3OutputPath": "s3://bucket/debug", "HookParameters": ["save_interval": "1"],
                                "CollectionConfigurations": [["CollectionName": "losses"]]],
            "ProfilerConfig": ["DisableProfiler": true],
        ])
        let script = """
        import json, os, urllib.request
        url = os.environ['TRAINSCOPE_URL'] + '/v1/tensors'
        for step in range(3):
            body = json.dumps({"step": step, "mode": "TRAIN", "tensors": [{"name": "loss", "dtype": "float32", "shape": [], "data": 1.0 / (step + 1)}]}).encode()
            req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
            print(urllib.request.urlopen(req).status)
        """
        let ml = dir.file("ml")
        let r = try CLI.run(["run", "--job", job, "--ml-root", ml, "--listen", "127.0.0.1:0", "--", "python3", "-c", script],
                            cwd: dir.path)
        #expect(r.status == 0, "stderr:\n\(r.stderr)")
        #expect(r.stdoutText == "200\n200\n200\n", "\(r.stdoutText)")
        let trial = "\(ml)/output/tensors"
        #expect(FileManager.default.fileExists(atPath: "\(trial)/training_job_end.ts"))
        let dump = try CLI.run(["tensors", "dump", trial, "--format", "json"])
        #expect(dump.status == 0, "\(dump.stderr)")
        #expect(dump.stdoutText.contains("\"loss\""), "\(dump.stdoutText)")
        #expect(dump.stdoutText.contains("0.5"), "\(dump.stdoutText)")
    }

    /// The demo: Examples/train.py under Examples/job.json sends its loss and weights through the
    /// stdlib client, and the DebugHookConfig's intervals decide which steps are kept.
    @Test func theDemoScriptSendsItsTensorsThroughTheClient() throws {
        let dir = TemporaryDirectory(prefix: "e2e-demo")
        let ml = dir.file("ml")
        let r = try CLI.run(["run", "--job", CLI.root + "/Examples/job.json", "--ml-root", ml, "--listen", "127.0.0.1:0", "--",
                             "python3", CLI.root + "/Examples/train.py", "--epochs", "1", "--steps-per-epoch", "30",
                             "--step-delay", "0"], cwd: dir.path)
        #expect(r.status == 0, "stderr:\n\(r.stderr.suffix(3000))")
        let dump = try CLI.run(["tensors", "dump", "\(ml)/output/tensors", "--format", "json"])
        #expect(dump.status == 0, "\(dump.stderr)")
        // losses every 10 steps, weights every 25 (HookParameters.save_interval).
        let text = dump.stdoutText
        #expect(text.contains("\"loss\"") && text.contains("\"fc1.weight\""), "\(text.prefix(2000))")
        #expect(FileManager.default.fileExists(atPath: "\(ml)/output/tensors/training_job_end.ts"))
        let events = (try? FileManager.default.contentsOfDirectory(atPath: "\(ml)/output/tensorboard")) ?? []
        #expect(events.contains { $0.hasPrefix("events.out.tfevents.") }, "\(events)")
    }
}
