#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Follows a trial directory while a hook writes it (smdebug's own, in the training process, or
/// trainscope's ingestion), for the sidecar's `/metrics`: the steps complete per mode, the workers,
/// and the latest value of every scalar tensor (the losses and metrics a dashboard plots).
///
/// `SmdebugTrialReader` keeps every step's entries for random access, which a batch reader wants
/// and a sidecar watching a days-long job cannot afford. This keeps only the steps not complete yet
/// and the latest scalars, so its memory stays flat however long the job runs; index folders two
/// behind the newest are not listed again.
///
/// Not thread-safe: one owner (the watcher's loop).
public final class TrialProgress {
    public struct Configuration: Sendable {
        /// Records longer than this are not read for a scalar (a scalar's record is ~100 bytes; a
        /// weight tensor's is its size, and reading those every step would cost what saving did).
        public var maxScalarRecordBytes: Int
        /// Distinct (tensor, worker, mode) scalars tracked; later ones are counted, not kept.
        public var maxScalars: Int
        /// Tensor names remembered for the count; later ones are counted together.
        public var maxTensorNames: Int
        /// Steps waiting for a worker; beyond this many the oldest count as complete (a worker that
        /// far behind is taken for gone, as a later complete step would make smdebug take it).
        public var maxPendingSteps: Int
        public init(maxScalarRecordBytes: Int = 4096, maxScalars: Int = 256, maxTensorNames: Int = 100_000,
                    maxPendingSteps: Int = 1000) {
            self.maxScalarRecordBytes = maxScalarRecordBytes
            self.maxScalars = maxScalars
            self.maxTensorNames = maxTensorNames
            self.maxPendingSteps = maxPendingSteps
        }
    }

    /// The latest value of one scalar tensor from one worker in one mode.
    public struct Scalar: Sendable, Equatable {
        public var tensor: String
        public var worker: String
        public var mode: TrainingMode
        public var modeStep: Int64
        public var step: Int64
        public var value: Double
    }

    public let directory: String
    public let configuration: Configuration
    /// Workers declared by collections files (smdebug's `num_workers`, or as many as wrote one).
    public private(set) var numWorkers = 1
    /// The workers that wrote a collections file, sorted.
    public private(set) var workers: [String] = []
    /// The trial's end marker exists.
    public private(set) var hasEnded = false
    /// Global steps complete so far (every worker wrote them, or a later one is complete, or the end).
    public private(set) var completeSteps = 0
    /// The last complete global step, and the last complete mode step of each mode.
    public private(set) var lastStep: Int64?
    public private(set) var lastModeStep: [TrainingMode: Int64] = [:]
    /// Index files that could not be parsed (retried at each refresh until they parse), and event
    /// records of scalars that could not be read, with the last reason.
    public private(set) var unreadableIndexFiles: [String: String] = [:]
    public private(set) var unreadableRecords = 0
    public private(set) var lastProblem: String?
    /// Distinct tensor names seen (reductions included under their own names).
    public var tensorCount: Int { tensorNames.count + tensorNamesOverflow }
    /// Scalars not tracked because `maxScalars` were already.
    public private(set) var scalarsDropped = 0

    private struct PendingStep {
        var mode: TrainingMode
        var modeStep: Int64
        var workers: Set<String> = []
        var candidates: [(tensor: String, worker: String, file: String, start: Int, length: Int)] = []
    }

    private var pending: [Int64: PendingStep] = [:]
    /// num_workers of the first collections file, and which version of that file it came from.
    private var declaredWorkers = 1
    private var collectionsVersion: String?
    /// index subfolder → files read in it; folders older than the newest two are done.
    private var readFiles: [String: Set<String>] = [:]
    private var doneFolders: Set<String> = []
    private var tensorNames: Set<String> = []
    private var tensorNamesOverflow = 0
    private var scalars: [String: Scalar] = [:]

    public init(directory: String, configuration: Configuration = .init()) {
        self.directory = directory
        self.configuration = configuration
    }

    /// The latest scalars, sorted by tensor, worker, mode.
    public var latestScalars: [Scalar] {
        scalars.values.sorted { ($0.tensor, $0.worker, $0.mode.rawValue) < ($1.tensor, $1.worker, $1.mode.rawValue) }
    }

    /// Reads what is new; returns the scalar values of the steps that became complete, in step order.
    @discardableResult
    public func refresh() -> [Scalar] {
        let fm = FileManager.default
        hasEnded = fm.fileExists(atPath: "\(directory)/\(TrialLayout.endMarker)")
        readCollections()
        readIndexFiles()
        return completeSteps(fm)
    }

