import Foundation
import JobSpec
import LogMetrics
import Testing
import TrainScopeTesting

@Suite struct JobSpecLoaderTests {
    @Test func loadsTheFullRequest() throws {
        let (spec, warnings) = try JobSpecLoader.load(path: Fixtures.path("full-request.json"))
        #expect(warnings.isEmpty)
        #expect(spec.name == "resnet50-full-2024")
        #expect(spec.metricDefinitions == [
            MetricDefinition(name: "train:loss", regex: #"loss=([0-9\.eE+-]+)"#),
            MetricDefinition(name: "validation:accuracy", regex: "val_acc: ([0-9.]+)"),
            MetricDefinition(name: "throughput", regex: #"(\d+(?:\.\d+)?) samples/s"#),
        ])
        #expect(spec.hyperParameters.prefix(3) == [
            KeyValue(key: "epochs", value: "10"), KeyValue(key: "learning_rate", value: "0.001"),
            KeyValue(key: "tokenizer", value: "\"bert-base-uncased\""),
        ])
        #expect(spec.environment.map(\.key) == ["NCCL_DEBUG", "OMP_NUM_THREADS", "_PRIVATE_FLAG"])
        #expect(spec.maxRuntimeSeconds == 86400)
        #expect(spec.maxWaitTimeSeconds == 172800)
        #expect(spec.profilingIntervalMilliseconds == 500)
        #expect(spec.disableProfiler == false)
        #expect(spec.request == (try JSONParser.parse(Fixtures.bytes("full-request.json"))))
    }

    @Test func loadsTheMinimalRequest() throws {
        let (spec, warnings) = try JobSpecLoader.load(bytes: Array(#"{"TrainingJobName":"x"}"#.utf8), source: "job.json")
        #expect(spec.name == "x")
        #expect(spec.metricDefinitions.isEmpty && spec.hyperParameters.isEmpty && spec.environment.isEmpty)
        #expect(spec.maxRuntimeSeconds == nil && spec.maxWaitTimeSeconds == nil)
        #expect(spec.profilingIntervalMilliseconds == nil)
        #expect(spec.disableProfiler == false)
        #expect(warnings.count == 2)
    }

    @Test func disabledProfilerFromExampleB() throws {
        let json = request(#""ProfilerConfig":{"DisableProfiler":true}"#)
        #expect(try JobSpecLoader.load(bytes: Array(json.utf8), source: "j").spec.disableProfiler)
        let b = try JobSpecLoader.load(path: Fixtures.path("example-b-profiler.json")).spec
        #expect(b.profilingIntervalMilliseconds == 500 && b.maxRuntimeSeconds == 86400)
    }

    @Test func fileURLPrefixIsAccepted() throws {
        let (spec, _) = try JobSpecLoader.load(path: "file://" + Fixtures.path("minimal.json"))
        #expect(spec.name == "x")
    }

    @Test func errorsThrowWithEveryIssue() {
        #expect {
            _ = try JobSpecLoader.load(bytes: Array(#"{"TrainingJobName":"a_b","X":1}"#.utf8), source: "job.json")
        } throws: { error in
            let issues = (error as? JobSpecError)?.issues ?? []
            return issues.filter(\.isError).map(\.path) == ["TrainingJobName", "X"]
                && "\(error)".contains("error: X: unknown member")
        }
    }

    @Test func malformedFileNamesLineAndColumn() {
        let path = Fixtures.path("malformed.json")
        let issues = JobSpecLoader.validate(path: path)
        #expect(issues.map(\.description) == ["error: \(path):3:58: expected ',' or '}' after object member"])
    }

    @Test func fileProblemsNameThePath() throws {
        let dir = TemporaryDirectory()
        let missing = dir.file("missing.json")
        #expect(JobSpecLoader.validate(path: missing).map(\.description)
                == ["error: \(missing): cannot read: No such file or directory"])
        #expect(JobSpecLoader.validate(path: "file://" + missing).first?.path == missing)
        #expect(JobSpecLoader.validate(path: dir.path).map(\.description)
                == ["error: \(dir.path): is a directory, not a request file"])

        let empty = dir.file("empty.json")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(JobSpecLoader.validate(path: empty).map(\.description)
                == ["error: \(empty):1:1: empty input; expected a JSON value"])

        let big = dir.file("big.json")
        _ = FileManager.default.createFile(atPath: big, contents: Data())
        let handle = try #require(FileHandle(forWritingAtPath: big))
        try handle.truncate(atOffset: UInt64(JobSpecLoader.maxFileBytes + 1))
        try handle.close()
        #expect(JobSpecLoader.validate(path: big).map(\.description)
                == ["error: \(big): is 8388609 bytes, over the 8388608-byte (8 MiB) limit for a request file"])

        let unreadable = dir.file("unreadable.json")
        _ = FileManager.default.createFile(atPath: unreadable, contents: Data("{}".utf8), attributes: [.posixPermissions: 0])
        if getuid() != 0 {  // root reads anything
            #expect(JobSpecLoader.validate(path: unreadable).first?.message == "cannot read: Permission denied")
        }
    }

    @Test func invalidUTF8AndDuplicateKeysInRequests() {
        var bytes = Array(#"{"TrainingJobName":"x","HyperParameters":{"a":"#.utf8)
        bytes += [0x22, 0x80, 0x22, 0x7D, 0x7D]
        #expect(JobSpecLoader.validate(bytes: bytes, source: "job.json").map(\.description)
                == ["error: job.json:1:48: invalid UTF-8 in string"])
        let dup = #"{"TrainingJobName":"x","HyperParameters":{"lr":"1","lr":"2"}}"#
        #expect(issues(dup).map(\.description) == ["error: job.json:1:52: duplicate key at HyperParameters.lr"])
    }

    /// No message may repeat a HyperParameters or Environment value, whatever went wrong with it.
    @Test func messagesNeverContainSecretValues() {
        let secrets = [
            CredentialDetectorTests.accessKeyID, CredentialDetectorTests.secretAccessKey,
            "hunter2-hunter2", "s3cr3t-env-value", "tok_live_abcdef",
        ]
        let json = #"""
            {"TrainingJobName": "bad_name",
             "HyperParameters": {
               "password": "hunter2-hunter2",
               "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
               "aws_secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
               "long": "hunter2-hunter2\#(String(repeating: "x", count: 2500))",
               "multi": "tok_live_abcdef\nsecond line",
               "bad key!": "hunter2-hunter2",
               "number": 12345
             },
             "Environment": {
               "DB_PASSWORD": "s3cr3t-env-value",
               "1BAD": "s3cr3t-env-value",
               "LONG": "s3cr3t-env-value\#(String(repeating: "y", count: 600))",
               "OBJ": {"v": "s3cr3t-env-value"}
             }}
            """#
        let found = issues(json)
        #expect(found.count >= 8)
        for issue in found {
            for secret in secrets {
                #expect(!issue.description.contains(secret), "\(issue) leaks a secret")
                #expect(!issue.message.contains(String(secret.prefix(8))), "\(issue) leaks part of a secret")
            }
        }
        let thrown = (try? JobSpecLoader.load(bytes: Array(json.utf8), source: "job.json")) == nil
        #expect(thrown)
    }
}
