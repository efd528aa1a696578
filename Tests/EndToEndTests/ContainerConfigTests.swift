import Foundation
import Testing
import TrainScopeTesting

/// A script written for SageMaker finds what SageMaker gives a container: its hyperparameters file,
/// its resource config, TRAINING_JOB_NAME, and the job's Environment (which wins over ours).
@Suite(.serialized) struct ContainerConfigTests {
    @Test func hyperparametersResourceConfigAndVariables() throws {
        let dir = TemporaryDirectory(prefix: "e2e-config")
        let job = try RunCommandTests.writeJob(in: dir, name: "e2e-config", extra: [
            "HyperParameters": ["epochs": "3", "lr": "0.1"],
            "ResourceConfig": ["InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30],
            "Environment": ["MY_SETTING": "from-job", "TRAINING_JOB_ARN": "overridden-by-job"],
        ])
        let script = """
        import json, os
        root = os.environ['TRAINSCOPE_ML_ROOT']
        hp = json.load(open(os.path.join(root, 'input/config/hyperparameters.json')))
        rc = json.load(open(os.path.join(root, 'input/config/resourceconfig.json')))
        print(json.dumps({'hp': hp, 'rc': rc, 'name': os.environ['TRAINING_JOB_NAME'],
                          'arn': os.environ['TRAINING_JOB_ARN'], 'mine': os.environ['MY_SETTING'],
                          'unbuffered': os.environ.get('PYTHONUNBUFFERED')}, sort_keys=True))
        """
        let r = try CLI.run(["run", "--job", job, "--ml-root", dir.file("ml"), "--host-id", "algo-3",
                             "--listen", "127.0.0.1:0", "--", "python3", "-c", script], cwd: dir.path)
        #expect(r.status == 0, "stderr:\n\(r.stderr)")
        let seen = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        #expect(seen["hp"] as? [String: String] == ["epochs": "3", "lr": "0.1"])
        let rc = try #require(seen["rc"] as? [String: Any])
        #expect(rc["current_host"] as? String == "algo-3")
        #expect(rc["hosts"] as? [String] == ["algo-3"])
        #expect(rc["current_instance_type"] as? String == "ml.m5.xlarge")
        #expect(seen["name"] as? String == "e2e-config")
        #expect(seen["arn"] as? String == "overridden-by-job")
        #expect(seen["mine"] as? String == "from-job")
        #expect(seen["unbuffered"] as? String == "1")
    }
}
