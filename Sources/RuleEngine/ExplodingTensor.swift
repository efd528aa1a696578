import PCRE2
import TensorIO

/// ExplodingTensor as AWS documents it: fires at the first step where an inspected tensor (those of
/// `collection_names` / `tensor_regex`, else every tensor) holds a NaN (`only_nan`) or any
/// non-finite value. Only floating-point and complex tensors can.
struct ExplodingTensor: DebugRule {
    let name = "ExplodingTensor"
    let collections: [String]
    let regexes: [PCRE2Regex]
    let onlyNaN: Bool
    /// The inspected tensors, chosen once: the trial does not change during an evaluation.
    var names: [String]?

    init(parameters p: [String: String]) throws {
        collections = RuleParameters.list(p["collection_names"])
        regexes = try RuleParameters.regexes(p["tensor_regex"])
        onlyNaN = RuleParameters.bool(p["only_nan"], default: false)
    }

    mutating func invoke(at step: Int64, trial: SmdebugTrialReader) throws -> Bool {
        if names == nil {
            names = collections.isEmpty && regexes.isEmpty
                ? trial.tensorNames : RuleParameters.tensors(collections: collections, regexes: regexes, trial: trial)
        }
        for name in names ?? [] {
            guard let t = try trial.value(name, step: step) else { continue }
            let values: [Double]
            switch t.values {
            case .floating(let v), .complex(let v): values = v
            default: continue
            }
            if values.contains(where: { onlyNaN ? $0.isNaN : !$0.isFinite }) { return true }
        }
        return false
    }
}