    private func readCollections() {
        let folder = "\(directory)/\(TrialLayout.collectionsDirectory)"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix("_collections.json") }.sorted()
        workers = files.map { String($0.dropLast("_collections.json".count)) }
        // The file is read again only when it changed (this runs every poll).
        if let first = files.first {
            let path = "\(folder)/\(first)"
            var st = stat()
            let version = stat(path, &st) == 0 ? "\(first) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)" : first
            if version != collectionsVersion, let data = TrialFileRead.bytes(path, problem: &lastProblem),
               let file = try? CollectionsFile.parse(data, source: path) {
                collectionsVersion = version
                declaredWorkers = file.numWorkers
            }
        }
        numWorkers = max(1, workers.count, declaredWorkers)
    }

    private func readIndexFiles() {
        let root = "\(directory)/index"
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { !$0.hasPrefix(".") && !doneFolders.contains($0) }.sorted()
        for (i, folder) in folders.enumerated() {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(folder)")) ?? []).sorted()
            var read = readFiles[folder] ?? []
            for name in names where name.hasSuffix(".json") && !read.contains(name) {
                guard let (step, worker) = TrialLayout.parseFileName(name, extension: "json") else { continue }
                let relative = "index/\(folder)/\(name)"
                var tooLarge: String?
                guard let data = TrialFileRead.bytes("\(root)/\(folder)/\(name)", problem: &tooLarge) else {
                    if let tooLarge {   // never parses: counted, not retried
                        unreadableIndexFiles[relative] = tooLarge
                        lastProblem = tooLarge
                        read.insert(name)
                    }
                    continue
                }
                do {
                    let index = try TrialIndex.parse(data, source: "\(directory)/\(relative)")
                    add(index, step: step, worker: worker)
                    read.insert(name)
                    unreadableIndexFiles[relative] = nil
                } catch {
                    unreadableIndexFiles[relative] = error.description   // half-written, perhaps: again next time
                    lastProblem = error.description
                }
            }
            // A folder holds 1000 steps; two folders behind the newest, no worker writes there any more.
            if i + 2 < folders.count && !read.isEmpty {
                doneFolders.insert(folder)
                readFiles[folder] = nil
                unreadableIndexFiles = unreadableIndexFiles.filter { !$0.key.hasPrefix("index/\(folder)/") }
            } else {
                readFiles[folder] = read
            }
        }
    }

    private func add(_ index: TrialIndex, step: Int64, worker: String) {
        if let last = lastStep, step <= last { return }   // a worker late for a step already counted
        var p = pending[step] ?? PendingStep(mode: index.mode, modeStep: index.modeStep)
        p.workers.insert(worker)
        let file = index.eventFileName.map { "\(directory)/\($0)" }
        for t in index.tensors {
            remember(t.tensorName)
            if let file, t.length <= configuration.maxScalarRecordBytes {
                p.candidates.append((t.tensorName, worker, file, t.startIndex, t.length))
            }
        }
        for s in index.shapes { remember(s.tensorName) }
        pending[step] = p
    }

    private func remember(_ name: String) {
        if tensorNames.contains(name) { return }
        if tensorNames.count < configuration.maxTensorNames { tensorNames.insert(name) } else { tensorNamesOverflow += 1 }
    }

    /// smdebug's rule: a step is complete once every worker wrote it, once a later step is, or once
    /// the trial has ended.
    private func completeSteps(_ fm: FileManager) -> [Scalar] {
        let steps = pending.keys.sorted()
        var complete = hasEnded ? steps.last : steps.last(where: { pending[$0]!.workers.count >= numWorkers })
        if steps.count > configuration.maxPendingSteps {
            complete = max(complete ?? Int64.min, steps[steps.count - configuration.maxPendingSteps - 1])
        }
        guard let lastComplete = complete else { return [] }
        var out: [Scalar] = []
        for step in steps where step <= lastComplete {
            guard let p = pending.removeValue(forKey: step) else { continue }
            for c in p.candidates {
                guard let value = readScalar(c.file, c.start, c.length) else { continue }
                let scalar = Scalar(tensor: c.tensor, worker: c.worker, mode: p.mode, modeStep: p.modeStep, step: step, value: value)
                let key = c.tensor + "\u{0}" + c.worker + "\u{0}" + p.mode.rawValue
                if scalars[key] != nil || scalars.count < configuration.maxScalars {
                    scalars[key] = scalar
                } else {
                    scalarsDropped += 1
                }
                out.append(scalar)
            }
            completeSteps += 1
            lastStep = step
            lastModeStep[p.mode] = max(lastModeStep[p.mode] ?? p.modeStep, p.modeStep)
        }
        return out
    }

    /// The value of a one-element numeric tensor record; nil for anything else or a record that cannot
    /// be read (counted).
    private func readScalar(_ file: String, _ start: Int, _ length: Int) -> Double? {
        do {
            let reader = try TFRecordReader(path: file, check: .either)
            let record = try reader.record(at: start, length: length)
            let event = try SmdebugEventCodec.decode(record.payload, source: "\(file): offset \(start)")
            guard event.tensor.dtype != .string, event.tensor.elementCount == 1, let value = event.tensor.doubles()?.first else { return nil }
            return value
        } catch {
            unreadableRecords += 1
            lastProblem = "\(error)"
            return nil
        }
    }
}
