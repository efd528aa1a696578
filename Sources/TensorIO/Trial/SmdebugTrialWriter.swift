import Foundation

/// Where a write goes: a global step of one worker, with its mode and mode step.
public struct StepPosition: Sendable, Equatable {
    public var step: Int64
    public var mode: TrainingMode
    public var modeStep: Int64
    public var worker: String

    public init(step: Int64, mode: TrainingMode = .global, modeStep: Int64? = nil, worker: String = TrialLayout.defaultWorker) {
        self.step = step
        self.mode = mode
        self.modeStep = modeStep ?? step
        self.worker = worker
    }
}

/// Writes an smdebug trial directory that smdebug 1.0.34's `create_trial` reads: per worker and
/// global step one event file (one tensor per record, the payload-CRC constant smdebug insists on)
/// and one index file, written when the step closes; a collections file per worker; and
/// `training_job_end.ts` when the trial is finished.
///
/// Each worker has one open step. A write for a later step closes it (as smdebug's hook closes its
/// writer when the step ends); a write for an earlier, closed step is refused. Files appear atomically
/// (written under `.tmp`, then renamed), event file before index file. Thread-safe.
public final class SmdebugTrialWriter: @unchecked Sendable {
    public let directory: String
    private let lock = NSLock()
    private var collections: [CollectionDefinition]
    private var declaredWorkers: Int
    private var workers: [String] = []
    private var open: [String: OpenStep] = [:]
    private var lastClosed: [String: Int64] = [:]
    private var collectionsChanged = false
    private var directories: Set<String> = []
    private var finished = false
    private let wallClock: @Sendable () -> Double

    /// Counters, for self-metrics and tests.
    public private(set) var tensorsWritten = 0
    public private(set) var bytesWritten = 0
    public private(set) var stepsClosed = 0

    private final class OpenStep {
        let position: StepPosition
        let writer: TFRecordFileWriter?
        let eventPath: String
        var index: TrialIndex
        var names: Set<String> = []
        init(position: StepPosition, writer: TFRecordFileWriter?, eventPath: String, index: TrialIndex) {
            self.position = position
            self.writer = writer
            self.eventPath = eventPath
            self.index = index
        }
    }

    /// - Parameters:
    ///   - collections: the collections to declare (a prepared hook configuration's); tensor names are
    ///     added to them as tensors are written.
    ///   - numWorkers: how many workers write this trial; readers count a step complete once that
    ///     many have written it. It grows if more workers show up.
    public init(directory: String, collections: [CollectionDefinition] = DebugHookConfiguration().collections,
                numWorkers: Int = 1, wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(TrialWriteError) {
        self.directory = directory
        self.collections = collections
        self.declaredWorkers = max(1, numWorkers)
        self.wallClock = wallClock
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TrialWriteError(.io, "cannot create \(directory): \(error.localizedDescription)")
        }
    }

    /// Appends one tensor record to the worker's step. `collections` are the collections the tensor is
    /// saved for (their `tensor_names` list it from then on). `wallTime` defaults to now.
    public func write(_ tensor: Tensor, at position: StepPosition, collections names: [String] = [],
                      wallTime: Double? = nil) throws(TrialWriteError) {
        lock.lock()
        defer { lock.unlock() }
        let step = try openStep(for: position)
        if step.names.contains(tensor.name) {
            throw TrialWriteError(.duplicateTensor, "tensor \(tensor.name) was already written at step \(position.step) by \(position.worker)")
        }
        let parts = SmdebugEventCodec.encodeParts(TensorEvent(tensor: tensor, step: position.step, mode: position.mode,
                                                              modeStep: position.modeStep, wallTime: wallTime ?? wallClock()))
        guard let writer = step.writer else { throw TrialWriteError(.io, "no event file open") }
        let span: (offset: Int, length: Int)
        do {
            // The tensor's bytes go to the file as they are, between the encoded parts around them.
            span = try parts.prefix.withUnsafeBytes { prefix in
                try tensor.content.withUnsafeBytes { content in
                    try parts.suffix.withUnsafeBytes { suffix in try writer.append(parts: [prefix, content, suffix]) }
                }
            }
        } catch {
            throw TrialWriteError(.io, "\(error)")
        }
        step.names.insert(tensor.name)
        step.index.tensors.append(TrialIndex.Location(tensorName: tensor.name, startIndex: span.offset, length: span.length))
        tensorsWritten += 1
        bytesWritten += span.length
        addToCollections(tensor.name, names)
    }

