import JobSpec
import PCRE2

/// A `DebugHookConfig` (as in CreateTrainingJob, or `/opt/ml/input/config/debughookconfig.json`) read
/// the way smdebug 1.0.34's `create_hook_from_json_config` reads it, and then prepared as
/// `BaseHook._prepare_collections` prepares it: every collection ends up with a save configuration
/// per mode and a reduction configuration.
///
/// - `HookParameters`: `save_interval`, `save_steps` (`"1,2,3"`), `start_step`, `end_step`, each also
///   as `train.`/`eval.`/`predict.`/`global.` forms that override it for one mode; `include_regex`
///   (comma-separated; the tensors join the `default` collection); `save_all` (the `all` collection,
///   `.*`); `reductions` (then no raw tensors unless `save_raw_tensor`); `save_shape`;
///   `export_tensorboard`, `tensorboard_dir`, `include_workers`.
/// - `CollectionConfigurations`: each names a collection (built in or new) whose parameters override
///   the hook's: the same save keys, `include_regex` (added to the collection's patterns),
///   `reductions`, `save_histogram`. Entries apply in list order, so for a name given twice the later
///   one wins (patterns accumulate).
/// - Saved: the collections configured, plus the framework's defaults (`losses` for PyTorch), plus
///   `default` with `include_regex` and `all` with `save_all`; every collection when `all` is saved.
public struct DebugHookConfiguration: Sendable, Equatable {
    public static let defaultLocalPath = "/opt/ml/output/tensors"

    public var localPath: String
    public var framework: HookFramework
    /// The hook-level save configuration, the default of every collection.
    public var saveConfig: SaveConfig
    /// The hook-level reduction configuration (the raw tensor when `reductions` is not given).
    public var reductionConfig: ReductionConfig
    public var includeRegex: [String]?
    public var saveAll: Bool
    /// `one` or `all`: whether every worker saves, or only the first.
    public var includeWorkers: String
    public var exportTensorBoard: Bool
    public var tensorBoardDirectory: String?
    /// Names of the collections saved, configured ones first.
    public var includeCollections: [String]
    /// Every collection the hook knows, prepared (built-ins first, then new ones in configuration order).
    public var collections: [CollectionDefinition]
    /// Parameters smdebug ignores (unknown keys), kept for `validate`-style reporting.
    public var warnings: [HookConfigurationError]

    /// The configuration of a hook with no DebugHookConfig members but `S3OutputPath` (the SDK's default).
    public init(framework: HookFramework = .generic) {
        // An empty configuration cannot fail.
        self = try! DebugHookConfiguration(json: .object([]), framework: framework)
    }

    /// The collections saved, in `collections` order.
    public var collectionsToSave: [CollectionDefinition] {
        let all = includeCollections.contains(CollectionKeys.all)
        return collections.filter { all || includeCollections.contains($0.name) }
    }

    public func collection(named name: String) -> CollectionDefinition? { collections.first { $0.name == name } }

