import Foundation

/// Reads an smdebug trial directory, whoever wrote it (smdebug's hooks, trainscope), while it is
/// being written: each `refresh()` reads only index files it has not read yet, so new steps and
/// workers appear as they land. Steps count as complete as smdebug counts them: every declared
/// worker wrote it, or the job has ended, or a later step is complete.
///
/// Not thread-safe: one owner.
public final class SmdebugTrialReader {
    public struct Entry: Sendable, Equatable {
        public var worker: String
        /// Event file (absolute) and record span, when the value was saved.
        public var eventFile: String?
        public var startIndex: Int
        public var length: Int
        /// From a shape-only entry.
        public var shape: [Int]?
    }

    public let directory: String
    /// From the first collections file (sorted by name), as smdebug takes it; nil until one exists.
    public private(set) var collectionsFile: CollectionsFile?
    /// Workers, from the collections file names.
    public private(set) var workers: [String] = []
    /// `training_job_end.ts` exists.
    public private(set) var hasEnded = false
    /// Index files that could not be read, with why (retried at the next refresh).
    public private(set) var problems: [String: String] = [:]

    private var readIndexFiles: Set<String> = []
    /// global step → (mode, mode step)
    private var stepModes: [Int64: (TrainingMode, Int64)] = [:]
    /// global step → workers that wrote an index file for it
    private var stepWorkers: [Int64: Set<String>] = [:]
    /// tensor → step → entries (one per worker)
    private var entries: [String: [Int64: [Entry]]] = [:]
    /// base tensor → step → reduction → entries
    private var reductionEntries: [String: [Int64: [Reduction: [Entry]]]] = [:]

    public init(directory: String) {
        self.directory = directory
    }

    public var numWorkers: Int { collectionsFile?.numWorkers ?? 1 }

