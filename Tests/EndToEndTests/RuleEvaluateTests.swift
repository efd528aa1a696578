import Foundation
import Testing
import TrainScopeTesting

/// `trainscope rules evaluate` against the same rules run through smdebug 1.0.34's own rule
/// framework (`Rule`, `invoke_rule`, `RuleEvaluationConditionMet`, its trial API) by
/// `Tests/TensorIOTests/Conformance/run_debug_rule.py`, over trials smdebug's own writer made: the
/// same status, at the same step, with the same StatusDetails.
@Suite(.serialized) struct RuleEvaluateTests {
    static let conformance = CLI.root + "/Tests/TensorIOTests/Conformance"
    static let image = "895741380848.dkr.ecr.us-west-2.amazonaws.com/sagemaker-debugger-rules:latest"

    /// (trial's loss, rule, parameters)
    static let cases: [(String, String, [String: String])] = [
        ("decreasing", "LossNotDecreasing", ["num_steps": "2", "mode": "TRAIN"]),
        ("increasing", "LossNotDecreasing", ["num_steps": "2", "mode": "TRAIN"]),
        ("increasing", "LossNotDecreasing", [:]),                                   // EVAL, num_steps 10
        ("increasing", "LossNotDecreasing", ["num_steps": "1", "mode": "GLOBAL"]),
        ("increasing", "LossNotDecreasing", ["num_steps": "1", "mode": "TRAIN", "use_losses_collection": "False"]),
        ("increasing", "LossNotDecreasing", ["num_steps": "1", "mode": "TRAIN", "use_losses_collection": "False", "tensor_regex": "lo.*"]),
        ("decreasing", "LossNotDecreasing", ["num_steps": "1", "mode": "TRAIN", "diff_percent": "40"]),
        ("nan", "LossNotDecreasing", ["num_steps": "1", "mode": "TRAIN"]),
        ("nan", "LossNotDecreasing", ["num_steps": "2", "mode": "TRAIN"]),
        ("decreasing", "ExplodingTensor", [:]),
        ("nan", "ExplodingTensor", [:]),
        ("nan", "ExplodingTensor", ["only_nan": "True", "tensor_regex": "dense.*"]),
        ("nan", "ExplodingTensor", ["collection_names": "losses"]),
    ]

    @Test func sameOutcomesAsSmdebugsRuleFramework() throws {
        let python = try #require(ProcessInfo.processInfo.environment["TRAINSCOPE_CONFORMANCE_PYTHON"],
                                  "TRAINSCOPE_CONFORMANCE_PYTHON is not set: run bash scripts/test.sh")
        let dir = TemporaryDirectory(prefix: "e2e-rules")
        for loss in ["decreasing", "increasing", "nan"] {
            let r = try Executables.run([python, "\(Self.conformance)/write_smdebug_trial.py", dir.file(loss), "--workers", "1", "--loss", loss])
            #expect(r.status == 0, "\(r.stderr)")
        }
        var issuesFound = 0
        for (i, (loss, rule, parameters)) in Self.cases.enumerated() {
            let oracle = try Executables.run([python, "\(Self.conformance)/run_debug_rule.py", dir.file(loss), "--rule", rule]
                                             + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            #expect(oracle.status == 0, "\(oracle.stderr)")
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(oracle.stdout.utf8)) as? [String: Any])

            var ruleParameters = parameters
            ruleParameters["rule_to_invoke"] = rule
            let job: [String: Any] = ["TrainingJobName": "rules-\(i)", "DebugRuleConfigurations": [
                ["RuleConfigurationName": "r", "RuleEvaluatorImage": Self.image, "RuleParameters": ruleParameters]]]
            let jobFile = dir.file("job-\(i).json")
            try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: jobFile))
            let mine = try CLI.run(["rules", "evaluate", "--job", jobFile, "--trial", dir.file(loss)])
            #expect(mine.status == 0, "\(mine.stderr)")
            let out = try #require(try JSONSerialization.jsonObject(with: mine.stdout) as? [String: Any])
            let status = try #require((out["DebugRuleEvaluationStatuses"] as? [[String: Any]])?.first)
            let what = "\(rule) \(parameters) on the \(loss) trial"
            #expect(status["RuleEvaluationStatus"] as? String == expected["status"] as? String, "\(what): \(status) vs \(expected)")
            #expect(status["StatusDetails"] as? String == expected["status_details"] as? String, "\(what)")
            if expected["status"] as? String == "IssuesFound" { issuesFound += 1 }
        }
        // The cases cover both outcomes.
        #expect(issuesFound >= 4 && issuesFound <= Self.cases.count - 4, "\(issuesFound) of \(Self.cases.count)")
    }

    /// A trial still being written: no end marker, no issue yet.
    @Test func inProgressUntilTheTrialEnds() throws {
        let python = try #require(ProcessInfo.processInfo.environment["TRAINSCOPE_CONFORMANCE_PYTHON"])
        let dir = TemporaryDirectory(prefix: "e2e-rules-live")
        let r = try Executables.run([python, "\(Self.conformance)/write_smdebug_trial.py", dir.file("t"), "--workers", "1", "--no-end-marker"])
        #expect(r.status == 0, "\(r.stderr)")
        let job: [String: Any] = ["TrainingJobName": "live", "DebugRuleConfigurations": [
            ["RuleConfigurationName": "explode", "RuleEvaluatorImage": Self.image, "RuleParameters": ["rule_to_invoke": "ExplodingTensor"]],
            ["RuleConfigurationName": "vanish", "RuleEvaluatorImage": Self.image, "RuleParameters": ["rule_to_invoke": "VanishingGradient"]]]]
        try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: dir.file("job.json")))
        let mine = try CLI.run(["rules", "evaluate", "--job", dir.file("job.json"), "--trial", dir.file("t")])
        #expect(mine.status == 0)
        #expect(mine.stdoutText.contains(#""RuleEvaluationStatus": "InProgress""#), "\(mine.stdoutText)")
        #expect(mine.stderr.contains("vanish: not evaluated"), "\(mine.stderr)")
        let missing = try CLI.run(["rules", "evaluate", "--job", dir.file("job.json"), "--trial", dir.file("nope")])
        #expect(missing.status == 1 && missing.stderr.contains("no such trial folder"))
    }
}
