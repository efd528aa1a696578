/// When a collection is saved in one mode (smdebug's `SaveConfigMode`): at every step listed in
/// `saveSteps`, and at every multiple of `saveInterval` in `[startStep, endStep)`. Steps are the
/// mode's own steps (the global step in GLOBAL mode).
public struct SaveConfigMode: Sendable, Equatable, Hashable {
    /// smdebug's `DEFAULT_SAVE_CONFIG_INTERVAL` (XGBoost's hook uses 10).
    public static let defaultInterval = 500

    public var saveInterval: Int
    public var saveSteps: [Int]
    public var startStep: Int
    public var endStep: Int?

    public init(saveInterval: Int = SaveConfigMode.defaultInterval, saveSteps: [Int] = [], startStep: Int = 0,
                endStep: Int? = nil) {
        self.saveInterval = saveInterval
        self.saveSteps = saveSteps
        self.startStep = startStep
        self.endStep = endStep
    }

    /// `SaveConfigMode.should_save_step`.
    public func shouldSave(step: Int64) -> Bool {
        if !saveSteps.isEmpty && saveSteps.contains(where: { Int64($0) == step }) { return true }
        if step < Int64(startStep) { return false }
        if let endStep, step >= Int64(endStep) { return false }
        // A save_interval of 0 makes Python raise ZeroDivisionError; the configuration rejects it.
        return saveInterval > 0 && step % Int64(saveInterval) == 0
    }
}

/// A save configuration for every mode (smdebug's `SaveConfig`).
public struct SaveConfig: Sendable, Equatable, Hashable {
    public var modes: [TrainingMode: SaveConfigMode]

    public init(_ all: SaveConfigMode = SaveConfigMode()) {
        modes = Dictionary(uniqueKeysWithValues: TrainingMode.allCases.map { ($0, all) })
    }

    public init(modes: [TrainingMode: SaveConfigMode]) {
        self.modes = modes
    }

    public subscript(mode: TrainingMode) -> SaveConfigMode {
        get { modes[mode] ?? SaveConfigMode() }
        set { modes[mode] = newValue }
    }

    public func shouldSave(mode: TrainingMode, modeStep: Int64) -> Bool {
        self[mode].shouldSave(step: modeStep)
    }
}
