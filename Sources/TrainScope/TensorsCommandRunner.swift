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

// MARK: - tensors serve

import Exposition
import Logging
import ServiceLifecycle

extension TensorsCommandRunner {
    public struct ServeOptions: Sendable {
        public var directory: String
        public var host: String
        public var port: Int
        /// A DebugHookConfig document, or a CreateTrainingJob request holding one.
        public var hookConfigPath: String?
        public var tensorBoardDirectory: String?
        public var workers: Int
        /// generic, pytorch, tensorflow, mxnet or xgboost: whose built-in collections apply.
        public var framework: String
        public var maxBodyBytes: Int

        public init(directory: String, host: String = "127.0.0.1", port: Int = 9479, hookConfigPath: String? = nil,
                    tensorBoardDirectory: String? = nil, workers: Int = 1, framework: String = "generic",
                    maxBodyBytes: Int = 256 << 20) {
            self.directory = directory
            self.host = host
            self.port = port
            self.hookConfigPath = hookConfigPath
            self.tensorBoardDirectory = tensorBoardDirectory
            self.workers = workers
            self.framework = framework
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// The ingestion API on its own server (with `/metrics` for its counters) until SIGTERM or SIGINT;
    /// then the trial is finished (`training_job_end.ts`).
    public static func serve(_ options: ServeOptions, logger: Logger) async -> Int32 {
        let hook: DebugHookConfiguration
        do {
            guard let framework = HookFramework(rawValue: options.framework) else {
                throw TensorsCommandError(description: "unknown framework \(options.framework); use generic, pytorch, tensorflow, mxnet or xgboost")
            }
            hook = try loadHookConfiguration(options.hookConfigPath, framework: framework)
        } catch {
            logger.error("\(error)")
            return 1
        }
        for warning in hook.warnings { logger.warning("\(warning)") }
        let ingestion: TensorIngestion
        do {
            let writer = try SmdebugTrialWriter(directory: options.directory, collections: hook.collections, numWorkers: options.workers,
                                                asynchronousIO: true)
            ingestion = TensorIngestion(configuration: .init(hook: hook, limits: .init(maxBodyBytes: options.maxBodyBytes),
                                                             tensorBoardDirectory: options.tensorBoardDirectory),
                                        writer: writer)
        } catch {
            logger.error("\(error)")
            return 1
        }
        let server = MetricsServer(configuration: .init(host: options.host, port: options.port), logger: quietLibraries(logger),
                                   extraRoutes: { ingestion.register(on: $0) }) { metricFamilies(ingestion) }
        let displayHost = options.host.contains(":") ? "[\(options.host)]" : options.host
        let app = server.application { port in
            logger.notice("tensor ingestion at http://\(displayHost):\(port)/v1/tensors, trial \(options.directory)")
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: quietLibraries(logger)))
        var status: Int32 = 0
        do {
            try await group.run()
        } catch {
            logger.error("cannot serve on \(options.host):\(options.port): \(error)")
            status = 1
        }
        do {
            try ingestion.finish()
        } catch {
            logger.error("\(error)")
            status = 1
        }
        let s = ingestion.statistics
        logger.notice("\(s.requests) requests (\(s.rejected) rejected), \(s.tensorsSaved) tensors saved, \(s.tensorsSkipped) skipped, \(s.bytesReceived) bytes received")
        return status
    }

    /// A DebugHookConfig document, or the `DebugHookConfig` member of a CreateTrainingJob request
    /// (`file://` accepted); the SDK's default configuration when there is no file.
    public static func loadHookConfiguration(_ path: String?, framework: HookFramework) throws -> DebugHookConfiguration {
        guard let path else { return DebugHookConfiguration(framework: framework) }
        let file = path.hasPrefix("file://") ? String(path.dropFirst(7)) : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TensorsCommandError(description: "cannot read \(file)")
        }
        let json = try JSONParser.parse(Array(data), source: file)
        do {
            return try DebugHookConfiguration(json: json["DebugHookConfig"] ?? json, framework: framework)
        } catch {
            throw TensorsCommandError(description: "\(file): invalid DebugHookConfig:\n\(error)")
        }
    }

    /// The ingestion's counters as Prometheus families (`trainscope_tensor_*`), each series with
    /// `labels` (inside `run`: the job's host and training_job, as every other family has).
    public static func metricFamilies(_ ingestion: TensorIngestion, labels: [(String, String)] = []) -> [MetricFamily] {
        let s = ingestion.statistics
        func counter(_ name: String, _ help: String, _ value: Int) -> MetricFamily {
            MetricFamily(name: name, help: help, kind: .counter, series: [.init(labels: labels, value: .integer(Int64(value)))])
        }
        return [
            counter("trainscope_tensor_requests_total", "Tensor ingestion requests.", s.requests),
            counter("trainscope_tensor_requests_rejected_total", "Tensor ingestion requests refused (4xx or 5xx).", s.rejected),
            counter("trainscope_tensor_received_bytes_total", "Request bytes received by the tensor ingestion API.", s.bytesReceived),
            counter("trainscope_tensors_saved_total", "Tensors written to the trial (values or shapes).", s.tensorsSaved),
            counter("trainscope_tensors_skipped_total", "Tensors the hook configuration does not save at their step.", s.tensorsSkipped),
            counter("trainscope_tensorboard_errors_total", "Failed TensorBoard writes.", s.tensorBoardErrors),
        ]
    }
}

/// Hummingbird's "Server started" and the like stay below notice.
private func quietLibraries(_ logger: Logger) -> Logger {
    var l = logger
    if l.logLevel < .warning { l.logLevel = .warning }
    return l
}

struct TensorsCommandError: Error, CustomStringConvertible {
    var description: String
}