    /// Parses a DebugHookConfig JSON document (text).
    public init(jsonText: String, framework: HookFramework = .generic) throws(HookConfigurationErrors) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(jsonText, source: "DebugHookConfig")
        } catch {
            throw HookConfigurationErrors(errors: [HookConfigurationError(path: "", message: "\(error)")])
        }
        try self.init(json: value, framework: framework)
    }

    public init(json: JSONValue, framework: HookFramework = .generic) throws(HookConfigurationErrors) {
        var errors: [HookConfigurationError] = []
        var warnings: [HookConfigurationError] = []
        guard json.objectMembers != nil else {
            throw HookConfigurationErrors(errors: [HookConfigurationError(path: "", message: "expected an object, got \(json.kindName)")])
        }
        self.framework = framework
        localPath = json["LocalPath"]?.stringValue ?? Self.defaultLocalPath

        // HookParameters: {"HookParameters": null} counts as {}.
        let hookParams = Self.parameters(json["HookParameters"], path: "HookParameters", errors: &errors)
        let hookModes = Self.saveModeParameters(hookParams)
        saveConfig = SaveConfig(modes: [:])
        for mode in TrainingMode.allCases {
            saveConfig[mode] = Self.saveConfigMode(hookModes[mode] ?? [:], defaultInterval: framework.defaultSaveInterval,
                                                   path: "HookParameters", errors: &errors)
        }
        reductionConfig = .rawTensor
        if let list = hookParams["reductions"] {
            reductionConfig = Self.reductions(list, params: hookParams, path: "HookParameters", errors: &errors)
        }
        saveAll = Self.bool(hookParams["save_all"], default: false, path: "HookParameters.save_all", errors: &errors)
        includeRegex = hookParams["include_regex"].map(Self.split)
        includeWorkers = hookParams["include_workers"] ?? "one"
        exportTensorBoard = Self.bool(hookParams["export_tensorboard"], default: false,
                                      path: "HookParameters.export_tensorboard", errors: &errors)
        tensorBoardDirectory = hookParams["tensorboard_dir"]
        let knownHookKeys: Set<String> = ["save_interval", "save_steps", "start_step", "end_step", "include_regex", "save_all",
                                          "reductions", "save_raw_tensor", "save_shape", "export_tensorboard",
                                          "tensorboard_dir", "include_workers", "dry_run"]
        for key in hookParams.keys.sorted() where !knownHookKeys.contains(Self.unprefixed(key)) {
            warnings.append(HookConfigurationError(path: "HookParameters.\(key)", message: "not a parameter smdebug reads; ignored"))
        }

        // The collection manager: built-ins, then include_regex and save_all.
        var collections = framework.builtInCollections
        let configs = json["CollectionConfigurations"]
        var include: [String] = []
        if let configs, configs != .null {
            for (i, entry) in (configs.arrayElements ?? []).enumerated() {
                guard let name = entry["CollectionName"]?.stringValue else {
                    errors.append(HookConfigurationError(path: "CollectionConfigurations[\(i)].CollectionName",
                                                         message: "missing; every collection configuration needs a name"))
                    continue
                }
                if !include.contains(name) { include.append(name) }
            }
        }
        for name in framework.defaultIncludeCollections where !include.contains(name) { include.append(name) }
        func index(of name: String) -> Int {
            if let i = collections.firstIndex(where: { $0.name == name }) { return i }
            collections.append(CollectionDefinition(name: name))
            return collections.count - 1
        }
        if let includeRegex {
            collections[index(of: CollectionKeys.default)].includeRegex += includeRegex
            if !include.contains(CollectionKeys.default) { include.append(CollectionKeys.default) }
        }
        if saveAll {
            collections[index(of: CollectionKeys.all)].includeRegex.append(".*")
            if !include.contains(CollectionKeys.all) { include.append(CollectionKeys.all) }
        }

        // CollectionConfigurations, in order.
        for (i, entry) in (configs?.arrayElements ?? []).enumerated() {
            guard let name = entry["CollectionName"]?.stringValue else { continue }
            let path = "CollectionConfigurations[\(i)].CollectionParameters"
            let params = Self.parameters(entry["CollectionParameters"], path: path, errors: &errors)
            let c = index(of: name)
            let modes = Self.saveModeParameters(params, base: hookModes)
            var config = SaveConfig(modes: [:])
            for mode in TrainingMode.allCases {
                // SaveConfigMode.from_dict without default values: 500 whatever the framework.
                config[mode] = Self.saveConfigMode(modes[mode] ?? [:], defaultInterval: SaveConfigMode.defaultInterval,
                                                   path: path, errors: &errors)
            }
            collections[c].saveConfig = config
            if let list = params["reductions"] {
                collections[c].reductionConfig = Self.reductions(list, params: params, path: path, errors: &errors)
            }
            if let regex = params["include_regex"] { collections[c].includeRegex += Self.split(regex) }
            if params["save_histogram"] != nil {
                collections[c].saveHistogram = Self.bool(params["save_histogram"], default: true,
                                                         path: "\(path).save_histogram", errors: &errors)
            }
            let knownKeys: Set<String> = ["save_interval", "save_steps", "start_step", "end_step", "include_regex",
                                          "reductions", "save_raw_tensor", "save_shape", "save_histogram"]
            for key in params.keys.sorted() where !knownKeys.contains(Self.unprefixed(key)) {
                warnings.append(HookConfigurationError(path: "\(path).\(key)", message: "not a parameter smdebug reads; ignored"))
            }
        }

        // _prepare_collections.
        let builtIn = Set(framework.builtInCollections.map(\.name))
        for i in collections.indices {
            let name = collections[i].name
            if !builtIn.contains(name) && collections[i].includeRegex.isEmpty && collections[i].tensorNames.isEmpty {
                errors.append(HookConfigurationError(path: "CollectionConfigurations",
                                                     message: "collection \"\(name)\" is not built in and has no include_regex, so it would match nothing (smdebug raises InvalidCollectionConfiguration)"))
            }
            if CollectionKeys.nonHistogramCollections.contains(name) { collections[i].saveHistogram = false }
            if var own = collections[i].saveConfig {
                for mode in TrainingMode.allCases where own.modes[mode] == nil { own[mode] = saveConfig[mode] }
                collections[i].saveConfig = own
            } else {
                collections[i].saveConfig = saveConfig
            }
            if CollectionKeys.nonReductionCollections.contains(name) {
                collections[i].reductionConfig = .rawTensor
            } else if collections[i].reductionConfig == nil {
                collections[i].reductionConfig = reductionConfig
            }
            for (j, pattern) in collections[i].includeRegex.enumerated() {
                do {
                    _ = try PCRE2Regex(pattern)
                } catch {
                    errors.append(HookConfigurationError(path: "collection \(name).include_regex[\(j)]",
                                                         message: "invalid regex \"\(pattern)\": \(error)"))
                }
            }
        }
        self.includeCollections = include
        self.collections = collections
        self.warnings = warnings
        if !errors.isEmpty { throw HookConfigurationErrors(errors: errors) }
    }
}

