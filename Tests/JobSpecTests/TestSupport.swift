import Foundation
import JobSpec
import TrainScopeTesting

/// Fixture files, found from this file's path so that tests run from any working directory.
enum Fixtures {
    static let directory = SourceTree.root() + "/Tests/JobSpecTests/Fixtures"
    static func path(_ name: String) -> String { directory + "/" + name }
    static func bytes(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(name)) else { fatalError("missing fixture \(name)") }
        return Array(data)
    }
}

/// All issues for an inline request, reported against the name `job.json`.
func issues(_ json: String) -> [ValidationIssue] {
    JobSpecLoader.validate(bytes: Array(json.utf8), source: "job.json")
}

func errors(_ json: String) -> [ValidationIssue] { issues(json).filter(\.isError) }

func warnings(_ json: String) -> [ValidationIssue] { issues(json).filter { !$0.isError } }

/// A request with a valid name and the given extra top-level members (JSON text without braces).
func request(_ members: String) -> String {
    #"{"TrainingJobName":"my-job","# + members + "}"
}

/// `count` metric definitions with distinct names and a valid regex.
func metricDefinitions(_ count: Int) -> String {
    (0..<count).map { #"{"Name":"m\#($0)","Regex":"m\#($0)=([0-9.]+)"}"# }.joined(separator: ",")
}

/// JSON string literal for `s`.
func jsonString(_ s: String) -> String { JSONSerializer.string(.string(s), style: .compact) }
