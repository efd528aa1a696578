import Foundation
import RuleCatalogue
import Testing
import TrainScopeTesting

/// The catalogue in `Rules/` (and the Swift generated from it) against the package the SageMaker SDK
/// builds rule configurations from, smdebug-rulesconfig 1.0.1 (in CI's conformance venv).
@Suite struct RuleCatalogueTests {
    static let root = SourceTree.root()

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, data, errText)
    }

    @Test func theGeneratedSwiftIsWhatTheCatalogueSays() throws {
        let r = try Self.run("/usr/bin/env", ["python3", Self.root + "/scripts/gen_rule_catalogue.py", "--check"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func namesAreUniqueAndDefaultsReadAsTheirTypes() {
        let names = BuiltInRules.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(BuiltInRules.all.filter { $0.kind == .debug }.count == 21)
        #expect(BuiltInRules.all.filter { $0.kind == .profiler }.count == 11)
        for rule in BuiltInRules.all {
            for p in rule.parameters {
                if let d = p.defaultValue { #expect(p.reasonInvalid(d) == nil, "\(rule.name).\(p.name) default \(d): \(p.reasonInvalid(d) ?? "")") }
            }
        }
    }

    @Test func theCatalogueAgreesWithSmdebugRulesconfig() throws {
        let python = try #require(ProcessInfo.processInfo.environment["TRAINSCOPE_CONFORMANCE_PYTHON"],
                                  "TRAINSCOPE_CONFORMANCE_PYTHON is not set: run bash scripts/test.sh")
        let r = try Self.run(python, [Self.root + "/Tests/RuleCatalogueTests/Conformance/rulesconfig.py"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let debug = try #require(json["debug"] as? [String: [[String: Any]]])
        let profiler = try #require(json["profiler"] as? [String: [String: Any]])
        let groups = try #require(json["groups"] as? [String: [String]])

        // Every debug rule, with the collections SageMaker asks the hook to save for it.
        #expect(Set(debug.keys) == Set(BuiltInRules.all.filter { $0.kind == .debug }.map(\.name)))
        for (name, collections) in debug {
            let rule = try #require(BuiltInRules.named(name))
            let theirs = collections.map { c -> String in
                let params = (c["CollectionParameters"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }
                return "\(c["CollectionName"] as? String ?? "?") \(params.map { "\($0.key)=\($0.value)" })"
            }
            let ours = rule.collections.map { c in "\(c.name) \(c.parameters.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" })" }
            #expect(ours == theirs, "\(name)")
        }
        // Every profiler rule, with its parameters and the defaults the SDK sends.
        #expect(Set(profiler.keys) == Set(BuiltInRules.all.filter { $0.kind == .profiler }.map(\.name)))
        for (name, parameters) in profiler {
            let rule = try #require(BuiltInRules.named(name))
            #expect(Set(parameters.keys) == Set(rule.parameters.map(\.name)), "\(name)")
            for (key, value) in parameters {
                let ours = rule.parameter(key)?.defaultValue
                #expect(ours == value as? String, "\(name).\(key): catalogue \(ours ?? "None"), rulesconfig \(value)")
            }
        }
        // The SDK's SIMPLE rule groups.
        for (framework, rules) in groups {
            let ours = BuiltInRules.all.filter { $0.ruleGroups.contains(framework) }.map(\.name)
            #expect(Set(ours) == Set(rules), "\(framework)")
        }
    }
}
