import PCRE2
import Testing
@testable import JobSpec

@Suite struct ShapeSchemaTests {
    let schema = ShapeSchema.createTrainingJob

    @Test func loadsEveryReachableShape() {
        #expect(schema.root == "CreateTrainingJobRequest")
        #expect(schema.shapes.count > 100)
        let root = schema[schema.root]
        #expect(root.members.first?.name == "TrainingJobName")
        #expect(root.memberShape("AlgorithmSpecification") == "AlgorithmSpecification")
        #expect(schema["TrainingInputMode"].enumValues == ["Pipe", "File", "FastFile"])
    }

    @Test func everyPatternCompilesWithPCRE2() {
        let patterns = schema.shapes.values.compactMap(\.pattern)
        #expect(patterns.count > 20)
        for pattern in patterns {
            #expect(throws: Never.self, "\(pattern)") { _ = try PCRE2Regex(pattern, options: ShapeSchema.patternOptions) }
        }
    }

    /// The Java-only `\p{Alnum}` had to be translated; `\d` and `.` keep Java's ASCII / line meaning.
    @Test func javaConstructsAreTranslated() throws {
        let translated = schema.shapes.values.filter { $0.pattern != $0.modelPattern }
        #expect(translated.contains { $0.modelPattern?.contains(#"\p{Alnum}"#) == true })
        #expect(!schema.shapes.values.contains { $0.pattern?.contains(#"\p{Alnum}"#) == true })
        let role = try PCRE2Regex(schema["RoleArn"].pattern!, options: ShapeSchema.patternOptions)
        let arabicDigits = "arn:aws:iam::\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}\u{667}\u{668}\u{669}\u{660}\u{661}\u{662}:role/x"
        #expect(role.firstGroup(in: "arn:aws:iam::111122223333:role/x").0 != .noMatch)
        #expect(role.firstGroup(in: arabicDigits).0 == .noMatch)
        let any = try PCRE2Regex(schema["HyperParameterValue"].pattern!, options: ShapeSchema.patternOptions)
        #expect(any.firstGroup(in: "a b").0 != .noMatch)
        #expect(any.firstGroup(in: "a\nb").0 == .noMatch)
    }

    /// The limits from sagemaker-api.md §1 that the validator relies on the model for.
    @Test(arguments: [
        ("MetricDefinitionList", 0.0, 40.0), ("MetricName", 1, 255), ("MetricRegex", 1, 500),
        ("HyperParameters", 0, 100), ("HyperParameterKey", 0, 256), ("HyperParameterValue", 0, 2500),
        ("TrainingEnvironmentMap", 0, 100), ("TrainingEnvironmentKey", 0, 512), ("TrainingEnvironmentValue", 0, 512),
        ("DebugRuleConfigurations", 0, 20), ("ProfilerRuleConfigurations", 0, 20), ("HookParameters", 0, 20),
        ("CollectionConfigurations", 0, 20), ("RuleParameters", 0, 100), ("ConfigKey", 1, 256), ("ConfigValue", 0, 256),
        ("MaxPendingTimeInSeconds", 7200, 2419200), ("MaximumRetryAttempts", 1, 30), ("TrainingJobName", 1, 63),
    ] as [(String, Double, Double)])
    func pinnedLimits(shape: String, min: Double, max: Double) {
        #expect(schema[shape].min == min)
        #expect(schema[shape].max == max)
    }

    @Test func pinnedPatterns() {
        #expect(schema["TrainingJobName"].modelPattern == "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
        #expect(schema["TrainingEnvironmentKey"].modelPattern == "[a-zA-Z_][a-zA-Z0-9_]*")
        #expect(schema["MaxRuntimeInSeconds"].min == 1)
    }
}