    /// Throws what `write` would throw for these names at this position, writing nothing: a request
    /// can be refused whole rather than half written.
    public func check(names: [String], at position: StepPosition) throws(TrialWriteError) {
        lock.lock()
        defer { lock.unlock() }
        if finished { throw TrialWriteError(.finished, "the trial in \(directory) is finished") }
        guard TrialLayout.isValidWorkerName(position.worker) else {
            throw TrialWriteError(.invalidWorker, "worker name \"\(position.worker)\" must be 1-128 of A-Z a-z 0-9 _ - . and not start with a dot")
        }
        if let current = open[position.worker] {
            if current.position.step == position.step {
                if current.position.mode != position.mode || current.position.modeStep != position.modeStep {
                    throw TrialWriteError(.modeConflict,
                                          "step \(position.step) of \(position.worker) is \(current.position.mode.rawValue) step \(current.position.modeStep), not \(position.mode.rawValue) step \(position.modeStep)")
                }
                if let name = names.first(where: { n in current.names.contains(n) || current.index.shapes.contains { $0.tensorName == n } }) {
                    throw TrialWriteError(.duplicateTensor, "tensor \(name) was already written at step \(position.step) by \(position.worker)")
                }
                return
            }
            if position.step < current.position.step {
                throw TrialWriteError(.stepAlreadyWritten,
                                      "step \(position.step) of \(position.worker) is before its open step \(current.position.step); steps only go forward")
            }
        } else if let last = lastClosed[position.worker], position.step <= last {
            throw TrialWriteError(.stepAlreadyWritten, "step \(position.step) of \(position.worker) was already written (last closed step \(last))")
        }
    }

    /// Records a tensor's shape without its value (`ReductionConfig.save_shape`). smdebug's reader lets
    /// a shape entry hide a value of the same name in the same step, so it is refused for a tensor
    /// whose value was written at this step.
    public func writeShape(name: String, shape: [Int], at position: StepPosition, collections names: [String] = []) throws(TrialWriteError) {
        lock.lock()
        defer { lock.unlock() }
        let step = try openStep(for: position)
        if step.names.contains(name) || step.index.shapes.contains(where: { $0.tensorName == name }) {
            throw TrialWriteError(.duplicateTensor, "tensor \(name) was already written at step \(position.step) by \(position.worker)")
        }
        step.index.shapes.append(TrialIndex.Shape(tensorName: name, shape: shape))
        addToCollections(name, names)
    }

    /// Closes the worker's open step, making it visible to readers.
    public func closeStep(worker: String) throws(TrialWriteError) {
        lock.lock()
        defer { lock.unlock() }
        try close(worker: worker)
        try writeCollectionsIfChanged()
    }

    /// Closes every open step (the end of a step for all workers, or a periodic flush).
    public func closeOpenSteps() throws(TrialWriteError) {
        lock.lock()
        defer { lock.unlock() }
        for worker in open.keys.sorted() { try close(worker: worker) }
        try writeCollectionsIfChanged()
    }

    /// The open step of each worker.
    public var openSteps: [String: Int64] {
        lock.lock()
        defer { lock.unlock() }
        return open.mapValues(\.position.step)
    }

