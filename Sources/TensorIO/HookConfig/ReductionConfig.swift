/// What is saved of a tensor (smdebug's `ReductionConfig`): the raw tensor, its shape, and
/// reductions (`min max mean std variance sum prod`) and norms (`l1 l2`), optionally of the absolute
/// values. In the hook configuration it is the comma-separated `reductions` parameter, e.g.
/// `"mean,abs_max,l2_norm"`; a configuration that names reductions saves no raw tensor unless
/// `save_raw_tensor` says so.
public struct ReductionConfig: Sendable, Equatable, Hashable {
    public static let allowedReductions = ["min", "max", "mean", "std", "variance", "sum", "prod"]
    public static let allowedNorms = ["l1", "l2"]

    public var reductions: [String]
    public var absReductions: [String]
    public var norms: [String]
    public var absNorms: [String]
    public var saveRawTensor: Bool
    public var saveShape: Bool

    public init(reductions: [String] = [], absReductions: [String] = [], norms: [String] = [], absNorms: [String] = [],
                saveRawTensor: Bool = false, saveShape: Bool = false) {
        self.reductions = reductions
        self.absReductions = absReductions
        self.norms = norms
        self.absNorms = absNorms
        self.saveRawTensor = saveRawTensor
        self.saveShape = saveShape
    }

    /// The raw tensor and nothing else: what the hook uses when no `reductions` are configured.
    public static let rawTensor = ReductionConfig(saveRawTensor: true)

    /// Parses the `reductions` string as `ReductionConfig.from_dict` does, checking each name.
    public init(parsing list: String, saveRawTensor: Bool = false, saveShape: Bool = false) throws(HookConfigurationError) {
        self.init(saveRawTensor: saveRawTensor, saveShape: saveShape)
        for item in list.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingSpaces() }) where !item.isEmpty {
            let isAbs = item.hasPrefix("abs_")
            let isNorm = item.hasSuffix("_norm")
            let parts = item.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            let base = isAbs ? (parts.count > 1 ? parts[1] : "") : parts[0]
            switch (isAbs, isNorm) {
            case (false, false): reductions.append(item)
            case (false, true): norms.append(base)
            case (true, false): absReductions.append(base)
            case (true, true): absNorms.append(base)
            }
            let allowed = isNorm ? Self.allowedNorms : Self.allowedReductions
            if !allowed.contains(isNorm || isAbs ? base : item) {
                throw HookConfigurationError(path: "reductions",
                                             message: "unknown reduction \"\(item)\"; use \(Self.allowedReductions.joined(separator: ", ")), l1_norm, l2_norm, or an abs_ form of these")
            }
        }
    }

    /// The comma-separated form, in smdebug's order (reductions, norms, abs reductions, abs norms).
    public var listString: String {
        (reductions + norms.map { "\($0)_norm" } + absReductions.map { "abs_\($0)" } + absNorms.map { "abs_\($0)_norm" })
            .joined(separator: ",")
    }

    /// Every reduction to compute, each as (name, abs).
    public var all: [Reduction] {
        reductions.map { Reduction(name: $0, abs: false) } + norms.map { Reduction(name: $0, abs: false) }
            + absReductions.map { Reduction(name: $0, abs: true) } + absNorms.map { Reduction(name: $0, abs: true) }
    }
}

/// One reduction of a tensor, e.g. (`mean`, abs) is saved as `smdebug/reductions/abs_mean/<name>`.
public struct Reduction: Sendable, Hashable {
    public var name: String
    public var abs: Bool

    public init(name: String, abs: Bool) {
        self.name = name
        self.abs = abs
    }

    public static let tensorNamePrefix = "smdebug/reductions/"

    /// `get_reduction_tensor_name`: `:N` suffixes are dropped, as for every framework but TF.
    public func tensorName(for tensor: String) -> String {
        var base = "\(name)/\(tensor)"
        base = Self.removingColonIndices(base)
        return Self.tensorNamePrefix + (abs ? "abs_" : "") + base
    }

    /// `re.sub(r":\d+", "", s)`.
    static func removingColonIndices(_ s: String) -> String {
        var out = ""
        var chars = Array(s)
        var i = 0
        while i < chars.count {
            if chars[i] == ":", i + 1 < chars.count, chars[i + 1].isASCII, chars[i + 1].isNumber {
                i += 1
                while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                continue
            }
            out.append(chars[i])
            i += 1
        }
        chars.removeAll()
        return out
    }

    /// Splits `smdebug/reductions/abs_mean/dense/weight` into (`dense/weight`, mean, abs).
    public static func parse(tensorName: String) -> (tensor: String, reduction: Reduction)? {
        guard tensorName.hasPrefix(tensorNamePrefix) else { return nil }
        let rest = tensorName.dropFirst(tensorNamePrefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        var name = String(rest[..<slash])
        let isAbs = name.hasPrefix("abs_")
        if isAbs { name.removeFirst(4) }
        return (String(rest[rest.index(after: slash)...]), Reduction(name: name, abs: isAbs))
    }
}

extension Substring {
    /// Python's `str.strip()` for the whitespace that appears in configuration strings.
    func trimmingSpaces() -> String {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
