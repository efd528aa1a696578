import Foundation
import Testing
import TrainScopeTesting

/// `trainscope extract` on every case under Tests/LogMetricsTests/Fixtures, byte for byte against the
/// expected JSON Lines that scripts/reference_extract.py (an independent Python `re` implementation
/// of the same semantics) wrote. Adding a case is adding a folder.
@Suite struct ExtractGoldenTests {
    static let fixtures = CLI.root + "/Tests/LogMetricsTests/Fixtures"
    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? [])
            .filter { FileManager.default.fileExists(atPath: "\(fixtures)/\($0)/expected.jsonl") }
            .sorted()
    }

    /// The fixture's MetricDefinitions wrapped into a minimal CreateTrainingJob request.
    static func job(for folder: String, in dir: TemporaryDirectory) throws -> String {
        let definitions = try String(contentsOfFile: "\(folder)/definitions.json", encoding: .utf8)
        let path = dir.file("job.json")
        let text = #"{"TrainingJobName": "golden", "AlgorithmSpecification": {"TrainingInputMode": "File", "MetricDefinitions": "# + definitions + "}}"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func everyCaseIsPresent() {
        #expect(Self.cases.count >= 17, "fixture cases: \(Self.cases)")
    }

    @Test(arguments: cases)
    func matchesTheReference(name: String) throws {
        let folder = "\(Self.fixtures)/\(name)"
        let dir = TemporaryDirectory()
        let job = try Self.job(for: folder, in: dir)
        let result = try CLI.run(["extract", "--job", job, "\(folder)/input.log"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(Golden.compare(Array(result.stdout), toFile: "\(folder)/expected.jsonl") == nil)
    }

    /// Standard input is the default, and gives the same output as the file.
    @Test func readsStandardInput() throws {
        let folder = "\(Self.fixtures)/hf_dicts"
        let dir = TemporaryDirectory()
        let job = try Self.job(for: folder, in: dir)
        let input = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/input.log"))
        let fromStdin = try CLI.run(["extract", "--job", job, "-"], stdin: input)
        let fromFile = try CLI.run(["extract", "--job", job, "\(folder)/input.log"])
        #expect(fromStdin.status == 0)
        #expect(fromStdin.stdout == fromFile.stdout)
        #expect(!fromStdin.stdout.isEmpty)
    }

    @Test func parseFailuresAreCountedOnStderrNotErrors() throws {
        let folder = "\(Self.fixtures)/not_values"
        let dir = TemporaryDirectory()
        let result = try CLI.run(["extract", "--job", try Self.job(for: folder, in: dir), "\(folder)/input.log"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("parse failures"), "\(result.stderr)")
    }

    @Test func missingLogIsAClearError() throws {
        let dir = TemporaryDirectory()
        let job = try Self.job(for: "\(Self.fixtures)/keras", in: dir)
        let result = try CLI.run(["extract", "--job", job, dir.file("nope.log")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nope.log") && result.stderr.contains("No such file"), "\(result.stderr)")
    }
}
