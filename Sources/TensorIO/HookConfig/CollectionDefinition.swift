/// A named group of tensors (smdebug's `Collection`): the tensors whose names match one of
/// `includeRegex` (an unanchored `re.search`) or are listed in `tensorNames`, with its own save and
/// reduction configuration. nil configurations take the hook's.
public struct CollectionDefinition: Sendable, Equatable {
    public var name: String
    public var includeRegex: [String]
    public var tensorNames: Set<String>
    public var reductionConfig: ReductionConfig?
    public var saveConfig: SaveConfig?
    public var saveHistogram: Bool

    public init(name: String, includeRegex: [String] = [], tensorNames: Set<String> = [],
                reductionConfig: ReductionConfig? = nil, saveConfig: SaveConfig? = nil, saveHistogram: Bool = true) {
        self.name = name
        self.includeRegex = includeRegex
        self.tensorNames = tensorNames
        self.reductionConfig = reductionConfig
        self.saveConfig = saveConfig
        self.saveHistogram = saveHistogram
    }
}

/// smdebug's `CollectionKeys` and the sets of them that behave differently.
public enum CollectionKeys {
    public static let `default` = "default"
    public static let all = "all"
    public static let inputs = "inputs"
    public static let outputs = "outputs"
    public static let weights = "weights"
    public static let gradients = "gradients"
    public static let losses = "losses"
    public static let biases = "biases"
    public static let layers = "layers"
    public static let smMetrics = "sm_metrics"
    public static let optimizerVariables = "optimizer_variables"
    public static let tensorflowSummaries = "tensorflow_summaries"
    public static let metrics = "metrics"
    public static let hyperparameters = "hyperparameters"
    public static let predictions = "predictions"
    public static let labels = "labels"
    public static let featureImportance = "feature_importance"
    public static let averageShap = "average_shap"
    public static let fullShap = "full_shap"
    public static let trees = "trees"

    /// Scalars: saved raw, no reductions, no histograms; TensorBoard scalar summaries.
    public static let scalarCollections: Set<String> = [losses, metrics, featureImportance, averageShap, smMetrics]
    public static let nonReductionCollections = scalarCollections.union([tensorflowSummaries])
    public static let nonHistogramCollections = scalarCollections.union([tensorflowSummaries])
    /// Not saved in EVAL and PREDICT steps.
    public static let trainOnlyCollections: Set<String> = [gradients, optimizerVariables]
}

/// Which hook's built-in collections and defaults apply.
public enum HookFramework: String, Sendable, CaseIterable {
    case pytorch, tensorflow, mxnet, xgboost
    /// trainscope's tensor-ingestion API: PyTorch's collections and patterns, and `losses` also
    /// matching a tensor named `loss` (alone or as the last part of a path, any case of the `L`).
    case generic

    /// The collections the hook creates, with their default patterns (`CollectionManager._register_default_collections`).
    public var builtInCollections: [CollectionDefinition] {
        typealias K = CollectionKeys
        func c(_ name: String, _ regex: [String] = []) -> CollectionDefinition { CollectionDefinition(name: name, includeRegex: regex) }
        switch self {
        case .pytorch, .generic:
            return [c(K.all), c(K.default), c(K.weights, ["^(?!gradient).*weight"]), c(K.biases, ["^(?!gradient).*bias"]),
                    c(K.gradients, ["^gradient"]),
                    c(K.losses, self == .generic ? ["[Ll]oss_(?!input).*output", "(^|/)[Ll]oss$"] : ["[Ll]oss_(?!input).*output"])]
        case .mxnet:
            return [c(K.all), c(K.default), c(K.weights, ["^(?!gradient).*weight"]), c(K.biases, ["^(?!gradient).*bias"]),
                    c(K.gradients, ["^gradient"]), c(K.losses, [".*loss._(?!input).*output"])]
        case .tensorflow:
            return [c(K.all), c(K.default), c(K.weights), c(K.biases, ["^(?!gradient).*bias"]), c(K.gradients), c(K.losses),
                    c(K.metrics), c(K.inputs), c(K.outputs), c(K.layers), c(K.smMetrics), c(K.optimizerVariables)]
        case .xgboost:
            return [c(K.all), c(K.default), c(K.hyperparameters, ["^hyperparameters/.*$"]),
                    c(K.predictions, ["^predictions$"]), c(K.labels, ["^labels$"]),
                    c(K.featureImportance, ["^feature_importance/.*"]), c(K.averageShap, ["^average_shap/.*[^/bias]$"]),
                    c(K.fullShap, ["^full_shap/.*[^/bias]$"]), c(K.trees, ["^trees/.*"]),
                    c(K.metrics, ["^[a-zA-z]+-[a-zA-z0-9]+$"]), c(K.losses, ["^[a-zA-z]+-.+(?<!(auc|map))$"])]
        }
    }

    /// Collections saved whatever the configuration says (`DEFAULT_INCLUDE_COLLECTIONS`).
    public var defaultIncludeCollections: [String] {
        switch self {
        case .pytorch, .mxnet, .generic: [CollectionKeys.losses]
        case .tensorflow: [CollectionKeys.metrics, CollectionKeys.losses, CollectionKeys.smMetrics]
        case .xgboost: [CollectionKeys.metrics]
        }
    }

    /// The hook's save interval when the configuration gives none (XGBoost's hook: 10).
    public var defaultSaveInterval: Int { self == .xgboost ? 10 : SaveConfigMode.defaultInterval }
}
