#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import TrainScopeTesting

/// `trainscope run` end to end: the built binary, a real child process, the HTTP endpoint, the
/// database read back through `describe` and `metrics`. Serialized: several tests time things or move
/// 100 MB, and the CI machine has two cores.
@Suite(.serialized) struct RunCommandTests {
    static let lossRegex = "loss=([0-9.eE+-]+|nan|inf)"

    /// Writes a CreateTrainingJob request and returns its path.
    static func writeJob(in dir: TemporaryDirectory, name: String,
                         definitions: [(String, String)] = [("train:loss", lossRegex)],
                         extra: [String: Any] = [:]) throws -> String {
        var job: [String: Any] = [
            "TrainingJobName": name,
            "AlgorithmSpecification": [
                "TrainingInputMode": "File",
                "MetricDefinitions": definitions.map { ["Name": $0.0, "Regex": $0.1] },
            ] as [String: Any],
        ]
        for (k, v) in extra { job[k] = v }
        let path = dir.file("job.json")
        try JSONSerialization.data(withJSONObject: job, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func contents(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

    static func metrics(_ port: Int) throws -> (text: String, samples: [ExposedSample], response: HTTP.Response) {
        let response = try HTTP.get(port: port, path: "/metrics")
        return (response.text, Exposed.parse(response.text), response)
    }

    // MARK: 1. Happy path

    /// Replays files from its folder: stdout-1.bin and stderr.bin, then waits for `go`, then stdout-2.bin.
    static let replayer = """
        import os, sys, time
        d = sys.argv[1]
        def emit(fd, name):
            data = open(os.path.join(d, name), "rb").read()
            while data:
                data = data[os.write(fd, data):]
        emit(1, "stdout-1.bin")
        emit(2, "stderr.bin")
        deadline = time.time() + 30
        while not os.path.exists(os.path.join(d, "go")):
            if time.time() > deadline:
                sys.exit(99)
            time.sleep(0.01)
        emit(1, "stdout-2.bin")
        """

    @Test func happyPathForwardsExtractsStoresAndServes() throws {
        let dir = TemporaryDirectory(prefix: "e2e-happy")
        let job = try Self.writeJob(in: dir, name: "e2e-happy", definitions: [
            ("train:loss", Self.lossRegex),
            ("validation:auc", "#011validation-auc:([0-9.]+)"),
            ("train:grad_norm", "grad-norm=([0-9.]+)"),
        ])
        let stdout1: [UInt8] = Array("starting run\n".utf8)
            + Array("epoch=1 loss=0.9\n".utf8)
            + Array("[1]\tvalidation-auc:0.75\n".utf8)                            // TAB, seen as #011
            + Array("step 1 loss=0.8\rstep 2 loss=0.7\rstep 3 loss=0.6\n".utf8)   // one line: first match only
            + Array("loss=nan\n".utf8)
            + [0xFF, 0xFE, 0xC3, 0x28] + Array(" not utf-8 loss=0.55\n".utf8)     // invalid UTF-8
            + Array("loss=e\n".utf8)                                              // matches, not a number
            + Array("[2]\tvalidation-auc:0.8125\n".utf8)
            + Array("epoch=2 loss=0.5\n".utf8)
        let stdoutLines = 9
        let stderrBytes: [UInt8] = Array("warning: child stderr\ngrad-norm=2.5\ngrad-norm=1.25\n".utf8)
        let stdout2: [UInt8] = Array("done\nfinal loss=0.25".utf8)                // no newline at the end
        try Self.write(stdout1, to: dir.file("stdout-1.bin"))
        try Self.write(stderrBytes, to: dir.file("stderr.bin"))
        try Self.write(stdout2, to: dir.file("stdout-2.bin"))
        try Self.write(Self.replayer, to: dir.file("child.py"))
        let mlRoot = dir.file("ml")

        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", mlRoot, "--listen", "127.0.0.1:0",
                                         "--host-id", "algo-2", "--", "python3", dir.file("child.py"), dir.path], in: dir)
        let port = try run.metricsPort()

        // Extraction runs behind forwarding: scrape until every value written so far has been counted.
        func scrapeNow() throws -> (text: String, samples: [ExposedSample], response: HTTP.Response) {
            do { return try Self.metrics(port) } catch {
                throw TestFailure("GET /metrics failed: \(error); trainscope running: \(run.process.isRunning); stderr:\n\(run.stderr)")
            }
        }
        var scrape = try scrapeNow()
        let caughtUp = try poll(timeout: 15, interval: 0.05) {
            scrape = try scrapeNow()
            let s = scrape.samples
            return Exposed.value(s, "trainscope_training_metric_samples_total", ["metric": "train:loss"]) == "5"
                && Exposed.value(s, "trainscope_training_metric_samples_total", ["metric": "validation:auc"]) == "2"
                && Exposed.value(s, "trainscope_training_metric_samples_total", ["metric": "train:grad_norm"]) == "2"
        }
        #expect(caughtUp, "extraction did not catch up within 15 s; last scrape:\n\(scrape.text)")
        #expect(scrape.response.status == 200)
        #expect(scrape.response.headers.lowercased().contains("content-type: text/plain; version=0.0.4"))

        let s = scrape.samples
        let job_ = ["host": "algo-2", "training_job": "e2e-happy"]
        func v(_ name: String, _ labels: [String: String] = [:]) -> String? {
            Exposed.value(s, name, job_.merging(labels) { $1 })
        }
        #expect(!s.isEmpty)
        #expect(s.allSatisfy { $0.labels["host"] == "algo-2" && $0.labels["training_job"] == "e2e-happy" },
                "every series carries the host and job labels: \(s.filter { $0.labels["host"] != "algo-2" || $0.labels["training_job"] != "e2e-happy" })")
        #expect(v("trainscope_training_metric", ["metric": "train:loss"]) == "0.5")
        #expect(v("trainscope_training_metric", ["metric": "validation:auc"]) == "0.8125")
        #expect(v("trainscope_training_metric", ["metric": "train:grad_norm"]) == "1.25")
        #expect(v("trainscope_metric_parse_failures_total", ["metric": "train:loss"]) == "1")
        #expect(v("trainscope_metric_parse_failures_total", ["metric": "validation:auc"]) == "0")
        #expect(v("trainscope_log_lines_total", ["stream": "stdout"]) == "\(stdoutLines)")
        #expect(v("trainscope_log_lines_total", ["stream": "stderr"]) == "3")
        #expect(v("trainscope_log_bytes_total", ["stream": "stdout"]) == "\(stdout1.count)")
        #expect(v("trainscope_log_bytes_total", ["stream": "stderr"]) == "\(stderrBytes.count)")
        #expect(v("trainscope_log_dropped_bytes_total", ["stream": "stdout"]) == "0")
        #expect(v("trainscope_log_dropped_bytes_total", ["stream": "stderr"]) == "0")
        #expect(v("trainscope_store_errors_total") == "0")
        #expect(v("trainscope_training_job_status", ["status": "InProgress"]) == "1")
        #expect(v("trainscope_training_job_status", ["status": "Completed"]) == "0")

        // promtool is a hard requirement here (CI installs it): a missing one fails, it does not skip.
        let promtool = try #require(try? Executables.find("promtool"),
                                    "promtool is not on PATH: install it (Debian/Ubuntu: apt-get install prometheus)")
        let lint = try Executables.run([promtool, "check", "metrics"], stdin: Data(scrape.text.utf8))
        #expect(lint.status == 0, "promtool check metrics failed:\n\(lint.stdout)\(lint.stderr)")
        #expect((lint.stdout + lint.stderr).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                "promtool lint problems:\n\(lint.stdout)\(lint.stderr)")

