import Foundation
import Testing
import TrainScopeTesting
@testable import TensorIO

@Suite struct HookConfigurationTests {
    @Test func sdkDefaultSavesLossesEvery500Steps() throws {
        let c = try DebugHookConfiguration(jsonText: #"{"S3OutputPath": "s3://b/p", "CollectionConfigurations": []}"#, framework: .pytorch)
        #expect(c.localPath == "/opt/ml/output/tensors")
        #expect(c.includeCollections == ["losses"])
        #expect(c.collectionsToSave.map(\.name) == ["losses"])
        #expect(c.saveConfig[.train] == SaveConfigMode(saveInterval: 500))
        let planner = SavePlanner(configuration: c)
        #expect(planner.plan(tensorName: "CrossEntropyLoss_output_0", mode: .train, modeStep: 500)?.collections == ["losses"])
        #expect(planner.plan(tensorName: "CrossEntropyLoss_output_0", mode: .train, modeStep: 499) == nil)
        #expect(planner.plan(tensorName: "fc.weight", mode: .train, modeStep: 0) == nil)   // weights are not saved
        #expect(c.collection(named: "losses")?.saveHistogram == false)
        // trainscope's generic default also puts a plain `loss` in losses.
        let generic = SavePlanner(configuration: DebugHookConfiguration())
        #expect(generic.plan(tensorName: "loss", mode: .train, modeStep: 0)?.collections == ["losses"])
        #expect(generic.plan(tensorName: "train/Loss", mode: .eval, modeStep: 1000)?.isScalarCollection == true)
        #expect(generic.plan(tensorName: "lossy", mode: .train, modeStep: 0) == nil)
    }

    @Test func hookParametersWithModePrefixes() throws {
        let c = try DebugHookConfiguration(jsonText: #"""
            {"HookParameters": {"save_interval": "10", "train.save_interval": "4", "eval.save_steps": "1, 3,7",
                                "start_step": "2", "predict.end_step": "9", "global.start_step": "0"}}
            """#)
        #expect(c.saveConfig[.train] == SaveConfigMode(saveInterval: 4, startStep: 2))
        #expect(c.saveConfig[.eval] == SaveConfigMode(saveInterval: 10, saveSteps: [1, 3, 7], startStep: 2))
        #expect(c.saveConfig[.predict] == SaveConfigMode(saveInterval: 10, startStep: 2, endStep: 9))
        #expect(c.saveConfig[.global] == SaveConfigMode(saveInterval: 10, startStep: 0))
        let train = c.saveConfig[.train]
        #expect((0...12).filter { train.shouldSave(step: Int64($0)) } == [4, 8, 12])
        let eval = c.saveConfig[.eval]
        #expect((0...12).filter { eval.shouldSave(step: Int64($0)) } == [1, 3, 7, 10])   // save_steps, or the interval from start_step
        let predict = c.saveConfig[.predict]
        #expect((0...30).filter { predict.shouldSave(step: Int64($0)) } == [])            // [2, 9) holds no multiple of 10
    }

    @Test func includeRegexSaveAllAndReductions() throws {
        let c = try DebugHookConfiguration(jsonText: #"""
            {"HookParameters": {"save_interval": "1", "include_regex": "relu_output, ^fc", "reductions": "mean, abs_max,l2_norm,abs_l1_norm"}}
            """#)
        #expect(c.includeRegex == ["relu_output", "^fc"])
        #expect(c.collection(named: "default")?.includeRegex == ["relu_output", "^fc"])
        #expect(c.includeCollections.contains("default"))
        #expect(c.reductionConfig == ReductionConfig(reductions: ["mean"], absReductions: ["max"], norms: ["l2"], absNorms: ["l1"]))
        #expect(c.reductionConfig.listString == "mean,l2_norm,abs_max,abs_l1_norm")
        let plan = try #require(SavePlanner(configuration: c).plan(tensorName: "fc1.relu_output", mode: .train, modeStep: 3))
        #expect(plan.collections == ["default"])
        #expect(!plan.saveRawTensor)                                      // reductions given: no raw tensor
        #expect(plan.reductions.map { $0.tensorName(for: "fc1.relu_output:0") } == [
            "smdebug/reductions/mean/fc1.relu_output", "smdebug/reductions/l2/fc1.relu_output",
            "smdebug/reductions/abs_max/fc1.relu_output", "smdebug/reductions/abs_l1/fc1.relu_output"])
        #expect(plan.histogramCollection == "default")
        let all = try DebugHookConfiguration(jsonText: #"{"HookParameters": {"save_all": "true", "save_interval": "2"}}"#)
        let everything = SavePlanner(configuration: all)
        #expect(everything.plan(tensorName: "anything/at/all", mode: .train, modeStep: 2)?.collections == ["all"])
        #expect(everything.plan(tensorName: "fc.weight", mode: .train, modeStep: 2)?.collections == ["all", "weights"])
        #expect(everything.plan(tensorName: "x", mode: .train, modeStep: 1) == nil)
    }

    @Test func collectionConfigurationsOverrideTheHookInOrder() throws {
        let c = try DebugHookConfiguration(jsonText: #"""
            {"HookParameters": {"save_interval": "100", "reductions": "max"},
             "CollectionConfigurations": [
               {"CollectionName": "weights", "CollectionParameters": {"save_interval": "5", "save_histogram": "False"}},
               {"CollectionName": "gradients"},
               {"CollectionName": "relu", "CollectionParameters": {"include_regex": ".*relu_output", "eval.save_interval": "2"}},
               {"CollectionName": "relu", "CollectionParameters": {"include_regex": "relu_input", "reductions": "min", "save_raw_tensor": "true"}},
               {"CollectionName": "losses", "CollectionParameters": {"train.save_interval": "50", "eval.save_interval": "10", "reductions": "mean"}}
             ]}
            """#, framework: .pytorch)
        #expect(c.includeCollections == ["weights", "gradients", "relu", "losses"])
        let weights = try #require(c.collection(named: "weights"))
        #expect(weights.saveConfig?[.train] == SaveConfigMode(saveInterval: 5))
        #expect(weights.saveHistogram == false)
        #expect(weights.reductionConfig == ReductionConfig(reductions: ["max"]))        // the hook's
        let relu = try #require(c.collection(named: "relu"))
        #expect(relu.includeRegex == [".*relu_output", "relu_input"])                  // patterns accumulate
        #expect(relu.saveConfig?[.eval] == SaveConfigMode(saveInterval: 100))          // the later entry wins
        #expect(relu.reductionConfig == ReductionConfig(reductions: ["min"], saveRawTensor: true))
        let losses = try #require(c.collection(named: "losses"))
        #expect(losses.saveConfig?[.train].saveInterval == 50)
        #expect(losses.saveConfig?[.eval].saveInterval == 10)
        #expect(losses.saveConfig?[.global].saveInterval == 100)
        #expect(losses.reductionConfig == .rawTensor)                                   // scalars: raw, never reductions
        let planner = SavePlanner(configuration: c)
        #expect(planner.plan(tensorName: "gradient/fc.weight", mode: .eval, modeStep: 0) == nil)   // no gradients in EVAL
        #expect(planner.plan(tensorName: "gradient/fc.weight", mode: .train, modeStep: 200)?.collections == ["gradients"])
        let both = try #require(planner.plan(tensorName: "fc.weight", mode: .train, modeStep: 100))
        #expect(both.collections == ["weights"])
        #expect(both.histogramCollection == nil)
        #expect(planner.plan(tensorName: "layer1.relu_input", mode: .train, modeStep: 100)?.saveRawTensor == true)
    }

    @Test func everyProblemIsReportedWithItsPath() {
        let e = #expect(throws: HookConfigurationErrors.self) {
            try DebugHookConfiguration(jsonText: #"""
                {"HookParameters": {"save_interval": "0", "train.start_step": "x", "save_all": "yes", "reductions": "median"},
                 "CollectionConfigurations": [{"CollectionParameters": {}}, {"CollectionName": "mine"},
                                              {"CollectionName": "bad", "CollectionParameters": {"include_regex": "(", "save_steps": "1,a"}}]}
                """#)
        }
        let messages = e?.errors.map(\.description) ?? []
        #expect(messages.contains("HookParameters.save_interval: \"0\" is not a positive integer"))
        #expect(messages.contains("HookParameters.start_step: \"x\" is not an integer"))
        #expect(messages.contains("HookParameters.save_all: boolean argument expected, but found \"yes\""))
        #expect(messages.contains { $0.hasPrefix("HookParameters.reductions: unknown reduction \"median\"") })
        #expect(messages.contains("CollectionConfigurations[0].CollectionName: missing; every collection configuration needs a name"))
        #expect(messages.contains { $0.contains("collection \"mine\" is not built in and has no include_regex") })
        #expect(messages.contains { $0.hasPrefix("collection bad.include_regex[0]: invalid regex \"(\"") })
        #expect(messages.contains("CollectionConfigurations[2].CollectionParameters.save_steps: \"a\" in \"1,a\" is not an integer"))
    }

    @Test func unknownParametersAreWarnings() throws {
        let c = try DebugHookConfiguration(jsonText: #"{"HookParameters": {"save_intervall": "5"}, "CollectionConfigurations": [{"CollectionName": "weights", "CollectionParameters": {"tensor_names": "a"}}]}"#)
        #expect(c.warnings.map(\.path) == ["HookParameters.save_intervall", "CollectionConfigurations[0].CollectionParameters.tensor_names"])
    }

    @Test func xgboostDefaults() throws {
        let c = try DebugHookConfiguration(jsonText: "{}", framework: .xgboost)
        #expect(c.saveConfig[.train].saveInterval == 10)
        #expect(c.includeCollections == ["metrics"])
        let planner = SavePlanner(configuration: c)
        #expect(planner.plan(tensorName: "train-rmse", mode: .train, modeStep: 20)?.collections == ["metrics"])
    }
}

@Suite(.serialized) struct HookConfigurationConformanceTests {
    static let names = ["fc1.weight", "fc1.bias", "relu_output", "layer1.relu_input", "gradient/fc1.weight", "CrossEntropyLoss_output_0",
                        "custom/a", "xspecial", "other", "loss"]
    static let steps: [TrainingMode: [Int64]] = [.train: [0, 1, 2, 3, 5, 7, 10, 14, 20, 21, 35, 40, 50, 100, 500],
                                                 .eval: [0, 1, 2, 3, 6, 9, 10, 39, 42, 500], .global: [0, 10, 20, 500],
                                                 .predict: [0, 5, 10]]
    static let configs = [
        #"{"S3OutputPath": "s3://b/p", "CollectionConfigurations": []}"#,
        #"{"HookParameters": {"save_interval": "10", "eval.save_interval": "3", "start_step": "2", "end_step": "40", "include_regex": "relu, ^fc", "reductions": "mean,abs_max,l2_norm"}, "CollectionConfigurations": [{"CollectionName": "weights", "CollectionParameters": {"save_steps": "1,5", "save_histogram": "false"}}, {"CollectionName": "losses", "CollectionParameters": {"train.save_interval": "5"}}, {"CollectionName": "custom", "CollectionParameters": {"include_regex": "^custom", "train.save_interval": "7", "reductions": "min"}}, {"CollectionName": "custom", "CollectionParameters": {"include_regex": "special$", "eval.start_step": "1"}}, {"CollectionName": "gradients"}]}"#,
        #"{"HookParameters": {"save_all": "true", "train.save_steps": "3,14", "global.save_interval": "20"}, "CollectionConfigurations": [{"CollectionName": "biases", "CollectionParameters": {"save_interval": "7", "end_step": "30"}}]}"#,
        #"{"HookParameters": {"save_interval": "1"}, "CollectionConfigurations": [{"CollectionName": "relu_output", "CollectionParameters": {"include_regex": ".*relu_output", "save_interval": "3"}}, {"CollectionName": "losses", "CollectionParameters": {"train.save_interval": "50", "eval.save_interval": "10"}}, {"CollectionName": "losses", "CollectionParameters": {"save_interval": "500"}}]}"#,
    ]

    /// For each configuration, smdebug's own parsing and save logic (a PyTorch hook's) and
    /// trainscope's SavePlanner save the same tensors, in the same collections, at the same steps;
    /// and the prepared collections agree.
    @Test(arguments: 0..<configs.count)
    func savesWhatSmdebugSaves(index: Int) throws {
        let dir = TemporaryDirectory()
        let configPath = dir.file("config.json"), queryPath = dir.file("query.json")
        try Self.configs[index].write(toFile: configPath, atomically: true, encoding: .utf8)
        let query: [String: Any] = ["names": Self.names,
                                    "steps": Dictionary(uniqueKeysWithValues: Self.steps.map { ($0.key.rawValue, $0.value) })]
        try JSONSerialization.data(withJSONObject: query).write(to: URL(fileURLWithPath: queryPath))
        let got = try Conformance.json("hook_decisions.py", [configPath, queryPath])

        let config = try DebugHookConfiguration(jsonText: Self.configs[index], framework: .pytorch)
        #expect(config.includeCollections.sorted() == got["include_collections"]?.arrayElements?.compactMap(\.stringValue))
        for member in got["collections"]?.objectMembers ?? [] {
            let mine = try #require(config.collection(named: member.key), "collection \(member.key)")
            #expect(mine.includeRegex == member.value["include_regex"]?.arrayElements?.compactMap(\.stringValue), "\(member.key)")
            #expect(mine.saveHistogram == member.value["save_histogram"]?.boolValue, "\(member.key)")
            let r = member.value["reduction_config"]
            #expect(mine.reductionConfig?.listString == r?["reductions"]?.stringValue, "\(member.key)")
            #expect(mine.reductionConfig?.saveRawTensor == r?["save_raw_tensor"]?.boolValue, "\(member.key)")
            for mode in TrainingMode.allCases {
                let s = member.value["save_config"]?[mode.rawValue]
                let m = mine.saveConfig?[mode]
                #expect(m?.saveInterval == s?["save_interval"]?.numberValue?.int64.map { Int($0) }, "\(member.key) \(mode)")
                #expect(m?.startStep == s?["start_step"]?.numberValue?.int64.map { Int($0) }, "\(member.key) \(mode)")
                #expect(m?.endStep == s?["end_step"]?.numberValue?.int64.map { Int($0) }, "\(member.key) \(mode)")
                #expect(m?.saveSteps == s?["save_steps"]?.arrayElements?.compactMap { $0.numberValue?.int64.map { Int($0) } }, "\(member.key) \(mode)")
            }
        }
        let planner = SavePlanner(configuration: config)
        var mine: [String: [String]] = [:]
        for (mode, steps) in Self.steps {
            for step in steps {
                for name in Self.names {
                    if let plan = planner.plan(tensorName: name, mode: mode, modeStep: step) {
                        mine["\(name)|\(mode.rawValue)|\(step)"] = plan.collections
                    }
                }
            }
        }
        var theirs: [String: [String]] = [:]
        for member in got["decisions"]?.objectMembers ?? [] {
            theirs[member.key] = member.value.arrayElements?.compactMap(\.stringValue)
        }
        #expect(!theirs.isEmpty)
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] {
            Issue.record("config \(index): \(key): smdebug saves \(theirs[key] ?? []), trainscope \(mine[key] ?? [])")
        }
    }
}

