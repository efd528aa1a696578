import Foundation
import JobSpec
import Testing
import TrainScopeTesting
@testable import TensorIO

@Suite struct DebuggerContainerConfigTests {
    static let request = try! JSONParser.parse(#"""
        {"TrainingJobName": "j",
         "DebugHookConfig": {"S3OutputPath": "s3://b/debug", "LocalPath": "/opt/ml/output/tensors/",
                             "HookParameters": {"save_interval": "100"}, "CollectionConfigurations": [{"CollectionName": "weights"}]},
         "TensorBoardOutputConfig": {"S3OutputPath": "s3://b/tb"},
         "ProfilerConfig": {"S3OutputPath": "s3://b/p", "ProfilingIntervalInMilliseconds": 500}}
        """#)

    @Test func pathsAreRerootedUnderTheMLRoot() {
        #expect(DebuggerContainerConfig.tensorDirectory(request: Self.request, mlRoot: "/r") == "/r/output/tensors")
        #expect(DebuggerContainerConfig.tensorBoardDirectory(request: Self.request, mlRoot: "/r") == "/r/output/tensorboard")
        #expect(DebuggerContainerConfig.reroot("/data/tb", mlRoot: "/r") == "/data/tb")
        #expect(DebuggerContainerConfig.reroot("/opt/mlx", mlRoot: "/r") == "/opt/mlx")
        #expect(DebuggerContainerConfig.tensorDirectory(request: .object([]), mlRoot: "/r") == nil)
    }

    @Test func configFilesAndVariablesForSmdebugsHook() throws {
        let dir = TemporaryDirectory()
        let paths = try DebuggerContainerConfig.write(request: Self.request, mlRoot: dir.path)
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["debughookconfig.json", "tensorboardoutputconfig.json", "profilerconfig.json"])
        let hook = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: paths[0]))))
        #expect(hook["LocalPath"]?.stringValue == dir.path + "/output/tensors")
        #expect(hook["HookParameters"]?["save_interval"]?.stringValue == "100")
        // The file parses back into the same hook configuration.
        let config = try DebugHookConfiguration(json: hook)
        #expect(config.localPath == dir.path + "/output/tensors")
        #expect(config.includeCollections == ["weights", "losses"])
        let tb = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: paths[1]))))
        #expect(tb["LocalPath"]?.stringValue == dir.path + "/output/tensorboard")
        let env = DebuggerContainerConfig.environment(request: Self.request, mlRoot: dir.path)
        #expect(env.map(\.key) == ["SMDEBUG_CONFIG_FILE_PATH", "TENSORBOARD_CONFIG_FILE_PATH", "SMPROFILER_CONFIG_PATH"])
        #expect(env[0].value == paths[0])
        try DebuggerContainerConfig.markTrialEnded(dir.file("output/tensors"))
        #expect(FileManager.default.fileExists(atPath: dir.file("output/tensors/training_job_end.ts")))
    }
}
