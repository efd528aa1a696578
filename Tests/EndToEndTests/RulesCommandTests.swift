import Foundation
import Testing
import TrainScopeTesting

/// `trainscope rules list|show` print the catalogue of `Rules/` as the binary carries it.
@Suite struct RulesCommandTests {
    @Test func listsEveryRuleOfEachKind() throws {
        let r = try CLI.run(["rules", "list"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == "debug rules (DebugRuleConfigurations)")
        #expect(lines.contains("profiler rules (ProfilerRuleConfigurations)"))
        #expect(lines.filter { $0.hasPrefix("  ") }.count == 32)
        #expect(try CLI.run(["rules", "list", "--kind", "profiler"]).stdoutText.split(separator: "\n").count == 12)
    }

    /// The JSON of every rule is its catalogue file's, as parsed (what the generator turned into Swift).
    @Test func showAsJSONIsTheCatalogueFile() throws {
        for kind in ["debug", "profiler"] {
            let folder = CLI.root + "/Rules/\(kind)"
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".json") {
                let name = String(file.dropLast(5))
                let r = try CLI.run(["rules", "show", name, "--format", "json"])
                #expect(r.status == 0, "\(r.stderr)")
                let shown = try JSONSerialization.jsonObject(with: Data(r.stdoutText.utf8)) as? NSDictionary
                let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(file)"))) as? NSDictionary
                #expect(shown != nil && shown == original, "\(name)")
            }
        }
    }

    @Test func showAsTextAndAnUnknownName() throws {
        let r = try CLI.run(["rules", "show", "cpubottleneck"])
        #expect(r.status == 0)
        #expect(r.stdoutText.contains("CPUBottleneck: a profiler rule, for ProfilerRuleConfigurations"))
        #expect(r.stdoutText.contains("  threshold") && r.stdoutText.contains("number >= 0 <= 100") && r.stdoutText.contains("default 50"))
        let bad = try CLI.run(["rules", "show", "VanishingGradients"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("VanishingGradients is not a built-in rule; did you mean VanishingGradient?"), "\(bad.stderr)")
    }
}
