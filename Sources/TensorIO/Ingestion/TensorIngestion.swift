import Foundation

/// Tensor ingestion for training code without an smdebug hook: batches of tensors (from the HTTP
/// API, see `register(on:)`) are checked, passed through the hook configuration (which collections
/// save the tensor at this mode step, raw or as reductions, with a histogram), and written to an
/// smdebug trial and to TensorBoard. Thread-safe.
public final class TensorIngestion: @unchecked Sendable {
    public struct Limits: Sendable {
        /// Largest request body (a JSON batch, or one `.npy`); more is 413.
        public var maxBodyBytes: Int
        /// Largest JSON body (JSON parsing is not for bulk data: send `.npy` or `data_base64`).
        public var maxJSONBytes: Int
        public var maxTensorsPerRequest: Int
        public var maxDimensions: Int
        /// Longest tensor name, in UTF-8 bytes.
        public var maxNameBytes: Int

        public init(maxBodyBytes: Int = 256 << 20, maxJSONBytes: Int = 8 << 20, maxTensorsPerRequest: Int = 4096,
                    maxDimensions: Int = 32, maxNameBytes: Int = 1024) {
            self.maxBodyBytes = maxBodyBytes
            self.maxJSONBytes = maxJSONBytes
            self.maxTensorsPerRequest = maxTensorsPerRequest
            self.maxDimensions = maxDimensions
            self.maxNameBytes = maxNameBytes
        }
    }

    public struct Configuration: Sendable {
        public var hook: DebugHookConfiguration
        public var limits: Limits
        /// TensorBoardOutputConfig.LocalPath: histograms and scalars go to `<dir>/<MODE>/events.out.tfevents.…`.
        public var tensorBoardDirectory: String?
        public var hostname: String

        public init(hook: DebugHookConfiguration = DebugHookConfiguration(), limits: Limits = Limits(),
                    tensorBoardDirectory: String? = nil, hostname: String = ProcessInfo.processInfo.hostName) {
            self.hook = hook
            self.limits = limits
            self.tensorBoardDirectory = tensorBoardDirectory
            self.hostname = hostname
        }
    }

    /// What one request did.
    public struct Result: Sendable, Equatable {
        public var step: Int64
        public var mode: TrainingMode
        public var modeStep: Int64
        public var worker: String
        /// Tensors written raw.
        public var saved: [String] = []
        /// Tensors whose shape only was saved.
        public var shapes: [String] = []
        /// Reduction tensors written.
        public var reductions: [String] = []
        /// Tensors the configuration does not save at this step.
        public var skipped: [String] = []
        public var histograms: [String] = []
        public var scalars: [String] = []
    }

    /// Counters for self-metrics.
    public struct Statistics: Sendable, Equatable {
        public var requests = 0
        public var rejected = 0
        public var tensorsSaved = 0
        public var tensorsSkipped = 0
        public var bytesReceived = 0
        public var tensorBoardErrors = 0
    }

    public let configuration: Configuration
    public let writer: SmdebugTrialWriter
    private let planner: SavePlanner
    private let lock = NSLock()
    private var stats = Statistics()
    /// worker → mode → (last global step, its mode step)
    private var modeSteps: [String: [TrainingMode: (Int64, Int64)]] = [:]
    private var tensorBoard: [TrainingMode: TensorBoardWriter] = [:]

    public init(configuration: Configuration, writer: SmdebugTrialWriter) {
        self.configuration = configuration
        self.writer = writer
        self.planner = SavePlanner(configuration: configuration.hook)
    }

    /// Continues the trial already in the writer's folder (a restarted sidecar): steps written before
    /// are refused (409) rather than written twice, and each mode's steps count on from where they
    /// were. Returns what was found.
    @discardableResult
    public func resumeExistingTrial() -> TrialResumePoint {
        let point = TrialResumePoint.scan(directory: writer.directory)
        writer.resume(from: point)
        lock.lock()
        for (worker, w) in point.workers {
            for (mode, m) in w.modes { modeSteps[worker, default: [:]][mode] = (m.step, m.modeStep) }
        }
        lock.unlock()
        return point
    }

