/// smdebug's `ModeKeys`: the phase a step belongs to. Index files carry the name, event records the
/// number (as a string in the `mode` plugin data).
public enum TrainingMode: String, Sendable, CaseIterable, Hashable, Comparable {
    case train = "TRAIN"
    case eval = "EVAL"
    case predict = "PREDICT"
    case global = "GLOBAL"

    public var number: Int {
        switch self {
        case .train: 1
        case .eval: 2
        case .predict: 3
        case .global: 4
        }
    }

    public init?(number: Int) {
        guard let mode = Self.allCases.first(where: { $0.number == number }) else { return nil }
        self = mode
    }

    /// Accepts the name in any case (`TRAIN`, `train`).
    public init?(name: String) {
        self.init(rawValue: name.uppercased())
    }

    /// The prefix of the mode-specific hook parameters (`train.save_interval`).
    public var parameterPrefix: String { rawValue.lowercased() + "." }

    public static func < (a: Self, b: Self) -> Bool { a.number < b.number }
}
