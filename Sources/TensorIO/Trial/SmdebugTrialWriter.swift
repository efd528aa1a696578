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
///
/// With `asynchronousIO` the file operations run in order on a thread of their own (`TrialIOLane`):
/// `write` returns once the record is encoded and queued, `closeStep`, `closeOpenSteps` and `finish`
/// wait until everything queued is on disk. A failed file operation drops its whole step (no index
/// file, so readers never see it) and is thrown, as `.io`, by the writer's next call.
public final class SmdebugTrialWriter: @unchecked Sendable {
    public let directory: String
    private let lock = NSLock()
    private var collections: [CollectionDefinition]
    private var declaredWorkers: Int
    private var workers: [String] = []
    private var open: [String: OpenStep] = [:]
    private var lastClosed: [String: Int64] = [:]
    private var collectionsChanged = false
    private let files = FileState()
    private let lane: TrialIOLane?
    private var finished = false
    private let wallClock: @Sendable () -> Double

    /// Counters, for self-metrics and tests.
    public private(set) var tensorsWritten = 0
    public private(set) var bytesWritten = 0
    public private(set) var stepsClosed = 0

    private final class OpenStep {
        let position: StepPosition
        let file: TrialStepFile
        let eventPath: String
        var index: TrialIndex
        var names: Set<String> = []
        /// Where the next record starts in the event file (known before the lane writes it).
        var nextOffset = 0
        init(position: StepPosition, file: TrialStepFile, eventPath: String, index: TrialIndex) {
            self.position = position
            self.file = file
            self.eventPath = eventPath
            self.index = index
        }
    }

    /// What only file operations touch: in order, on the lane or (without one) under the lock.
    private final class FileState: @unchecked Sendable {
        var directories: Set<String> = []
    }

    /// - Parameters:
    ///   - collections: the collections to declare (a prepared hook configuration's); tensor names are
    ///     added to them as tensors are written.
    ///   - numWorkers: how many workers write this trial; readers count a step complete once that
    ///     many have written it. It grows if more workers show up.
    ///   - asynchronousIO: file operations on a thread of their own (see the type's notes).
    public init(directory: String, collections: [CollectionDefinition] = DebugHookConfiguration().collections,
                numWorkers: Int = 1, asynchronousIO: Bool = false,
                wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws(TrialWriteError) {
        self.directory = directory
        self.collections = collections
        self.declaredWorkers = max(1, numWorkers)
        self.wallClock = wallClock
        self.lane = asynchronousIO ? TrialIOLane() : nil
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TrialWriteError(.io, "cannot create \(directory): \(error.localizedDescription)")
        }
    }

    deinit { lane?.stop() }

    /// Continues a trial already on disk: each worker's steps up to its last one count as written
    /// (a later write for one of them is refused, not written twice).
    public func resume(from point: TrialResumePoint) {
        lock.lock()
        defer { lock.unlock() }
        for (worker, w) in point.workers { lastClosed[worker] = max(lastClosed[worker] ?? Int64.min, w.lastStep) }
    }

    /// Runs a file operation: now, or queued on the lane. `file` is the step it belongs to.
    private func io(bytes: Int = 0, file: TrialStepFile? = nil, _ run: @escaping TrialIOLane.Operation) throws(TrialWriteError) {
        guard let lane else {
            do {
                try run()
            } catch {
                file?.failure = error
                throw error
            }
            return
        }
        lane.enqueue(bytes: bytes, file: file, run)
    }

    /// Throws a failure the lane met since the last call (once).
    private func throwLaneFailure() throws(TrialWriteError) {
        if let failure = lane?.takeFailure() {
            throw TrialWriteError(.io, "an earlier write failed, and its step was dropped: \(failure.message)")
        }
    }

    /// Waits for the lane, then throws what it met.
    private func drainLane() throws(TrialWriteError) {
        lane?.waitUntilIdle()
        try throwLaneFailure()
    }

