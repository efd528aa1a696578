import Foundation
import JobSpec
import TensorIO

/// `trainscope tensors dump`: prints an smdebug trial directory (written by smdebug's hooks or by
/// trainscope) step by step. With `follow`, it keeps reading while the trial is written and prints
/// each step once it is complete, until `training_job_end.ts` appears.
public enum TensorsCommandRunner {
    public struct DumpOptions: Sendable {
        public var directory: String
        public var json: Bool
        public var steps: Set<Int64>?
        public var tensors: Set<String>?
        public var maxElements: Int
        public var follow: Bool
        public var pollInterval: Double
        public var includeIncomplete: Bool

        public init(directory: String, json: Bool = false, steps: Set<Int64>? = nil, tensors: Set<String>? = nil,
                    maxElements: Int = 1 << 20, follow: Bool = false, pollInterval: Double = 1,
                    includeIncomplete: Bool = false) {
            self.directory = directory
            self.json = json
            self.steps = steps
            self.tensors = tensors
            self.maxElements = maxElements
            self.follow = follow
            self.pollInterval = pollInterval
            self.includeIncomplete = includeIncomplete
        }
    }

    /// Without `follow`, JSON output is one document (the summary with a `steps` array); with it,
    /// JSON Lines: one object per step as it completes. Text output is the same in both.
    public static func dump(_ options: DumpOptions, output: (String) -> Void, diagnostics: (String) -> Void) -> Int32 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            diagnostics("error: \(options.directory) is not a directory")
            return 1
        }
        let reader = SmdebugTrialReader(directory: options.directory)
        let dumper = TrialDump(reader: reader, tensorFilter: options.tensors, maxElements: options.maxElements)
        var printed = Set<Int64>()
        var documentSteps: [JSONValue] = []
        do {
            while true {
                reader.refresh()
                for (path, problem) in reader.problems.sorted(by: { $0.key < $1.key }) {
                    diagnostics("warning: \(path): \(problem)")
                }
                for step in reader.steps(includeIncomplete: options.includeIncomplete) where !printed.contains(step) {
                    printed.insert(step)
                    if let wanted = options.steps, !wanted.contains(step) { continue }
                    let value = try dumper.step(step)
                    if options.json && !options.follow {
                        documentSteps.append(value)
                    } else if options.json {
                        output(JSONSerializer.string(value, style: .compact))
                    } else {
                        output(text(value))
                    }
                }
                if !options.follow || reader.hasEnded && reader.steps().allSatisfy(printed.contains) { break }
                Thread.sleep(forTimeInterval: options.pollInterval)
            }
        } catch {
            diagnostics("error: \(error)")
            return 1
        }
        if options.json && !options.follow {
            guard case .object(var members) = dumper.summary() else { return 1 }
            members.append(JSONMember("steps", .array(documentSteps)))
            output(JSONSerializer.string(.object(members), style: .compact))
        } else if !options.json && !options.follow {
            let summary = dumper.summary()
            let workers = summary["workers"]?.arrayElements?.compactMap(\.stringValue) ?? []
            diagnostics("\(options.directory): \(printed.count) steps, workers \(workers.joined(separator: ", ")), \(reader.hasEnded ? "ended" : "not ended")")
        }
        return 0
    }

    /// `step 3 EVAL 0` then one line per tensor and worker.
    static func text(_ step: JSONValue) -> String {
        var lines = ["step \(step["step"]!.numberValue!.description) \(step["mode"]!.stringValue!) \(step["mode_step"]!.numberValue!.description)"]
        for t in step["tensors"]?.arrayElements ?? [] {
            var line = "  \(t["name"]!.stringValue!) [\(t["worker"]!.stringValue!)]"
            if let dtype = t["dtype"]?.stringValue { line += " \(dtype)" }
            if let shape = t["shape"] { line += " shape \(JSONSerializer.string(shape, style: .compact))" }
            if let values = t["values"] { line += " = \(JSONSerializer.string(values, style: .compact))" }
            if let reductions = t["reductions"] { line += " reductions \(JSONSerializer.string(reductions, style: .compact))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