    /// Closes every step, rewrites the collections files and, with `endMarker`, writes
    /// `training_job_end.ts`, after which readers treat every step as complete. Later writes fail.
    public func finish(endMarker: Bool = true) throws(TrialWriteError) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        for worker in open.keys.sorted() { try close(worker: worker) }
        if workers.isEmpty {
            // smdebug's readers block without a collections file; declare the default worker, unless
            // another writer (smdebug's own hook in the training process) declared its workers here:
            // its collections file, with its tensor names, must stay as it wrote it.
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(TrialLayout.collectionsDirectory)")) ?? []
            if !existing.contains(where: { $0.hasSuffix("_collections.json") }) {
                workers.append(TrialLayout.defaultWorker)
                collectionsChanged = true
            }
        } else {
            collectionsChanged = true
        }
        try writeCollectionsIfChanged()
        if endMarker { try AtomicFile.write([], to: "\(directory)/\(TrialLayout.endMarker)") }
        finished = true
    }

    // MARK: - Under the lock

    private func openStep(for position: StepPosition) throws(TrialWriteError) -> OpenStep {
        if finished { throw TrialWriteError(.finished, "the trial in \(directory) is finished") }
        let worker = position.worker
        guard TrialLayout.isValidWorkerName(worker) else {
            throw TrialWriteError(.invalidWorker, "worker name \"\(worker)\" must be 1-128 of A-Z a-z 0-9 _ - . and not start with a dot")
        }
        if !workers.contains(worker) { try addWorker(worker) }
        if let current = open[worker] {
            if current.position.step == position.step {
                if current.position.mode != position.mode || current.position.modeStep != position.modeStep {
                    throw TrialWriteError(.modeConflict,
                                          "step \(position.step) of \(worker) is \(current.position.mode.rawValue) step \(current.position.modeStep), not \(position.mode.rawValue) step \(position.modeStep)")
                }
                return current
            }
            if position.step < current.position.step {
                throw TrialWriteError(.stepAlreadyWritten,
                                      "step \(position.step) of \(worker) is before its open step \(current.position.step); steps only go forward")
            }
            try close(worker: worker)
            try writeCollectionsIfChanged()
        }
        if let last = lastClosed[worker], position.step <= last {
            throw TrialWriteError(.stepAlreadyWritten, "step \(position.step) of \(worker) was already written (last closed step \(last))")
        }
        let relative = TrialLayout.eventFile(step: position.step, worker: worker)
        let path = "\(directory)/\(relative)"
        try AtomicFile.createParent(of: path, known: &directories)
        let writer: TFRecordFileWriter
        do {
            writer = try TFRecordFileWriter(path: path + ".tmp", checksum: .smdebugConstant)
        } catch {
            throw TrialWriteError(.io, "\(error)")
        }
        let step = OpenStep(position: position, writer: writer, eventPath: path,
                            index: TrialIndex(mode: position.mode, modeStep: position.modeStep, eventFileName: relative))
        open[worker] = step
        return step
    }

    private func close(worker: String) throws(TrialWriteError) {
        guard let step = open.removeValue(forKey: worker) else { return }
        lastClosed[worker] = step.position.step
        do {
            try step.writer?.close()
        } catch {
            throw TrialWriteError(.io, "\(error)")
        }
        if step.index.tensors.isEmpty {
            unlink(step.eventPath + ".tmp")
            step.index.eventFileName = nil
            if step.index.shapes.isEmpty { return }
        } else {
            try AtomicFile.rename(step.eventPath + ".tmp", to: step.eventPath)
        }
        let indexPath = "\(directory)/\(TrialLayout.indexFile(step: step.position.step, worker: worker))"
        try AtomicFile.write(step.index.jsonBytes(), to: indexPath, known: &directories)
        stepsClosed += 1
    }

    private func addWorker(_ worker: String) throws(TrialWriteError) {
        workers.append(worker)
        if workers.count > declaredWorkers { declaredWorkers = workers.count }
        collectionsChanged = true
        try writeCollectionsIfChanged()
    }

    private func addToCollections(_ tensor: String, _ names: [String]) {
        for name in names {
            guard let i = collections.firstIndex(where: { $0.name == name }) else { continue }
            if collections[i].tensorNames.insert(tensor).inserted { collectionsChanged = true }
        }
    }

    private func writeCollectionsIfChanged() throws(TrialWriteError) {
        guard collectionsChanged else { return }
        let bytes = CollectionsFile(collections: collections, numWorkers: declaredWorkers).jsonBytes()
        for worker in workers {
            try AtomicFile.write(bytes, to: "\(directory)/\(TrialLayout.collectionsFile(worker: worker))", known: &directories)
        }
        collectionsChanged = false
    }
}