    public var statistics: Statistics {
        lock.lock()
        defer { lock.unlock() }
        var s = stats
        s.tensorBoardErrors = tensorBoard.values.reduce(0) { $0 + $1.errorCount }
        return s
    }

    /// Checks every tensor first (a 400 writes nothing), then writes what the configuration saves.
    public func ingest(_ batch: TensorBatch, bodyBytes: Int = 0) throws(IngestionError) -> Result {
        do {
            let result = try ingestChecked(batch)
            lock.lock()
            stats.requests += 1
            stats.bytesReceived += bodyBytes
            stats.tensorsSaved += result.saved.count + result.shapes.count
            stats.tensorsSkipped += result.skipped.count
            lock.unlock()
            return result
        } catch {
            noteRejected(bodyBytes: bodyBytes)
            throw error
        }
    }

    func noteRejected(bodyBytes: Int = 0) {
        lock.lock()
        stats.requests += 1
        stats.rejected += 1
        stats.bytesReceived += bodyBytes
        lock.unlock()
    }

    private func ingestChecked(_ batch: TensorBatch) throws(IngestionError) -> Result {
        guard TrialLayout.isValidWorkerName(batch.worker) else {
            throw .badRequest("worker \"\(batch.worker)\" must be 1-128 of A-Z a-z 0-9 _ - . and not start with a dot (it becomes part of file names)")
        }
        var seen = Set<String>()
        var prepared: [(TensorBatch.Item, Tensor)] = []
        for item in batch.items {
            try checkName(item.tensor.name)
            guard seen.insert(item.tensor.name).inserted else {
                throw .badRequest("given twice in one request", tensor: item.tensor.name)
            }
            let t = item.tensor
            guard t.shape.count <= configuration.limits.maxDimensions else {
                throw .badRequest("\(t.shape.count) dimensions; at most \(configuration.limits.maxDimensions)", tensor: t.name)
            }
            guard t.elementCount > 0 else {
                throw .badRequest("shape \(t.shape) has no elements (smdebug does not save empty tensors)", tensor: t.name)
            }
            if t.dtype == .string {
                guard t.shape.count == 1 else { throw .badRequest("string tensors must be 1-D", tensor: t.name) }
            } else if t.content.count != t.elementCount * t.dtype.itemSize {
                throw .badRequest("shape \(t.shape) of \(t.dtype.rawValue) needs \(t.elementCount * t.dtype.itemSize) bytes, got \(t.content.count)", tensor: t.name)
            }
            let stored: Tensor
            do {
                stored = try t.convertedForSmdebug()
            } catch {
                throw .badRequest(error.description, tensor: t.name)
            }
            prepared.append((item, stored))
        }
        let modeStep = assignModeStep(batch)
        let position = StepPosition(step: batch.step, mode: batch.mode, modeStep: modeStep, worker: batch.worker)
        var result = Result(step: batch.step, mode: batch.mode, modeStep: modeStep, worker: batch.worker)
        let tb = tensorBoardWriter(for: batch.mode)
        do {
            try writer.check(names: prepared.map(\.1.name), at: position)
            for (item, tensor) in prepared {
                guard let plan = planner.plan(tensorName: tensor.name, mode: batch.mode, modeStep: modeStep,
                                              explicit: item.collections) else {
                    result.skipped.append(tensor.name)
                    continue
                }
                if plan.saveRawTensor {
                    try writer.write(tensor, at: position, collections: plan.collections, wallTime: batch.wallTime)
                    result.saved.append(tensor.name)
                } else if plan.saveShape {
                    // A shape entry next to a value of the same name would hide the value from smdebug.
                    try writer.writeShape(name: tensor.name, shape: tensor.shape, at: position, collections: plan.collections)
                    result.shapes.append(tensor.name)
                }
                for r in plan.reductions {
                    guard let rt = TensorReductions.tensor(r, of: tensor) else { continue }
                    try writer.write(rt, at: position, wallTime: batch.wallTime)
                    result.reductions.append(rt.name)
                }
                if let tb, tensor.dtype != .string {
                    let tag = Self.cleanTag(tensor.name)
                    if let collection = plan.histogramCollection, tensor.dtype != .bool, let values = tensor.doubles() {
                        tb.addHistogram(tag: "\(collection)/\(tag)", step: batch.step, values: values, wallTime: batch.wallTime)
                        result.histograms.append("\(collection)/\(tag)")
                    }
                    if (plan.isScalarCollection || tensor.elementCount == 1) && plan.saveRawTensor,
                       let v = tensor.doubles()?.first {
                        tb.add(tag: tag, step: batch.step, value: v, wallTime: batch.wallTime)
                        result.scalars.append(tag)
                    }
                }
            }
            if batch.closeStep { try writer.closeStep(worker: batch.worker) }
        } catch {
            switch error.kind {
            case .stepAlreadyWritten, .modeConflict, .duplicateTensor: throw IngestionError(status: 409, error.message)
            case .invalidWorker: throw .badRequest(error.message)
            case .finished: throw IngestionError(status: 503, error.message)
            case .io: throw IngestionError(status: 500, error.message)
            }
        }
        tb?.flush()
        return result
    }

