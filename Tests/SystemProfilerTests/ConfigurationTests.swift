import JobSpec
import SystemProfiler
import Testing

@Suite struct PythonLiteralTests {
    @Test func theSDKsSubConfigStringsParse() throws {
        let text = #"{"StartStep": 5, "NumSteps": 3, "ProfilerName": "cprofile", "cProfileTimer": "total_time", }"#
        let value = try PythonLiteral.parse(text)
        #expect(value["startstep"] == .int(5))
        #expect(value["PROFILERNAME"] == .string("cprofile"))
        #expect(value["cprofiletimer"]?.stringValue == "total_time")
    }

    @Test(arguments: [
        ("{'a': True, 'b': None, 'c': false, 'd': null, }", "{\"a\": True, \"b\": None, \"c\": False, \"d\": None}"),
        ("[1, 2.5, -3e2, 1_000, (4, 5,), ]", "[1, 2.5, -300.0, 1000, [4, 5]]"),
        ("{}", "{}"),
    ])
    func lenientLiterals(_ text: String, _ expected: String) throws {
        #expect(try PythonLiteral.parse(text).description == expected)
    }

    @Test func stringEscapesAndBothQuotes() throws {
        let value = try PythonLiteral.parse(#"  {"k\"q": 'it\'s\n\u00e9'}  "#)
        #expect(value == .dict([.init(key: .string("k\"q"), value: .string("it's\né"))]))
    }

    @Test(arguments: ["{", "{'a' 1}", "{'a': 1,, }", "[1 2]", "{'a': foo}", "'open", "{} extra", ""])
    func malformedLiteralsAreErrorsWithAnOffset(_ text: String) {
        #expect(throws: PythonLiteral.SyntaxError.self) { try PythonLiteral.parse(text) }
    }
}

@Suite struct ProfilerSettingsTests {
    static func spec(_ profilerConfig: String) throws -> TrainingJobSpec {
        let json = """
            {"TrainingJobName": "prof", "RoleArn": "arn:aws:iam::111122223333:role/R",
             "AlgorithmSpecification": {"TrainingInputMode": "File", "TrainingImage": "img"},
             "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
             "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1},
             "StoppingCondition": {"MaxRuntimeInSeconds": 60}\(profilerConfig.isEmpty ? "" : ", \"ProfilerConfig\": \(profilerConfig)")}
            """
        return try JobSpecLoader.load(bytes: Array(json.utf8), source: "job.json").spec
    }

    @Test func defaultsAreSageMakersWithLocalPathUnderTheMLRoot() throws {
        let (settings, warnings) = ProfilerSettings.make(spec: try Self.spec(""), mlRoot: "/tmp/ml")
        #expect(warnings.isEmpty)
        #expect(settings == ProfilerSettings(disabled: false, intervalMilliseconds: 500, localPath: "/tmp/ml/output/profiler",
                                             rotateMaxFileSizeInBytes: 10_485_760, rotateFileCloseIntervalInSeconds: 60,
                                             fileOpenFailThreshold: 50, parameters: ProfilingParameters()))
    }

    @Test func theSDKsProfilingParametersAreHonouredInAnyCase() throws {
        let config = #"""
            {"S3OutputPath": "s3://b/o", "DisableProfiler": false, "ProfilingIntervalInMilliseconds": 100,
             "ProfilingParameters": {
               "localpath": "/opt/ml/output/profiler/",
               "ROTATEMAXFILESIZEINBYTES": "1048576",
               "RotateFileCloseIntervalInSeconds": " 30 ",
               "FileOpenFailThreshold": "5",
               "DataloaderProfilingConfig": "{\"StartStep\": 5, \"NumSteps\": 3, \"MetricsRegex\": \".*\", }",
               "PythonProfilingConfig": "{\"StartStep\": 5, \"NumSteps\": 3, \"ProfilerName\": \"cprofile\", \"cProfileTimer\": \"total_time\", }",
               "SomethingElse": "x"}}
            """#
        let (settings, warnings) = ProfilerSettings.make(spec: try Self.spec(config), mlRoot: "run")
        #expect(warnings.isEmpty)
        #expect(settings.intervalMilliseconds == 100)
        #expect(settings.localPath == "run/output/profiler")
        #expect(settings.rotateMaxFileSizeInBytes == 1_048_576)
        #expect(settings.rotateFileCloseIntervalInSeconds == 30)
        #expect(settings.fileOpenFailThreshold == 5)
        #expect(settings.parameters.frameworkConfigs.map(\.key) == ["DataloaderProfilingConfig", "PythonProfilingConfig"])
        #expect(settings.parameters.frameworkConfigs[0].value["metricsregex"] == .string(".*"))
        #expect(settings.parameters.otherKeys == ["SomethingElse"])
    }

    @Test func unusableValuesAreWarningsAndDefaults() throws {
        let config = #"""
            {"DisableProfiler": true, "ProfilingParameters": {"RotateMaxFileSizeInBytes": "ten", "FileOpenFailThreshold": "0",
             "DetailedProfilingConfig": "{\"StartStep\": 5 \"NumSteps\": 1}", "LocalPath": "/data/prof"}}
            """#
        let (settings, warnings) = ProfilerSettings.make(spec: try Self.spec(config), mlRoot: "run")
        #expect(settings.disabled)
        #expect(settings.rotateMaxFileSizeInBytes == 10_485_760)
        #expect(settings.fileOpenFailThreshold == 50)
        #expect(settings.localPath == "/data/prof")
        #expect(warnings.count == 3)
        #expect(warnings[0].hasPrefix("ProfilingParameters.RotateMaxFileSizeInBytes:"))
        #expect(warnings[2].contains("DetailedProfilingConfig") && warnings[2].contains("not a Python dict literal"))
    }

    @Test func invalidIntervalIsAlreadyAValidationErrorNamingThePath() {
        let json = #"{"TrainingJobName": "p", "ProfilerConfig": {"ProfilingIntervalInMilliseconds": 123}}"#
        let issues = JobSpecLoader.validate(bytes: Array(json.utf8), source: "job.json")
        #expect(issues.contains { $0.isError && "\($0)".contains("ProfilerConfig.ProfilingIntervalInMilliseconds") })
    }

    @Test(arguments: [("/opt/ml", "R"), ("/opt/ml/", "R"), ("/opt/ml/output/profiler", "R/output/profiler"),
                      ("/opt/mlx/p", "/opt/mlx/p"), ("rel/p", "rel/p")])
    func reRooting(_ path: String, _ expected: String) {
        #expect(ProfilerSettings.rerooted(path, mlRoot: "R") == expected)
    }
}
