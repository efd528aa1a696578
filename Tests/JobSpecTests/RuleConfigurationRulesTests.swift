import JobSpec
import Testing

/// RuleParameters of built-in rules, checked against the catalogue in `Rules/`.
@Suite struct RuleConfigurationRulesTests {
    /// The issues about rule configurations (the bare requests also lack sections a job needs).
    static func ruleIssues(_ json: String) -> [ValidationIssue] {
        issues(json).filter { $0.path.hasPrefix("DebugRuleConfigurations") || $0.path.hasPrefix("ProfilerRuleConfigurations") }
    }

    static let image = "895741380848.dkr.ecr.us-west-2.amazonaws.com/sagemaker-debugger-rules:latest"
    static let customImage = "895741380848.dkr.ecr.us-west-2.amazonaws.com/sagemaker-debugger-rule-evaluator:latest"

    static func debugRules(_ parameters: [String], image: String = image) -> String {
        let rules = parameters.enumerated().map { i, p in
            #"{"RuleConfigurationName":"r\#(i)","RuleEvaluatorImage":"\#(image)","RuleParameters":{\#(p)}}"#
        }
        return request(#""DebugRuleConfigurations":[\#(rules.joined(separator: ","))]"#)
    }

    static func profilerRules(_ parameters: [String]) -> String {
        let rules = parameters.enumerated().map { i, p in
            #"{"RuleConfigurationName":"p\#(i)","RuleEvaluatorImage":"\#(image)","RuleParameters":{\#(p)}}"#
        }
        return request(#""ProfilerRuleConfigurations":[\#(rules.joined(separator: ","))]"#)
    }

    /// What the SageMaker Python SDK sends for its own rule configs (values as `str(v)`).
    @Test func sdkShapedRulesAreClean() {
        let json = request(#"""
            "DebugRuleConfigurations":[
              {"RuleConfigurationName":"LossNotDecreasing","RuleEvaluatorImage":"\#(Self.image)",
               "RuleParameters":{"rule_to_invoke":"LossNotDecreasing","num_steps":"20","diff_percent":"0.5","mode":"None","use_losses_collection":"True"}},
              {"RuleConfigurationName":"Vanishing","RuleEvaluatorImage":"\#(Self.image)","RuleParameters":{"rule_to_invoke":"VanishingGradient","threshold":"1e-6"}},
              {"RuleConfigurationName":"Sat","RuleEvaluatorImage":"\#(Self.image)","RuleParameters":{"rule_to_invoke":"SaturatedActivation","threshold_tanh":"(-9.4999, 9.4999)"}},
              {"RuleConfigurationName":"Same","RuleEvaluatorImage":"\#(Self.image)","RuleParameters":{"rule_to_invoke":"SimilarAcrossRuns","other_trial_0":"s3://b/other"}},
              {"RuleConfigurationName":"Zero","RuleEvaluatorImage":"\#(Self.image)","RuleParameters":{"rule_to_invoke":"AllZero","tensor_regex":".*relu.*","action_json":"[]"}}],
            "ProfilerRuleConfigurations":[
              {"RuleConfigurationName":"ProfilerReport-1","RuleEvaluatorImage":"\#(Self.image)",
               "RuleParameters":{"rule_to_invoke":"ProfilerReport","CPUBottleneck_threshold":"20","lowgpuutilization_window":"100"}},
              {"RuleConfigurationName":"Outliers","RuleEvaluatorImage":"\#(Self.image)","RuleParameters":{"rule_to_invoke":"StepOutlier","mode":"TRAIN","stddev":"2.5"}}]
            """#)
        #expect(Self.ruleIssues(json).isEmpty, "\(Self.ruleIssues(json))")
    }

    @Test func aMisspeltParameterIsAWarningWithTheRightName() {
        let w = Self.ruleIssues(Self.debugRules([#""rule_to_invoke":"LossNotDecreasing","num_step":"20""#]))
        #expect(w.map(\.description) == [
            "warning: DebugRuleConfigurations[0].RuleParameters.num_step: not a parameter of LossNotDecreasing, which would keep its defaults; did you mean num_steps?",
        ])
    }

    @Test(arguments: [
        (#""rule_to_invoke":"LossNotDecreasing","num_steps":"ten""#, "num_steps", #""ten" is not an integer"#),
        (#""rule_to_invoke":"LossNotDecreasing","num_steps":"2.5""#, "num_steps", #""2.5" is not an integer"#),
        (#""rule_to_invoke":"LossNotDecreasing","num_steps":"0""#, "num_steps", "0 is below the minimum, 1"),
        (#""rule_to_invoke":"LossNotDecreasing","diff_percent":"100""#, "diff_percent", "100 must be below 100"),
        (#""rule_to_invoke":"LossNotDecreasing","mode":"TRAINING""#, "mode", #""TRAINING" is not a mode (TRAIN, EVAL, PREDICT or GLOBAL)"#),
        (#""rule_to_invoke":"ExplodingTensor","only_nan":"yes""#, "only_nan", #""yes" is not True or False"#),
        (#""rule_to_invoke":"VanishingGradient","threshold":"0x1p-20""#, "threshold", #""0x1p-20" is not a number"#),
        (#""rule_to_invoke":"VanishingGradient","threshold":"0""#, "threshold", "0 must be above 0"),
        (#""rule_to_invoke":"SaturatedActivation","threshold_tanh":"(9, -9)""#, "threshold_tanh", #""(9, -9)": the low end must be below the high end"#),
        (#""rule_to_invoke":"SaturatedActivation","threshold_sigmoid":"16.9""#, "threshold_sigmoid", #""16.9" is not a range such as (-9.5, 9.5)"#),
    ])
    func aValueThatDoesNotReadIsAnError(_ parameters: String, _ key: String, _ message: String) {
        #expect(errors(Self.debugRules([parameters])).map(\.description) == [
            "error: DebugRuleConfigurations[0].RuleParameters.\(key): \(message)",
        ])
    }

    @Test func theRuleMustBeNamedAndKnownAndInItsList() {
        #expect(errors(Self.debugRules([#""threshold":"1""#])).first?.description.hasPrefix(
            "error: DebugRuleConfigurations[0].RuleParameters: rule_to_invoke is missing: the built-in rules image runs the rule it names") == true)
        #expect(errors(Self.debugRules([#""rule_to_invoke":"LossNotDecreasin""#])).map(\.description) == [
            #"error: DebugRuleConfigurations[0].RuleParameters.rule_to_invoke: "LossNotDecreasin" is not a built-in debug rule; did you mean LossNotDecreasing?"#,
        ])
        #expect(errors(Self.debugRules([#""rule_to_invoke":"CPUBottleneck""#])).map(\.description) == [
            "error: DebugRuleConfigurations[0].RuleParameters.rule_to_invoke: CPUBottleneck is a profiler rule: configure it in ProfilerRuleConfigurations, not DebugRuleConfigurations",
        ])
    }

    @Test func requiredParameters() {
        #expect(errors(Self.debugRules([#""rule_to_invoke":"AllZero""#])).map(\.description) == [
            "error: DebugRuleConfigurations[0].RuleParameters: AllZero needs one of collection_names, tensor_regex",
        ])
        #expect(errors(Self.debugRules([#""rule_to_invoke":"SimilarAcrossRuns""#])).map(\.description) == [
            "error: DebugRuleConfigurations[0].RuleParameters: SimilarAcrossRuns needs other_trial_0",
        ])
        #expect(errors(Self.debugRules([#""rule_to_invoke":"SimilarAcrossRuns","other_trial_1":"/x""#])).isEmpty)
    }

    @Test func profilerReportPassesParametersToItsRules() {
        let all = Self.ruleIssues(Self.profilerRules([#""rule_to_invoke":"ProfilerReport","CPUBottleneck_threshold":"200","GPUMemoryIncrease_windw":"3","Foo_bar":"1""#]))
        #expect(all.map(\.description) == [
            "error: ProfilerRuleConfigurations[0].RuleParameters.CPUBottleneck_threshold: 200 is above the maximum, 100",
            "warning: ProfilerRuleConfigurations[0].RuleParameters.GPUMemoryIncrease_windw: not a parameter of GPUMemoryIncrease, which would keep its defaults; did you mean window?",
            "warning: ProfilerRuleConfigurations[0].RuleParameters.Foo_bar: ProfilerReport takes <Rule>_<parameter> for a profiler rule (e.g. CPUBottleneck_threshold); this names none of BatchSize, CPUBottleneck, Dataloader, GPUMemoryIncrease, IOBottleneck, LoadBalancing, LowGPUUtilization, MaxInitializationTime, OverallSystemUsage, StepOutlier",
        ])
        // Profiler rules take positive numbers only.
        #expect(errors(Self.profilerRules([#""rule_to_invoke":"CPUBottleneck","patience":"0""#])).map(\.description) == [
            "error: ProfilerRuleConfigurations[0].RuleParameters.patience: 0 must be above 0",
        ])
    }

    /// A custom rule (the rule-evaluator image) may be called anything and take anything.
    @Test func customRulesAreNotChecked() {
        #expect(Self.ruleIssues(Self.debugRules([#""rule_to_invoke":"LossNotDecreasing","num_steps":"ten","anything":"x""#],
                                       image: Self.customImage)).isEmpty)
        #expect(Self.ruleIssues(Self.debugRules([#""rule_to_invoke":"MyRule","source_s3_uri":"s3://b/rule.py""#], image: Self.customImage)).isEmpty)
    }
}
