import Foundation
import Testing
import TrainScopeTesting

/// `trainscope tensors serve` with the repository's Python client, then `tensors dump` of the result.
@Suite(.serialized) struct TensorServeTests {
    @Test func clientToServeToDump() throws {
        let dir = TemporaryDirectory()
        let trial = dir.file("tensors")
        let hook = dir.file("hook.json")
        try #"{"DebugHookConfig": {"S3OutputPath": "s3://b/p", "HookParameters": {"save_interval": "2", "include_regex": "^fc"}}}"#
            .write(toFile: hook, atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLI.binary)
        server.arguments = ["tensors", "serve", "--dir", trial, "--listen", "127.0.0.1:0", "--hook-config", hook,
                            "--tensorboard-dir", dir.file("tb")]
        let err = Pipe()
        server.standardError = err
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        // The port is in the "tensor ingestion at http://127.0.0.1:PORT/v1/tensors" line.
        var text = ""
        var port: String?
        let deadline = Date().addingTimeInterval(30)
        while port == nil && Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let r = text.range(of: #"http://127\.0\.0\.1:(\d+)/v1/tensors"#, options: .regularExpression) {
                port = String(text[r].dropFirst("http://127.0.0.1:".count).prefix { $0.isNumber })
            }
        }
        let p = try #require(port, "no port in: \(text)")
        let script = """
            import sys
            sys.path.insert(0, "\(CLI.root)/Examples")
            from trainscope_client import TrainScopeClient
            c = TrainScopeClient("http://127.0.0.1:\(p)", errors="raise")
            for step in range(5):
                r = c.save(step, {"fc.weight": [[step, 1.0], [2.0, 3.0]], "conv.weight": [1.0], "loss": 0.5 / (step + 1)}, mode="TRAIN")
            print(sorted(r["saved"]), r["skipped"])
            """
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        py.arguments = ["python3", "-c", script]
        let out = Pipe()
        py.standardOutput = out
        try py.run()
        py.waitUntilExit()
        #expect(py.terminationStatus == 0)
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "['fc.weight', 'loss'] ['conv.weight']\n")
        let metrics = try HTTP.get(port: Int(p)!, path: "/metrics").text
        #expect(metrics.contains("trainscope_tensor_requests_total 5"))
        #expect(metrics.contains("trainscope_tensors_saved_total 6"))
        server.terminate()   // SIGTERM: the trial is finished
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: trial + "/training_job_end.ts"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("tb/TRAIN")).count == 1)
        let dump = try CLI.run(["tensors", "dump", trial, "--tensor", "fc.weight"])
        #expect(dump.status == 0)
        #expect(dump.stdoutText.contains("step 4 TRAIN 4\n  fc.weight [worker_0] float32 shape [2,2] = [[4.0,1.0],[2.0,3.0]]"))
        #expect(dump.stderr.contains("3 steps"))
    }
}
