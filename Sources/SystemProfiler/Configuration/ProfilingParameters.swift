/// ProfilerConfig.ProfilingParameters, read leniently, as smdebug reads it: keys in any case, values
/// that are strings of numbers or Python dict literals with trailing commas (what the SageMaker SDK
/// sends). Problems are warnings with the key, and the default is used instead.
public struct ProfilingParameters: Sendable, Equatable {
    public var localPath: String?
    public var rotateMaxFileSizeInBytes: Int?
    public var rotateFileCloseIntervalInSeconds: Int?
    public var fileOpenFailThreshold: Int?
    /// The framework-profiling sub-configurations (DetailedProfilingConfig, DataloaderProfilingConfig
    /// or DataLoaderProfilingConfig, PythonProfilingConfig, HorovodProfilingConfig,
    /// SMDataParallelProfilingConfig), by the key as written, parsed. trainscope does not act on
    /// them (the training process's smdebug hook does); they are checked and kept.
    public var frameworkConfigs: [(key: String, value: PythonLiteral)]
    /// Keys smdebug does not know, as written.
    public var otherKeys: [String]

    public init(localPath: String? = nil, rotateMaxFileSizeInBytes: Int? = nil, rotateFileCloseIntervalInSeconds: Int? = nil,
                fileOpenFailThreshold: Int? = nil, frameworkConfigs: [(key: String, value: PythonLiteral)] = [],
                otherKeys: [String] = []) {
        self.localPath = localPath
        self.rotateMaxFileSizeInBytes = rotateMaxFileSizeInBytes
        self.rotateFileCloseIntervalInSeconds = rotateFileCloseIntervalInSeconds
        self.fileOpenFailThreshold = fileOpenFailThreshold
        self.frameworkConfigs = frameworkConfigs
        self.otherKeys = otherKeys
    }

    public static func == (a: ProfilingParameters, b: ProfilingParameters) -> Bool {
        a.localPath == b.localPath && a.rotateMaxFileSizeInBytes == b.rotateMaxFileSizeInBytes
            && a.rotateFileCloseIntervalInSeconds == b.rotateFileCloseIntervalInSeconds
            && a.fileOpenFailThreshold == b.fileOpenFailThreshold && a.otherKeys == b.otherKeys
            && a.frameworkConfigs.elementsEqual(b.frameworkConfigs) { $0.key == $1.key && $0.value == $1.value }
    }

    static let frameworkKeys: Set<String> = [
        "detailedprofilingconfig", "dataloaderprofilingconfig", "pythonprofilingconfig",
        "horovodprofilingconfig", "smdataparallelprofilingconfig",
    ]

    /// Reads the map's entries (key, value as the request holds it: a string, or, leniently, a
    /// number). Returns the parameters and one warning per value that could not be used.
    public static func parse(_ entries: [(key: String, value: PythonLiteral)]) -> (ProfilingParameters, warnings: [String]) {
        var p = ProfilingParameters()
        var warnings: [String] = []
        func positive(_ key: String, _ value: PythonLiteral) -> Int? {
            guard let n = value.intValue, n > 0, n <= Int64(Int32.max) else {
                warnings.append("ProfilingParameters.\(key): \(value) is not a positive whole number; using the default")
                return nil
            }
            return Int(n)
        }
        for (key, value) in entries {
            switch key.lowercased() {
            case "localpath":
                if let s = value.stringValue, !s.trimmingSpaces.isEmpty { p.localPath = s.trimmingSpaces }
                else { warnings.append("ProfilingParameters.\(key): expected a path; using the default") }
            case "rotatemaxfilesizeinbytes": p.rotateMaxFileSizeInBytes = positive(key, value)
            case "rotatefilecloseintervalinseconds": p.rotateFileCloseIntervalInSeconds = positive(key, value)
            case "fileopenfailthreshold": p.fileOpenFailThreshold = positive(key, value)
            case let k where frameworkKeys.contains(k):
                guard let text = value.stringValue else {
                    warnings.append("ProfilingParameters.\(key): expected a string holding a Python dict")
                    continue
                }
                do {
                    let parsed = try PythonLiteral.parse(text)
                    guard case .dict = parsed else {
                        warnings.append("ProfilingParameters.\(key): expected a dict, got \(parsed)")
                        continue
                    }
                    p.frameworkConfigs.append((key, parsed))
                } catch {
                    warnings.append("ProfilingParameters.\(key): not a Python dict literal (\(error))")
                }
            default:
                p.otherKeys.append(key)
            }
        }
        return (p, warnings)
    }
}