// MARK: - Parameter parsing, as smdebug's json_config.py does it

extension DebugHookConfiguration {
    /// A parameter map as strings: numbers keep their literal text, booleans become `True`/`False`.
    static func parameters(_ value: JSONValue?, path: String, errors: inout [HookConfigurationError]) -> [String: String] {
        guard let value, value != .null else { return [:] }
        guard let members = value.objectMembers else {
            errors.append(HookConfigurationError(path: path, message: "expected an object, got \(value.kindName)"))
            return [:]
        }
        var out: [String: String] = [:]
        for m in members {
            switch m.value {
            case .string(let s): out[m.key] = s
            case .number(let n): out[m.key] = n.description
            case .bool(let b): out[m.key] = b ? "True" : "False"
            default: errors.append(HookConfigurationError(path: "\(path).\(m.key)", message: "expected a string, got \(m.value.kindName)"))
            }
        }
        return out
    }

    static func unprefixed(_ key: String) -> String {
        for mode in TrainingMode.allCases where key.hasPrefix(mode.parameterPrefix) {
            return String(key.dropFirst(mode.parameterPrefix.count))
        }
        return key
    }

    static let saveKeys = ["save_interval", "save_steps", "start_step", "end_step"]

    /// `parse_save_config_modes_dict`: for each mode, the unprefixed keys overridden by the mode's
    /// prefixed ones, over `base` (the hook's, for a collection).
    static func saveModeParameters(_ params: [String: String], base: [TrainingMode: [String: String]]? = nil)
        -> [TrainingMode: [String: String]] {
        var out: [TrainingMode: [String: String]] = [:]
        for mode in TrainingMode.allCases {
            var d = base?[mode] ?? [:]
            for key in saveKeys {
                if let v = params[key] { d[key] = v }
            }
            for key in saveKeys {
                if let v = params[mode.parameterPrefix + key] { d[key] = v }
            }
            out[mode] = d
        }
        return out
    }

    static func saveConfigMode(_ d: [String: String], defaultInterval: Int, path: String,
                               errors: inout [HookConfigurationError]) -> SaveConfigMode {
        var mode = SaveConfigMode(saveInterval: defaultInterval)
        if let v = d["save_interval"] {
            if let n = int(v), n > 0 { mode.saveInterval = n } else {
                append(HookConfigurationError(path: "\(path).save_interval", message: "\"\(v)\" is not a positive integer"), to: &errors)
            }
        }
        if let v = d["save_steps"] {
            var steps: [Int] = []
            for item in split(v) {
                if let n = int(item) { steps.append(n) } else {
                    append(HookConfigurationError(path: "\(path).save_steps", message: "\"\(item)\" in \"\(v)\" is not an integer"), to: &errors)
                }
            }
            mode.saveSteps = steps
        }
        if let v = d["start_step"] {
            if let n = int(v) { mode.startStep = n } else {
                append(HookConfigurationError(path: "\(path).start_step", message: "\"\(v)\" is not an integer"), to: &errors)
            }
        }
        if let v = d["end_step"] {
            if let n = int(v) { mode.endStep = n } else {
                append(HookConfigurationError(path: "\(path).end_step", message: "\"\(v)\" is not an integer"), to: &errors)
            }
        }
        return mode
    }

    /// The same value is checked once per mode; report it once.
    private static func append(_ e: HookConfigurationError, to errors: inout [HookConfigurationError]) {
        if !errors.contains(e) { errors.append(e) }
    }

    static func reductions(_ list: String, params: [String: String], path: String,
                           errors: inout [HookConfigurationError]) -> ReductionConfig {
        let raw = bool(params["save_raw_tensor"], default: false, path: "\(path).save_raw_tensor", errors: &errors)
        let shape = bool(params["save_shape"], default: false, path: "\(path).save_shape", errors: &errors)
        do {
            return try ReductionConfig(parsing: list, saveRawTensor: raw, saveShape: shape)
        } catch {
            errors.append(error.under(path))
            return ReductionConfig(saveRawTensor: raw, saveShape: shape)
        }
    }

    /// `parse_bool`: `true`/`True`/`false`/`False` only.
    static func bool(_ value: String?, default: Bool, path: String, errors: inout [HookConfigurationError]) -> Bool {
        guard let value else { return `default` }
        switch value {
        case "true", "True": return true
        case "false", "False": return false
        default:
            errors.append(HookConfigurationError(path: path, message: "boolean argument expected, but found \"\(value)\""))
            return `default`
        }
    }

    /// `smdebug.core.utils.split`: on commas, each part stripped.
    static func split(_ s: String) -> [String] {
        s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
    }

    /// Python's `int()` of a string: optional sign, digits, surrounding whitespace.
    static func int(_ s: String) -> Int? {
        Int(Substring(s).trimmingSpaces())
    }
}