    /// Tensor names are never file names (they live inside records and index files), so `../x`
    /// cannot escape the trial directory; they must still be printable UTF-8 of bounded length.
    func checkName(_ name: String) throws(IngestionError) {
        let bytes = name.utf8.count
        guard bytes > 0 else { throw .badRequest("a tensor name cannot be empty") }
        guard bytes <= configuration.limits.maxNameBytes else {
            throw .badRequest("name is \(bytes) bytes; at most \(configuration.limits.maxNameBytes)", tensor: String(name.prefix(64)))
        }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .badRequest("names cannot contain control characters", tensor: name.debugDescription)
        }
        if name.hasPrefix(Reduction.tensorNamePrefix) {
            throw .badRequest("names starting with \(Reduction.tensorNamePrefix) are reserved for reductions", tensor: name)
        }
    }

    /// smdebug's `_clean_tag`: characters other than `- / \w .` become `_`; leading slashes go.
    static func cleanTag(_ name: String) -> String {
        var out = String(name.map { c -> Character in
            c.isLetter || c.isNumber || c == "_" || c == "-" || c == "/" || c == "." ? c : "_"
        })
        while out.hasPrefix("/") { out.removeFirst() }
        return out
    }

    private func assignModeStep(_ batch: TensorBatch) -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        let previous = modeSteps[batch.worker]?[batch.mode]
        let modeStep: Int64
        if let given = batch.modeStep {
            modeStep = given
        } else if batch.mode == .global {
            modeStep = batch.step
        } else if let (lastStep, lastModeStep) = previous {
            modeStep = lastStep == batch.step ? lastModeStep : lastModeStep + 1
        } else {
            modeStep = 0
        }
        modeSteps[batch.worker, default: [:]][batch.mode] = (batch.step, modeStep)
        return modeStep
    }

    private func tensorBoardWriter(for mode: TrainingMode) -> TensorBoardWriter? {
        guard let dir = configuration.tensorBoardDirectory else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if let w = tensorBoard[mode] { return w }
        guard let w = try? TensorBoardWriter(directory: "\(dir)/\(mode.rawValue)", hostname: configuration.hostname) else {
            stats.tensorBoardErrors += 1
            return nil
        }
        tensorBoard[mode] = w
        return w
    }

    /// Closes every open step and flushes TensorBoard (periodically, and at the end of the job).
    public func flush() throws(TrialWriteError) {
        lock.lock()
        let writers = Array(tensorBoard.values)
        lock.unlock()
        writers.forEach { $0.flush() }
        try writer.closeOpenSteps()
    }

    /// Ends the trial: closes steps, writes `training_job_end.ts`, closes TensorBoard files.
    public func finish(endMarker: Bool = true) throws(TrialWriteError) {
        lock.lock()
        let writers = Array(tensorBoard.values)
        lock.unlock()
        writers.forEach { $0.close() }
        try writer.finish(endMarker: endMarker)
    }
}