    /// Reads what is new. Returns the global steps seen for the first time.
    @discardableResult
    public func refresh() -> [Int64] {
        let fm = FileManager.default
        hasEnded = fm.fileExists(atPath: "\(directory)/\(TrialLayout.endMarker)")
        loadCollections()
        var newSteps: Set<Int64> = []
        let indexRoot = "\(directory)/index"
        let dirs = ((try? fm.contentsOfDirectory(atPath: indexRoot)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for dir in dirs {
            let files = ((try? fm.contentsOfDirectory(atPath: "\(indexRoot)/\(dir)")) ?? []).sorted()
            for file in files where file.hasSuffix(".json") {
                let relative = "index/\(dir)/\(file)"
                if readIndexFiles.contains(relative) { continue }
                guard let (step, worker) = TrialLayout.parseFileName(file, extension: "json") else { continue }
                let path = "\(directory)/\(relative)"
                var tooLarge: String?
                guard let data = TrialFileRead.bytes(path, problem: &tooLarge) else {
                    if let tooLarge { problems[relative] = tooLarge }
                    continue
                }
                do {
                    let index = try TrialIndex.parse(data, source: path)
                    add(index, step: step, worker: worker)
                    readIndexFiles.insert(relative)
                    problems[relative] = nil
                    if stepWorkers[step]?.count == 1 { newSteps.insert(step) }
                } catch {
                    problems[relative] = error.description
                }
            }
        }
        return newSteps.sorted()
    }

    private func loadCollections() {
        let dir = "\(directory)/\(TrialLayout.collectionsDirectory)"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasSuffix("_collections.json") }.sorted()
        workers = files.map { String($0.dropLast("_collections.json".count)) }
        if collectionsFile == nil, let first = files.first,
           let data = TrialFileRead.bytes("\(dir)/\(first)") {
            collectionsFile = try? CollectionsFile.parse(data, source: "\(dir)/\(first)")
        }
    }

    private func add(_ index: TrialIndex, step: Int64, worker: String) {
        stepModes[step] = (index.mode, index.modeStep)
        stepWorkers[step, default: []].insert(worker)
        let eventFile = index.eventFileName.map { "\(directory)/\($0)" }
        for t in index.tensors {
            let entry = Entry(worker: worker, eventFile: eventFile, startIndex: t.startIndex, length: t.length, shape: nil)
            if let (base, reduction) = Reduction.parse(tensorName: t.tensorName) {
                reductionEntries[base, default: [:]][step, default: [:]][reduction, default: []].append(entry)
                if entries[base] == nil { entries[base] = [:] }
            } else {
                entries[t.tensorName, default: [:]][step, default: []].append(entry)
            }
        }
        for s in index.shapes {
            // As in smdebug, a shape entry replaces a value entry of the same worker and step.
            var list = entries[s.tensorName, default: [:]][step, default: []]
            list.removeAll { $0.worker == worker }
            list.append(Entry(worker: worker, eventFile: nil, startIndex: 0, length: 0, shape: s.shape))
            entries[s.tensorName, default: [:]][step] = list
        }
    }

    // MARK: - Queries

    /// Global steps (all modes), or the mode steps of one mode; complete ones unless `includeIncomplete`.
    public func steps(mode: TrainingMode = .global, includeIncomplete: Bool = false) -> [Int64] {
        let all = stepModes.keys.sorted()
        let lastComplete = all.last { isCompleteByWorkers($0) }
        let chosen = all.filter { step in
            includeIncomplete || hasEnded || isCompleteByWorkers(step) || (lastComplete.map { step < $0 } ?? false)
        }
        if mode == .global { return chosen }
        return chosen.compactMap { step in stepModes[step].flatMap { $0.0 == mode ? $0.1 : nil } }.sorted()
    }

    private func isCompleteByWorkers(_ step: Int64) -> Bool { (stepWorkers[step]?.count ?? 0) >= numWorkers }

    /// The mode and mode step of a global step.
    public func mode(ofStep step: Int64) -> (mode: TrainingMode, modeStep: Int64)? {
        stepModes[step].map { (mode: $0.0, modeStep: $0.1) }
    }

    /// The global step of a mode step.
    public func globalStep(mode: TrainingMode, modeStep: Int64) -> Int64? {
        stepModes.first { $0.value.0 == mode && $0.value.1 == modeStep }?.key
    }

    /// Tensor names, sorted (reductions folded into their tensor, as smdebug reports them).
    public var tensorNames: [String] { entries.keys.sorted() }

    /// The global steps at which a tensor has a value, a shape or a reduction.
    public func steps(of tensor: String) -> [Int64] {
        Set((entries[tensor] ?? [:]).keys).union((reductionEntries[tensor] ?? [:]).keys).sorted()
    }

    public func workers(of tensor: String, step: Int64) -> [String] {
        Set((entries[tensor]?[step] ?? []).map(\.worker)).sorted()
    }

    /// The tensor's value at a global step, from `worker` (by default the first, alphabetically).
    /// nil when there is no value there (not saved, shape only, or not yet readable).
    public func value(_ tensor: String, step: Int64, worker: String? = nil) throws -> Tensor? {
        guard let list = entries[tensor]?[step] else { return nil }
        let candidates = list.filter { $0.eventFile != nil }.sorted { $0.worker < $1.worker }
        guard let entry = worker.map({ w in candidates.first { $0.worker == w } }) ?? candidates.first else { return nil }
        return try read(entry)?.tensor
    }

    /// The shape at a global step: from a shape entry, or the value's.
    public func shape(_ tensor: String, step: Int64, worker: String? = nil) throws -> [Int]? {
        guard let list = entries[tensor]?[step]?.sorted(by: { $0.worker < $1.worker }),
              let entry = worker.map({ w in list.first { $0.worker == w } }) ?? list.first else { return nil }
        if let shape = entry.shape { return shape }
        return try read(entry)?.tensor.shape
    }

    /// Saved reductions of a tensor at a step (first worker's), e.g. `abs_mean`.
    public func reductions(_ tensor: String, step: Int64, worker: String? = nil) throws -> [Reduction: Tensor] {
        var out: [Reduction: Tensor] = [:]
        for (reduction, list) in reductionEntries[tensor]?[step] ?? [:] {
            let sorted = list.sorted { $0.worker < $1.worker }
            guard let entry = worker.map({ w in sorted.first { $0.worker == w } }) ?? sorted.first,
                  let event = try read(entry) else { continue }
            out[reduction] = event.tensor
        }
        return out
    }

    /// The record an entry points at: nil while its event file is not there yet.
    func read(_ entry: Entry) throws -> TensorEvent? {
        guard let file = entry.eventFile else { return nil }
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let reader = try TFRecordReader(path: file, check: .either)
        let record = try reader.record(at: entry.startIndex, length: entry.length)
        return try SmdebugEventCodec.decode(record.payload, source: "\(file): offset \(entry.startIndex)")
    }
}
