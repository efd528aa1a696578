import Foundation
import JobSpec
import Testing
import TrainScopeTesting

/// Runs the conformance scripts under `Conformance/` with the Python that has the real smdebug and
/// tensorboard packages (`scripts/python-venv.sh`; `scripts/test.sh` exports its path as
/// TRAINSCOPE_CONFORMANCE_PYTHON). Without it, or with a broken one, the tests FAIL: CI sets it,
/// and a conformance check that silently skips proves nothing.
enum Conformance {
    static let scripts = SourceTree.root() + "/Tests/TensorIOTests/Conformance"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The interpreter, checked once: it must import smdebug's trial reader and TensorBoard's
    /// event accumulator.
    static func python() throws -> String {
        try checked.get()
    }

    private static let checked: Result<String, Failure> = {
        guard let python = ProcessInfo.processInfo.environment["TRAINSCOPE_CONFORMANCE_PYTHON"], !python.isEmpty else {
            return .failure(Failure(description: "TRAINSCOPE_CONFORMANCE_PYTHON is not set: run bash scripts/test.sh, or export TRAINSCOPE_CONFORMANCE_PYTHON=$(pwd)/$(bash scripts/python-venv.sh)"))
        }
        do {
            let r = try run(python, ["-c", "import smdebug.trials, tensorboard.backend.event_processing.event_accumulator, numpy"])
            if r.status != 0 {
                return .failure(Failure(description: "TRAINSCOPE_CONFORMANCE_PYTHON=\(python) cannot import smdebug/tensorboard: \(r.stderr)"))
            }
        } catch {
            return .failure(Failure(description: "TRAINSCOPE_CONFORMANCE_PYTHON=\(python) cannot run: \(error)"))
        }
        return .success(python)
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TRAINING_JOB_NAME"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let dir = TemporaryDirectory(prefix: "conformance")
        let out = dir.file("out"), err = dir.file("err")
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: out)
        p.standardError = FileHandle(forWritingAtPath: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return Output(status: p.terminationStatus,
                      stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Runs `Conformance/<script>` and parses its JSON output; a non-zero exit is a failure.
    static func json(_ script: String, _ arguments: [String]) throws -> JSONValue {
        let r = try run(try python(), ["\(scripts)/\(script)"] + arguments)
        guard r.status == 0 else {
            throw Failure(description: "\(script) \(arguments.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))")
        }
        return try JSONParser.parse(r.stdout, source: script)
    }
}