        _ = FileManager.default.createFile(atPath: dir.file("go"), contents: nil)
        let status = try run.waitForExit()
        #expect(status == 0, "stderr:\n\(run.stderr)")

        // Byte for byte: trainscope's stdout and the spool hold exactly what the child wrote.
        let childStdout = stdout1 + stdout2
        #expect(Array(run.stdout) == childStdout)
        #expect(Self.contents("\(mlRoot)/output/logs/stdout.log") == childStdout)
        #expect(Self.contents("\(mlRoot)/output/logs/stderr.log") == stderrBytes)
        let ownStderr = FileManager.default.contents(atPath: run.stderrPath) ?? Data()
        #expect(ownStderr.range(of: Data(stderrBytes)) != nil, "trainscope's stderr lacks the child's stderr bytes:\n\(run.stderr)")

        let record = RunRecord(db: "\(mlRoot)/trainscope.db")
        let d = try record.describe()
        #expect(d["TrainingJobName"] as? String == "e2e-happy")
        #expect(d["TrainingJobStatus"] as? String == "Completed")
        #expect(d["SecondaryStatus"] as? String == "Completed")
        #expect(d["FailureReason"] == nil)
        #expect((d["ExitCode"] as? NSNumber)?.intValue == 0)
        let start = try #require((d["TrainingStartTime"] as? NSNumber)?.doubleValue)
        let end = try #require((d["TrainingEndTime"] as? NSNumber)?.doubleValue)
        #expect(start <= end)
        let transitions = (d["SecondaryStatusTransitions"] as? [[String: Any]] ?? []).compactMap { $0["Status"] as? String }
        #expect(transitions == ["Starting", "Training", "Completed"])
        let definitions = ((d["AlgorithmSpecification"] as? [String: Any])?["MetricDefinitions"] as? [[String: Any]] ?? [])
            .compactMap { $0["Name"] as? String }
        #expect(definitions == ["train:loss", "validation:auc", "train:grad_norm"])
        var final: [String: Double] = [:]
        for m in d["FinalMetricDataList"] as? [[String: Any]] ?? [] {
            if let name = m["MetricName"] as? String, let value = (m["Value"] as? NSNumber)?.doubleValue { final[name] = value }
        }
        #expect(final == ["train:loss": 0.25, "validation:auc": 0.8125, "train:grad_norm": 1.25])

