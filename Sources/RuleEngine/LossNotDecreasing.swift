import PCRE2
import TensorIO

/// LossNotDecreasing as AWS documents it: the scalar losses (collections, regexes, and the `losses`
/// collection unless `use_losses_collection` is False) of one mode (given, else EVAL if the trial
/// has EVAL steps, else TRAIN, else GLOBAL); every `num_steps` or more mode steps, the loss is
/// compared with the newest saved loss at least `num_steps` earlier, and the rule fires when it did
/// not decrease by more than `diff_percent` %.
struct LossNotDecreasing: DebugRule {
    let name = "LossNotDecreasing"
    let collections: [String]
    let regexes: [PCRE2Regex]
    let numSteps: Int64
    let diffPercent: Double
    let mode: TrainingMode
    /// tensor → the mode step last compared (or first seen).
    var lastChecked: [String: Int64] = [:]
    /// Worked out once per evaluation (the trial does not change during one): the losses, and each
    /// one's (mode step, global step) list in this mode, ascending, so a step costs a binary search
    /// instead of a pass over every saved step.
    var losses: [String]?
    var stepsOf: [String: [(modeStep: Int64, step: Int64)]] = [:]

    init(parameters p: [String: String], trial: SmdebugTrialReader) throws {
        var collections = RuleParameters.list(p["collection_names"])
        if RuleParameters.bool(p["use_losses_collection"], default: true),
           trial.collectionsFile?.collections.contains(where: { $0.name == "losses" }) == true {
            collections.append("losses")
        }
        self.collections = collections
        regexes = try RuleParameters.regexes(p["tensor_regex"])
        numSteps = try RuleParameters.integer(p["num_steps"], "num_steps", default: 10)
        diffPercent = try RuleParameters.number(p["diff_percent"], "diff_percent", default: 0)
        if let m = p["mode"], m != "None", !m.isEmpty {
            guard let mode = TrainingMode(name: m) else { throw RuleError("mode: \"\(m)\" is not TRAIN, EVAL, PREDICT or GLOBAL") }
            self.mode = mode
        } else if !trial.steps(mode: .eval).isEmpty {
            mode = .eval
        } else if !trial.steps(mode: .train).isEmpty {
            mode = .train
        } else {
            mode = .global
        }
    }

    /// The mode steps of `tensor` in this rule's mode (global steps in GLOBAL), with their global steps.
    private mutating func modeSteps(of tensor: String, trial: SmdebugTrialReader) -> [(modeStep: Int64, step: Int64)] {
        if let cached = stepsOf[tensor] { return cached }
        let steps: [(modeStep: Int64, step: Int64)] = trial.steps(of: tensor).compactMap { step in
            if mode == .global { return (step, step) }
            guard let (m, ms) = trial.mode(ofStep: step), m == mode else { return nil }
            return (ms, step)
        }.sorted { $0.modeStep < $1.modeStep }
        stepsOf[tensor] = steps
        return steps
    }

    /// The index of the first entry whose mode step is above `modeStep` (entries ascending).
    private static func upperBound(_ steps: [(modeStep: Int64, step: Int64)], _ modeStep: Int64) -> Int {
        var low = 0, high = steps.count
        while low < high {
            let mid = (low + high) / 2
            if steps[mid].modeStep <= modeStep { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func invoke(at step: Int64, trial: SmdebugTrialReader) throws -> Bool {
        guard let (stepMode, stepModeStep) = trial.mode(ofStep: step) else { return false }
        var modeStep = stepModeStep
        if mode != .global {
            if stepMode != mode { return false }
        } else {
            modeStep = step
        }
        if losses == nil { losses = RuleParameters.tensors(collections: collections, regexes: regexes, trial: trial) }
        for name in losses ?? [] {
            let steps = modeSteps(of: name, trial: trial)
            let at = Self.upperBound(steps, modeStep)
            guard at > 0, steps[at - 1].modeStep == modeStep, let current = try scalar(name, at: step, trial: trial) else { continue }
            let last = lastChecked[name]
            if let last, modeStep - last < numSteps { continue }
            let earlier = Self.upperBound(steps, modeStep - numSteps)   // entries before it are numSteps or more behind
            lastChecked[name] = earlier > 0 || last == nil ? modeStep : last
            guard earlier > 0, let previous = try scalar(name, at: steps[earlier - 1].step, trial: trial) else { continue }
            let decrease = previous != 0 ? (previous - current) / abs(previous) * 100 : -Double.infinity
            if !(decrease > diffPercent) { return true }
        }
        return false
    }

    /// The value of a one-element tensor, nil for any other.
    private func scalar(_ name: String, at step: Int64, trial: SmdebugTrialReader) throws -> Double? {
        guard let t = try trial.value(name, step: step), t.elementCount == 1 else { return nil }
        return t.doubles()?.first
    }
}
