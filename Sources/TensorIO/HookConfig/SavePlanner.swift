import Foundation
import PCRE2

/// What to write for one tensor at one step (`BaseHook._write_for_tensor`).
public struct TensorSavePlan: Sendable, Equatable {
    /// The saved collections the tensor belongs to at this step, by name, sorted.
    public var collections: [String]
    public var saveRawTensor: Bool
    public var saveShape: Bool
    /// Reductions to save as `smdebug/reductions/...` tensors (none for scalar collections).
    public var reductions: [Reduction]
    /// The collection whose name prefixes the TensorBoard histogram tag (`<collection>/<tensor>`),
    /// when one of them has `save_histogram`.
    public var histogramCollection: String?
    /// In a scalar collection (`losses`, `metrics`, …): a TensorBoard scalar when it has one element.
    public var isScalarCollection: Bool

    public var savesAnything: Bool { saveRawTensor || saveShape || !reductions.isEmpty || histogramCollection != nil }
}

/// Decides, for a tensor name, mode and mode step, what the hook configuration saves. Which
/// collections a name belongs to is worked out once per name and cached. Thread-safe.
public final class SavePlanner: @unchecked Sendable {
    public let configuration: DebugHookConfiguration
    private let toSave: [CollectionDefinition]
    private let lock = NSLock()
    /// Per collection to save, its compiled patterns (used under `lock`).
    private let patterns: [[PCRE2Regex]]
    /// Per tensor name, indices into `toSave` of the collections it belongs to.
    private var membership: [String: [Int]] = [:]

    public init(configuration: DebugHookConfiguration) {
        self.configuration = configuration
        toSave = configuration.collectionsToSave
        // The configuration compiled every pattern while validating, so these cannot fail.
        patterns = toSave.map { $0.includeRegex.compactMap { try? PCRE2Regex($0) } }
    }

    /// Names of the collections a tensor belongs to (among those saved), whatever the step.
    public func collections(of tensorName: String, explicit: [String] = []) -> [String] {
        memberships(of: tensorName, explicit: explicit).map { toSave[$0].name }.sorted()
    }

    /// The plan for one tensor, or nil when nothing of it is saved at this step. `explicit` names
    /// collections the caller puts the tensor in (smdebug's `save_tensor(..., collections_to_write)`).
    public func plan(tensorName: String, mode: TrainingMode, modeStep: Int64, explicit: [String] = []) -> TensorSavePlan? {
        let member = memberships(of: tensorName, explicit: explicit)
        let saving = member.map { toSave[$0] }.filter { c in
            if (mode == .eval || mode == .predict) && CollectionKeys.trainOnlyCollections.contains(c.name) { return false }
            return (c.saveConfig ?? configuration.saveConfig).shouldSave(mode: mode, modeStep: modeStep)
        }.sorted { $0.name < $1.name }
        if saving.isEmpty { return nil }
        var plan = TensorSavePlan(collections: saving.map(\.name), saveRawTensor: false, saveShape: false, reductions: [],
                                  histogramCollection: nil, isScalarCollection: false)
        for c in saving {
            let reduction = c.reductionConfig ?? configuration.reductionConfig
            plan.saveRawTensor = plan.saveRawTensor || reduction.saveRawTensor
            plan.saveShape = plan.saveShape || reduction.saveShape
            if CollectionKeys.scalarCollections.contains(c.name) {
                plan.isScalarCollection = true
            } else {
                for r in reduction.all where !plan.reductions.contains(r) { plan.reductions.append(r) }
            }
            if plan.histogramCollection == nil && !CollectionKeys.nonHistogramCollections.contains(c.name) && c.saveHistogram {
                plan.histogramCollection = c.name
            }
        }
        return plan
    }

    private func memberships(of name: String, explicit: [String]) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        var found: [Int]
        if let cached = membership[name] {
            found = cached
        } else {
            let bytes = Array(name.utf8)
            found = []
            for (i, c) in toSave.enumerated() {
                if c.tensorNames.contains(name) || bytes.withUnsafeBytes({ raw in patterns[i].contains { $0.matches(raw) } }) {
                    found.append(i)
                }
            }
            membership[name] = found
        }
        for e in explicit {
            if let i = toSave.firstIndex(where: { $0.name == e }), !found.contains(i) { found.append(i) }
        }
        return found
    }
}
