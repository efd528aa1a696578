import Foundation
import Testing
import TrainScopeTesting

/// `trainscope validate` as a user runs it: exit status and messages naming JSON paths.
@Suite struct ValidateCommandTests {
    static func write(_ text: String, _ dir: TemporaryDirectory, _ name: String = "job.json") throws -> String {
        let path = dir.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theExampleJobIsValid() throws {
        let result = try CLI.run(["validate", "--job", CLI.root + "/Examples/job.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.contains("valid"))
    }

    @Test func fileURLPrefixIsAccepted() throws {
        let result = try CLI.run(["validate", "--job", "file://" + CLI.root + "/Examples/job.json"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func everyErrorIsReportedWithItsPath() throws {
        let dir = TemporaryDirectory()
        let job = try Self.write("""
        {"TrainingJobName": "bad_name",
         "AlgorithmSpecification": {"TrainingInputMode": "File", "MetricDefinitions": [
            {"Name": "a", "Regex": "a=([0-9]+"},
            {"Name": "b", "Regex": "b=1"},
            {"Name": "a", "Regex": "x=(1)"}]},
         "ProfilerConfig": {"ProfilingIntervalInMilliseconds": 123},
         "HyperParameters": {"aws_secret_access_key": "hunter2hunter2"},
         "Bogus": 1}
        """, dir)
        let result = try CLI.run(["validate", "--job", job])
        #expect(result.status == 1)
        for path in ["TrainingJobName", "AlgorithmSpecification.MetricDefinitions[0].Regex",
                     "AlgorithmSpecification.MetricDefinitions[1].Regex", "AlgorithmSpecification.MetricDefinitions[2].Name",
                     "ProfilerConfig.ProfilingIntervalInMilliseconds", "HyperParameters.aws_secret_access_key", "Bogus"] {
            #expect(result.stderr.contains(path), "missing \(path) in:\n\(result.stderr)")
        }
        #expect(result.stderr.contains("missing closing parenthesis"))
        #expect(!result.stderr.contains("hunter2"), "a secret was printed")
    }

    @Test func malformedJSONNamesLineAndColumn() throws {
        let dir = TemporaryDirectory()
        let job = try Self.write("{\n  \"TrainingJobName\": \"x\",\n  \"AlgorithmSpecification\" {}\n}", dir)
        let result = try CLI.run(["validate", "--job", job])
        #expect(result.status == 1)
        #expect(result.stderr.contains("job.json:3:"), "\(result.stderr)")
    }

    @Test func sampleLintFindsDeadAndNonNumericDefinitions() throws {
        let dir = TemporaryDirectory()
        let job = try Self.write(#"""
        {"TrainingJobName": "lint", "AlgorithmSpecification": {"TrainingInputMode": "File", "MetricDefinitions": [
            {"Name": "loss", "Regex": "loss=(\\S+)"},
            {"Name": "never", "Regex": "val_acc=([0-9.]+)"},
            {"Name": "word", "Regex": "phase=(\\w+)"},
            {"Name": "lazy", "Regex": "F1=(.*?)"},
            {"Name": "tab", "Regex": "\\tacc:([0-9.]+)"}]}}
        """#, dir)
        let sample = try Self.write("loss=0.5 phase=train F1=0.9\nloss=0.4 phase=eval\tacc:0.5\n", dir, "sample.log")
        let result = try CLI.run(["validate", "--job", job, "--sample", sample])
        #expect(result.status == 0, "lint findings are warnings: \(result.stderr)")
        #expect(result.stderr.contains("MetricDefinitions[1].Regex (never): never matches the sample"), "\(result.stderr)")
        #expect(result.stderr.contains("MetricDefinitions[2].Regex (word): matches 2 lines of the sample but never captures a number"))
        #expect(result.stderr.contains("MetricDefinitions[3].Regex (lazy): group 1 is lazy"))
        #expect(result.stderr.contains("MetricDefinitions[4].Regex (tab): contains a TAB"))
        #expect(!result.stderr.contains("(loss)"), "the working definition was flagged: \(result.stderr)")
        let strict = try CLI.run(["validate", "--job", job, "--sample", sample, "--strict"])
        #expect(strict.status == 1)
    }
}