        let rows = try record.csvRows()
        #expect(rows.count == 10)
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.time <= $1.time }, "rows are not in time order")
        let series = try record.series()
        #expect(sameValues(series["train:loss"] ?? [], [0.9, 0.8, .nan, 0.55, 0.5, 0.25]), "\(series)")
        #expect(series["validation:auc"] == [0.75, 0.8125])
        #expect(series["train:grad_norm"] == [2.5, 1.25])
        #expect(try record.csvRows(name: "validation:auc").map(\.value) == [0.75, 0.8125])
    }

    // MARK: 2–4. How the child ends

    @Test func childExitCodeIsPropagated() throws {
        let dir = TemporaryDirectory(prefix: "e2e-exit")
        let job = try Self.writeJob(in: dir, name: "e2e-exit3")
        let r = try CLI.run(["run", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0", "--",
                             "python3", "-c", "import sys; print('loss=0.5'); sys.exit(3)"], cwd: dir.path)
        #expect(r.status == 3, "stderr:\n\(r.stderr)")
        #expect(r.stdoutText == "loss=0.5\n")
        let d = try RunRecord(db: dir.file("ml/trainscope.db")).describe()
        #expect(d["TrainingJobStatus"] as? String == "Failed")
        #expect(d["SecondaryStatus"] as? String == "Failed")
        let reason = d["FailureReason"] as? String ?? ""
        #expect(reason.contains("exited with code 3"), "FailureReason: \(reason)")
        #expect((d["ExitCode"] as? NSNumber)?.intValue == 3)
        // Values read before the failure are kept.
        #expect((d["FinalMetricDataList"] as? [[String: Any]])?.first?["Value"] as? NSNumber == 0.5)
    }

    @Test func childKilledBySignalExits128PlusN() throws {
        let dir = TemporaryDirectory(prefix: "e2e-kill")
        let job = try Self.writeJob(in: dir, name: "e2e-kill9")
        let r = try CLI.run(["run", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0", "--",
                             "python3", "-c", "import os; print('loss=0.5', flush=True); os.kill(os.getpid(), 9)"], cwd: dir.path)
        #expect(r.status == 137, "stderr:\n\(r.stderr)")
        let d = try RunRecord(db: dir.file("ml/trainscope.db")).describe()
        #expect(d["TrainingJobStatus"] as? String == "Failed")
        let reason = d["FailureReason"] as? String ?? ""
        #expect(reason.contains("signal 9"), "FailureReason: \(reason)")
        #expect((d["ExitCode"] as? NSNumber)?.intValue == 137)
        #expect(try RunRecord(db: dir.file("ml/trainscope.db")).series()["train:loss"] == [0.5])
    }

    @Test func commandNotFoundExits127() throws {
        let dir = TemporaryDirectory(prefix: "e2e-notfound")
        let job = try Self.writeJob(in: dir, name: "e2e-notfound")
        let r = try CLI.run(["run", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0", "--",
                             "trainscope-no-such-command-4711", "--epochs", "1"], cwd: dir.path)
        #expect(r.status == 127, "stderr:\n\(r.stderr)")
        #expect(r.stderr.contains("trainscope-no-such-command-4711: command not found"), "stderr:\n\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let db = dir.file("ml/trainscope.db")
        if FileManager.default.fileExists(atPath: db) {
            let d = try RunRecord(db: db).describe()
            #expect(d["TrainingJobStatus"] as? String == "Failed")
            let reason = d["FailureReason"] as? String ?? ""
            #expect(reason.contains("command not found"), "FailureReason: \(reason)")
            #expect((d["ExitCode"] as? NSNumber)?.intValue == 127)
        }
    }

    /// The child gets stdin, its two pipes and nothing else of trainscope's: above all not the HTTP
    /// listening socket, which an orphaned child would otherwise keep bound after trainscope is gone.
    @Test func childInheritsNoDescriptorsButStdio() throws {
        let dir = TemporaryDirectory(prefix: "e2e-fds")
        let job = try Self.writeJob(in: dir, name: "e2e-fds")
        let report = dir.file("fds.json")
        let r = try CLI.run(["run", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0", "--", "python3", "-c", """
            import json, os, sys
            fds = {}
            for name in os.listdir("/proc/self/fd"):
                try:
                    fds[name] = os.readlink("/proc/self/fd/" + name)
                except OSError:
                    pass
            json.dump(fds, open(sys.argv[1], "w"))
            """, report], cwd: dir.path)
        #expect(r.status == 0, "stderr:\n\(r.stderr)")
        let fds = try #require(try JSONSerialization.jsonObject(with: Data(Self.contents(report))) as? [String: String])
        // The directory listdir itself had open is the only other one allowed.
        let extra = fds.filter { !["0", "1", "2"].contains($0.key) && !$0.value.hasPrefix("/proc/") }
        #expect(extra.isEmpty, "the training process inherited trainscope's descriptors: \(extra.sorted { $0.key < $1.key })")
        #expect(fds["1"]?.hasPrefix("pipe:") == true && fds["2"]?.hasPrefix("pipe:") == true, "\(fds)")
    }

    // MARK: 5–7. trainscope's own errors, before the child starts

    /// A child that would leave a marker file behind if it ever ran.
    static func markerCommand(_ dir: TemporaryDirectory) -> [String] {
        ["python3", "-c", "open(\(dir.file("MARKER").debugDescription), 'w').close()"]
    }

    @Test func portInUseFailsBeforeTheChildStarts() throws {
        let dir = TemporaryDirectory(prefix: "e2e-port")
        let job = try Self.writeJob(in: dir, name: "e2e-port")
        let occupied = try Sockets.listening()
        defer { close(occupied.fd) }
        let address = "127.0.0.1:\(occupied.port)"
        // Started in the background with a deadline: a bind failure must not hang trainscope.
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", dir.file("ml"), "--listen", address, "--"]
                                        + Self.markerCommand(dir), in: dir)
        let status = try run.waitForExit(timeout: 15)
        #expect(status == 1, "stderr:\n\(run.stderr)")
        let err = run.stderr
        #expect(err.contains(address), "stderr does not name \(address):\n\(err)")
        #expect(err.contains("in use") || err.contains("bind"), "stderr:\n\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("MARKER")), "the child ran although the port was taken")
        #expect(run.stdout.isEmpty)
    }

    @Test func unwritableDatabaseFailsBeforeTheChildStarts() throws {
        let dir = TemporaryDirectory(prefix: "e2e-db")
        let job = try Self.writeJob(in: dir, name: "e2e-db")
        // A path below a regular file cannot be created, even by root.
        try Self.write("not a folder\n", to: dir.file("plainfile"))
        let db = dir.file("plainfile/x.db")
        let r = try CLI.run(["run", "--job", job, "--ml-root", dir.file("ml"), "--db", db, "--listen", "127.0.0.1:0", "--"]
                            + Self.markerCommand(dir), cwd: dir.path)
        #expect(r.status == 1, "stderr:\n\(r.stderr)")
        #expect(r.stderr.contains(db), "the message does not name \(db):\n\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("MARKER")), "the child ran although the database failed")
        #expect(!r.stderr.contains("metrics at http://"), "the endpoint started:\n\(r.stderr)")
    }

    @Test func invalidJobFailsBeforeTheChildStarts() throws {
        let dir = TemporaryDirectory(prefix: "e2e-badjob")
        // Syntax: the message gives file:line:column.
        try Self.write("{\"TrainingJobName\": \"x\",\n \"AlgorithmSpecification\": {,}}\n", to: dir.file("bad.json"))
        let syntax = try CLI.run(["run", "--job", dir.file("bad.json"), "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0", "--"]
                                 + Self.markerCommand(dir), cwd: dir.path)
        #expect(syntax.status == 1, "stderr:\n\(syntax.stderr)")
        #expect(syntax.stderr.contains("bad.json:2:29"), "no file:line:column in:\n\(syntax.stderr)")
        // Shape: the message gives the JSON path of the member.
        try Self.write("""
            {"TrainingJobName": "x", "AlgorithmSpecification": {"TrainingInputMode": "File",
             "MetricDefinitions": [{"Name": "train:loss", "Regex": 5}]}}
            """, to: dir.file("shape.json"))
        let shape = try CLI.run(["run", "--job", dir.file("shape.json"), "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0", "--"]
                                + Self.markerCommand(dir), cwd: dir.path)
        #expect(shape.status == 1, "stderr:\n\(shape.stderr)")
        #expect(shape.stderr.contains("AlgorithmSpecification.MetricDefinitions[0].Regex"), "no JSON path in:\n\(shape.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("MARKER")), "the child ran although the job was invalid")
        #expect(!FileManager.default.fileExists(atPath: dir.file("ml/trainscope.db")), "a database was created for an invalid job")
    }

    // MARK: 8–9. Stopping

    @Test func sigtermIsForwardedAndNothingReadIsLost() throws {
        let dir = TemporaryDirectory(prefix: "e2e-sigterm")
        let job = try Self.writeJob(in: dir, name: "e2e-sigterm")
        let n = 2000
        try Self.write("""
            import os, signal, sys, time
            def on_term(signum, frame):
                os.write(1, b"got SIGTERM\\n")
                os._exit(143)
            signal.signal(signal.SIGTERM, on_term)
            for i in range(1, int(sys.argv[2]) + 1):
                print("step %d loss=%d" % (i, i))
            sys.stdout.flush()
            open(os.path.join(sys.argv[1], "ready"), "w").close()
            deadline = time.time() + 30
            while time.time() < deadline:
                time.sleep(0.05)
            os._exit(99)
            """, to: dir.file("child.py"))
        let mlRoot = dir.file("ml")
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", mlRoot, "--listen", "127.0.0.1:0",
                                         "--stop-grace", "20", "--", "python3", dir.file("child.py"), dir.path, "\(n)"], in: dir)
        _ = try run.metricsPort()
        let ready = poll(timeout: 15) { FileManager.default.fileExists(atPath: dir.file("ready")) }
        try #require(ready, "the child never became ready; stderr:\n\(run.stderr)")
        // No waiting for extraction: what was read when the signal came must still be stored.
        run.signal(SIGTERM)
        let signalled = Date()
        let status = try run.waitForExit()
        #expect(status == 143, "stderr:\n\(run.stderr)")
        #expect(Date().timeIntervalSince(signalled) < 10, "the stop took until the SIGKILL escalation")
        let out = String(decoding: run.stdout, as: UTF8.self)
        #expect(out.hasSuffix("got SIGTERM\n"), "stdout ends: \(out.suffix(80).debugDescription)")

        let record = RunRecord(db: "\(mlRoot)/trainscope.db")
        let d = try record.describe()
        #expect(d["TrainingJobStatus"] as? String == "Stopped")
        #expect(d["SecondaryStatus"] as? String == "Stopped")
        #expect(d["FailureReason"] == nil)
        #expect((d["ExitCode"] as? NSNumber)?.intValue == 143)
        let transitions = (d["SecondaryStatusTransitions"] as? [[String: Any]] ?? []).compactMap { $0["Status"] as? String }
        #expect(transitions == ["Starting", "Training", "Stopping", "Stopped"])
        let values = try record.series()["train:loss"] ?? []
        #expect(values == (1...n).map(Double.init), "stored \(values.count) of \(n) values")
    }

    /// A stop that comes the moment the child exists (a fast-starting child, an impatient Ctrl-C)
    /// must be forwarded too, not kill trainscope and orphan the child with the job left InProgress.
    @Test func sigtermRightAfterTheChildStartsIsForwarded() throws {
        for attempt in 1...5 {
            let dir = TemporaryDirectory(prefix: "e2e-early-term")
            let job = try Self.writeJob(in: dir, name: "e2e-early-term")
            let mlRoot = dir.file("ml")
            let run = try RunningTrainscope(["run", "--job", job, "--ml-root", mlRoot, "--listen", "127.0.0.1:0",
                                             "--stop-grace", "10", "--",
                                             "sh", "-c", "echo $$ > ready.tmp && mv ready.tmp ready && exec sleep 30"], in: dir)
            let ready = poll(timeout: 15, interval: 0.0005) { FileManager.default.fileExists(atPath: dir.file("ready")) }
            try #require(ready, "the child never started; stderr:\n\(run.stderr)")
            run.signal(SIGTERM)
            let status = try run.waitForExit()
            if status != 143, let pid = Int32(String(decoding: Self.contents(dir.file("ready")), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)) {
                _ = kill(pid, SIGKILL)   // the orphaned child
            }
            #expect(status == 143, "attempt \(attempt): trainscope \(status > 1000 ? "was killed by signal \(status - 1000)" : "exited \(status)"); stderr:\n\(run.stderr)")
            let d = try RunRecord(db: "\(mlRoot)/trainscope.db").describe()
            #expect(d["TrainingJobStatus"] as? String == "Stopped", "attempt \(attempt)")
            #expect(d["SecondaryStatus"] as? String == "Stopped", "attempt \(attempt)")
            if status != 143 { break }
        }
    }

    @Test func maxRuntimeStopsWithSigkillAfterGrace() throws {
        let dir = TemporaryDirectory(prefix: "e2e-maxrt")
        let job = try Self.writeJob(in: dir, name: "e2e-maxruntime",
                                    extra: ["StoppingCondition": ["MaxRuntimeInSeconds": 1]])
        let mlRoot = dir.file("ml")
        // The shell ignores SIGTERM before anything else and the ignore survives exec: no race with the limit.
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", mlRoot, "--listen", "127.0.0.1:0",
                                         "--stop-grace", "1", "--",
                                         "sh", "-c", "trap '' TERM; echo loss=0.125; exec sleep 30"], in: dir)
        let status = try run.waitForExit(timeout: 20)
        #expect(status == 137, "stderr:\n\(run.stderr)")
        #expect(run.elapsed < 12, "took \(run.elapsed) s")
        let record = RunRecord(db: "\(mlRoot)/trainscope.db")
        let d = try record.describe()
        #expect(d["TrainingJobStatus"] as? String == "Stopped")
        #expect(d["SecondaryStatus"] as? String == "MaxRuntimeExceeded")
        #expect(d["FailureReason"] == nil)
        #expect((d["ExitCode"] as? NSNumber)?.intValue == 137)
        let transitions = (d["SecondaryStatusTransitions"] as? [[String: Any]] ?? []).compactMap { $0["Status"] as? String }
        #expect(transitions.last == "MaxRuntimeExceeded", "\(transitions)")
        #expect(try record.series()["train:loss"] == [0.125])
    }

    // MARK: 10. A 100 MB line

    @Test func hundredMegabyteLineStreamsInBoundedMemory() throws {
        let dir = TemporaryDirectory(prefix: "e2e-bigline")
        let job = try Self.writeJob(in: dir, name: "e2e-bigline")
        let chunks = 100, chunk = 1 << 20
        let tail = Array("\nloss=0.75\n".utf8)
        try Self.write("""
            import sys
            chunk = b"x" * \(chunk)
            out = sys.stdout.buffer
            for _ in range(\(chunks)):
                out.write(chunk)
            out.write(b"\\nloss=0.75\\n")
            out.flush()
            """, to: dir.file("child.py"))
        let mlRoot = dir.file("ml")
        // The parent reports the peak RSS of trainscope (and of its small child) once both have exited.
        let wrapper = ["python3", "-c",
                       "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:]); print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"]
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", mlRoot, "--listen", "127.0.0.1:0", "--",
                                         "python3", dir.file("child.py")], in: dir, wrapper: wrapper)
        let status = try run.waitForExit(timeout: 60)
        #expect(status == 0, "stderr:\n\(run.stderr)")

        let expectedSize = chunks * chunk + tail.count
        let size = (try FileManager.default.attributesOfItem(atPath: run.stdoutPath)[.size] as? NSNumber)?.intValue
        #expect(size == expectedSize)
        let spoolSize = (try FileManager.default.attributesOfItem(atPath: "\(mlRoot)/output/logs/stdout.log")[.size] as? NSNumber)?.intValue
        #expect(spoolSize == expectedSize)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: run.stdoutPath))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(max(0, (size ?? 0) - tail.count - 4)))
        let end = try handle.readToEnd() ?? Data()
        #expect(Array(end) == Array("xxxx".utf8) + tail)
        try handle.seek(toOffset: 0)
        #expect(try handle.read(upToCount: 4) == Data("xxxx".utf8))

        #expect(try RunRecord(db: "\(mlRoot)/trainscope.db").series()["train:loss"] == [0.75])

        let err = run.stderr
        let line = try #require(err.split(separator: "\n").last { $0.hasPrefix("MAXRSS ") }, "no MAXRSS line:\n\(err)")
        let kib = try #require(Int(line.dropFirst("MAXRSS ".count)))
        print("trainscope peak RSS with a 100 MB line: \(kib) KiB (\(kib / 1024) MiB)")
        #expect(kib < 200 * 1024, "peak RSS \(kib) KiB")
    }
}