    /// Appends one tensor record to the worker's step. `collections` are the collections the tensor is
    /// saved for (their `tensor_names` list it from then on). `wallTime` defaults to now.
    public func write(_ tensor: Tensor, at position: StepPosition, collections names: [String] = [],
                      wallTime: Double? = nil) throws(TrialWriteError) {
        lock.lock()
        defer { lock.unlock() }
        try throwLaneFailure()
        let step = try openStep(for: position)
        if step.names.contains(tensor.name) {
            throw TrialWriteError(.duplicateTensor, "tensor \(tensor.name) was already written at step \(position.step) by \(position.worker)")
        }
        if lane == nil, let failure = step.file.failure {   // with a lane, the lane reports it
            throw TrialWriteError(.io, "step \(position.step) of \(position.worker) is dropped after a failed write: \(failure.message)")
        }
        let parts = SmdebugEventCodec.encodeParts(TensorEvent(tensor: tensor, step: position.step, mode: position.mode,
                                                              modeStep: position.modeStep, wallTime: wallTime ?? wallClock()))
        let span = (offset: step.nextOffset, length: parts.prefix.count + tensor.content.count + parts.suffix.count + TFRecord.overhead)
        step.nextOffset += span.length
        let file = step.file, content = tensor.content
        try io(bytes: span.length, file: file) { () throws(TrialWriteError) in
            guard file.failure == nil else { return }
            guard let writer = file.writer else { throw TrialWriteError(.io, "no event file open for \(file.temporaryPath)") }
            do {
                // The tensor's bytes go to the file as they are, between the encoded parts around them.
                let written = try parts.prefix.withUnsafeBytes { prefix in
                    try content.withUnsafeBytes { content in
                        try parts.suffix.withUnsafeBytes { suffix in try writer.append(parts: [prefix, content, suffix]) }
                    }
                }
                assert(written.offset == span.offset && written.length == span.length)
            } catch {
                throw TrialWriteError(.io, "\(error)")
            }
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
        try throwLaneFailure()
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
        try drainLane()
    }

    /// Closes every open step (the end of a step for all workers, or a periodic flush).
    public func closeOpenSteps() throws(TrialWriteError) {
        lock.lock()
        defer { lock.unlock() }
        for worker in open.keys.sorted() { try close(worker: worker) }
        try writeCollectionsIfChanged()
        try drainLane()
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
        finished = true
        // The marker only once everything before it is on disk: readers take it to mean "complete".
        // A step that failed earlier was dropped whole, so the trial still ends; the failure is thrown after.
        lane?.waitUntilIdle()
        if endMarker { try AtomicFile.write([], to: "\(directory)/\(TrialLayout.endMarker)") }
        try throwLaneFailure()
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
        let file = TrialStepFile(temporaryPath: path + ".tmp")
        let files = self.files
        try io(file: file) { () throws(TrialWriteError) in
            try AtomicFile.createParent(of: path, known: &files.directories)
            do {
                file.writer = try TFRecordFileWriter(path: file.temporaryPath, checksum: .smdebugConstant)
            } catch {
                throw TrialWriteError(.io, "\(error)")
            }
        }
        let step = OpenStep(position: position, file: file, eventPath: path,
                            index: TrialIndex(mode: position.mode, modeStep: position.modeStep, eventFileName: relative))
        open[worker] = step
        return step
    }

    private func close(worker: String) throws(TrialWriteError) {
        guard let step = open.removeValue(forKey: worker) else { return }
        lastClosed[worker] = step.position.step
        var index = step.index
        let hasTensors = !index.tensors.isEmpty
        if !hasTensors { index.eventFileName = nil }
        let indexPath = "\(directory)/\(TrialLayout.indexFile(step: step.position.step, worker: worker))"
        let bytes = hasTensors || !index.shapes.isEmpty ? index.jsonBytes() : nil
        let file = step.file, eventPath = step.eventPath, files = self.files
        try io(file: file) { () throws(TrialWriteError) in
            let writer = file.writer
            file.writer = nil
            // A step whose file failed is dropped whole: no event file, no index.
            guard file.failure == nil else { unlink(file.temporaryPath); return }
            do {
                try writer?.close()
            } catch {
                unlink(file.temporaryPath)
                throw TrialWriteError(.io, "\(error)")
            }
            if hasTensors {
                try AtomicFile.rename(file.temporaryPath, to: eventPath)
            } else {
                unlink(file.temporaryPath)
            }
            if let bytes { try AtomicFile.write(bytes, to: indexPath, known: &files.directories) }
        }
        if bytes != nil { stepsClosed += 1 }
    }

    private func addWorker(_ worker: String) throws(TrialWriteError) {
        // A writer started again on its own trial (a sidecar restarted) keeps the tensor names the
        // collections file already lists: it is rewritten whole, and they would be lost.
        let existing = "\(directory)/\(TrialLayout.collectionsFile(worker: worker))"
        if let data = TrialFileRead.bytes(existing),
           let file = try? CollectionsFile.parse(data, source: existing) {
            for old in file.collections {
                if let i = collections.firstIndex(where: { $0.name == old.name }) {
                    collections[i].tensorNames.formUnion(old.tensorNames)
                }
            }
            declaredWorkers = max(declaredWorkers, file.numWorkers)
        }
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
        let paths = workers.map { "\(directory)/\(TrialLayout.collectionsFile(worker: $0))" }, files = self.files
        collectionsChanged = false
        try io { () throws(TrialWriteError) in
            for path in paths { try AtomicFile.write(bytes, to: path, known: &files.directories) }
        }
    }
}
