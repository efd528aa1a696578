#if canImport(Glibc)
import Glibc
#endif
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

    /// Inside `run`: the rules trainscope evaluates are InProgress while the job runs, evaluated over
    /// the trial when it ends, and listed by `describe` as DebugRuleEvaluationStatuses.
    @Test func runEvaluatesItsRulesWhenTheJobEnds() throws {
        let dir = TemporaryDirectory(prefix: "e2e-run-rules")
        let rules: [[String: Any]] = [
            ["RuleConfigurationName": "explode", "RuleEvaluatorImage": Self.image, "RuleParameters": ["rule_to_invoke": "ExplodingTensor"]],
            ["RuleConfigurationName": "loss", "RuleEvaluatorImage": Self.image,
             "RuleParameters": ["rule_to_invoke": "LossNotDecreasing", "num_steps": "1", "mode": "TRAIN"]],
            ["RuleConfigurationName": "steady", "RuleEvaluatorImage": Self.image,
             "RuleParameters": ["rule_to_invoke": "LossNotDecreasing", "num_steps": "1", "mode": "TRAIN", "tensor_regex": "val_loss",
                                "use_losses_collection": "False"]],
            ["RuleConfigurationName": "vanish", "RuleEvaluatorImage": Self.image, "RuleParameters": ["rule_to_invoke": "VanishingGradient"]],
        ]
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-run-rules", extra: [
            "DebugHookConfig": ["S3OutputPath": "s3://bucket/debug", "HookParameters": ["save_interval": "1", "include_regex": "val_loss"],
                                "CollectionConfigurations": [["CollectionName": "losses"]]],
            "DebugRuleConfigurations": rules,
            "ProfilerConfig": ["DisableProfiler": true],
        ])
        // loss rises from step 2 and is NaN at step 4; val_loss falls throughout.
        let script = """
        import json, os, urllib.request
        url = os.environ['TRAINSCOPE_URL'] + '/v1/tensors'
        losses = [1.0, 0.5, 0.75, 0.9, float('nan'), 0.1]
        for step, loss in enumerate(losses):
            tensors = [{"name": "loss", "dtype": "float64", "shape": [], "data": "NaN" if loss != loss else loss},
                       {"name": "val_loss", "dtype": "float64", "shape": [], "data": 1.0 / (step + 1)}]
            body = json.dumps({"step": step, "mode": "TRAIN", "tensors": tensors}).encode()
            req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
            assert urllib.request.urlopen(req).status == 200
        """
        let run = try RunningTrainscope(["run", "--job", job, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:0", "--linger", "60",
                                         "--", "python3", "-c", script], in: dir)
        defer { run.killTree() }
        let port = try run.metricsPort()
        var page = ""
        #expect(poll(timeout: 30) {
            page = (try? HTTP.get(port: port, path: "/metrics").text) ?? ""
            return Exposed.value(Exposed.parse(page), "trainscope_rule_evaluation_status", ["rule": "steady", "status": "NoIssuesFound"]) == "1"
        }, "\(run.stderr)")
        let exposed = Exposed.parse(page)
        #expect(Exposed.value(exposed, "trainscope_rule_evaluation_status", ["rule": "explode", "status": "IssuesFound"]) == "1")
        #expect(Exposed.value(exposed, "trainscope_rule_evaluation_status", ["rule": "explode", "status": "InProgress"]) == "0")
        #expect(Exposed.value(exposed, "trainscope_rule_evaluation_status", ["rule": "vanish", "status": "InProgress"]) == nil)
        let promtool = try #require(try? Executables.find("promtool"))
        let lint = try Executables.run([promtool, "check", "metrics"], stdin: Data(page.utf8))
        #expect(lint.status == 0 && (lint.stdout + lint.stderr).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(lint.stdout)\(lint.stderr)")
        run.signal(SIGTERM)
        #expect(try run.waitForExit(timeout: 10) == 0, "\(run.stderr)")
        #expect(run.stderr.contains("rules not evaluated by trainscope yet: vanish"), "\(run.stderr)")
        // Both losses are in the trial, so "steady" had a loss to look at.
        let dump = try CLI.run(["tensors", "dump", dir.file("ml/output/tensors"), "--format", "json"])
        #expect(dump.stdoutText.contains(#""name":"val_loss""#) && dump.stdoutText.contains(#""name":"loss""#), "\(dump.stdoutText.prefix(500))")
        let described = try RunRecord(db: dir.file("ml/trainscope.db")).describe()
        let statuses = try #require(described["DebugRuleEvaluationStatuses"] as? [[String: Any]], "\(described.keys)")
        #expect(statuses.map { $0["RuleConfigurationName"] as? String } == ["explode", "loss", "steady"])
        #expect(statuses.map { $0["RuleEvaluationStatus"] as? String } == ["IssuesFound", "IssuesFound", "NoIssuesFound"])
        #expect(statuses[0]["StatusDetails"] as? String
                == "RuleEvaluationConditionMet: Evaluation of the rule ExplodingTensor at step 4 resulted in the condition being met\n")
        #expect(statuses[1]["StatusDetails"] as? String
                == "RuleEvaluationConditionMet: Evaluation of the rule LossNotDecreasing at step 2 resulted in the condition being met\n")
        #expect(statuses[2]["StatusDetails"] == nil)
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
