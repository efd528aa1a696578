import Foundation
import JobSpec

/// The files and variables SageMaker gives a training container, so a script written for SageMaker
/// finds its hyperparameters and host layout where it looks for them, under the run's ML root
/// instead of /opt/ml: `input/config/hyperparameters.json` (every value a string, as the service
/// passes them) and `input/config/resourceconfig.json`.
enum ContainerConfig {
    struct Error: Swift.Error, CustomStringConvertible {
        let description: String
    }

    static func write(spec: TrainingJobSpec, hostID: String, mlRoot: String) throws {
        let dir = "\(mlRoot)/input/config"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let hyperparameters = JSONValue.object(spec.hyperParameters.map { JSONMember($0.key, .string($0.value)) })
            try write(hyperparameters, to: "\(dir)/hyperparameters.json")
            var resource: [JSONMember] = [
                JSONMember("current_host", .string(hostID)),
                JSONMember("hosts", .array([.string(hostID)])),
            ]
            if let type = spec.request["ResourceConfig"]?["InstanceType"]?.stringValue {
                resource.append(JSONMember("current_instance_type", .string(type)))
            }
            try write(.object(resource), to: "\(dir)/resourceconfig.json")
        } catch let error as Error {
            throw error
        } catch {
            throw Error(description: "cannot write the container config in \(dir): \((error as NSError).localizedDescription)")
        }
    }

    private static func write(_ value: JSONValue, to path: String) throws {
        let text = JSONSerializer.string(value, style: .pretty) + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw Error(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A local stand-in for the job's ARN: region "local", account zero.
    static func trainingJobARN(_ name: String) -> String {
        "arn:aws:sagemaker:local:000000000000:training-job/\(name)"
    }

    /// Variables SageMaker sets in every training container; the job's `Environment` may override them.
    static func environment(spec: TrainingJobSpec, mlRoot: String) -> [(key: String, value: String)] {
        let root = URL(fileURLWithPath: mlRoot).standardizedFileURL.path
        return [("TRAINING_JOB_NAME", spec.name),
                ("TRAINING_JOB_ARN", trainingJobARN(spec.name)),
                ("TRAINSCOPE_ML_ROOT", root)]
    }
}
