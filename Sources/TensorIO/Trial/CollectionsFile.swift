import JobSpec

/// `collections/000000000/<worker>_collections.json` (smdebug's `CollectionManager.export`): the
/// collections, each with the tensor names seen in it, and how many workers write the trial.
public struct CollectionsFile: Sendable, Equatable {
    /// In file order.
    public var collections: [CollectionDefinition]
    public var numWorkers: Int

    public init(collections: [CollectionDefinition], numWorkers: Int) {
        self.collections = collections
        self.numWorkers = numWorkers
    }

    public func jsonBytes() -> [UInt8] {
        var j = PythonJSON()
        j.object { j, key in
            key(&j, "collections")
            j.object { j, key in
                for c in collections {
                    key(&j, c.name)
                    Self.write(c, to: &j)
                }
            }
            key(&j, "_meta")
            j.object { j, key in key(&j, "num_workers"); j.int(numWorkers) }
        }
        return j.bytes
    }

    static func write(_ c: CollectionDefinition, to j: inout PythonJSON) {
        j.object { j, key in
            key(&j, "name"); j.string(c.name)
            key(&j, "include_regex"); j.array(c.includeRegex) { j, r in j.string(r) }
            key(&j, "tensor_names"); j.array(c.tensorNames.sorted()) { j, n in j.string(n) }
            key(&j, "reduction_config")
            if let r = c.reductionConfig {
                j.object { j, key in
                    key(&j, "save_raw_tensor"); j.bool(r.saveRawTensor)
                    key(&j, "reductions"); j.string(r.listString)
                    key(&j, "save_shape"); j.bool(r.saveShape)
                }
            } else {
                j.null()
            }
            key(&j, "save_config")
            if let s = c.saveConfig {
                j.object { j, key in
                    for mode in TrainingMode.allCases {
                        key(&j, mode.rawValue)
                        let m = s[mode]
                        j.object { j, key in
                            key(&j, "save_interval"); j.int(m.saveInterval)
                            key(&j, "save_steps"); j.array(m.saveSteps) { j, n in j.int(n) }
                            key(&j, "start_step"); j.int(m.startStep)
                            key(&j, "end_step")
                            if let e = m.endStep { j.int(e) } else { j.null() }
                        }
                    }
                }
            } else {
                j.null()
            }
            key(&j, "save_histogram"); j.bool(c.saveHistogram)
        }
    }

    /// Parses a collections file; only `collections` and `_meta` may appear at the top, as smdebug requires.
    public static func parse(_ bytes: [UInt8], source: String) throws(TrialFormatError) -> CollectionsFile {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes, source: source)
        } catch {
            throw TrialFormatError(path: source, reason: "not JSON: \(error)")
        }
        guard let top = json.objectMembers else { throw TrialFormatError(path: source, reason: "not a JSON object") }
        if let extra = top.first(where: { $0.key != "collections" && $0.key != "_meta" }) {
            throw TrialFormatError(path: source, reason: "unexpected top-level key \"\(extra.key)\" (only collections and _meta)")
        }
        guard let members = json["collections"]?.objectMembers else {
            throw TrialFormatError(path: source, reason: "no \"collections\" object")
        }
        guard let workers = json["_meta"]?["num_workers"]?.numberValue?.int64, workers >= 1 else {
            throw TrialFormatError(path: source, reason: "_meta.num_workers is not a positive integer")
        }
        var out = CollectionsFile(collections: [], numWorkers: Int(workers))
        for m in members {
            let v = m.value
            var c = CollectionDefinition(name: v["name"]?.stringValue ?? m.key)
            c.includeRegex = v["include_regex"]?.arrayElements?.compactMap(\.stringValue) ?? []
            c.tensorNames = Set(v["tensor_names"]?.arrayElements?.compactMap(\.stringValue) ?? [])
            c.saveHistogram = v["save_histogram"]?.boolValue ?? true
            if let r = v["reduction_config"], r != .null {
                c.reductionConfig = (try? ReductionConfig(parsing: r["reductions"]?.stringValue ?? "",
                                                          saveRawTensor: r["save_raw_tensor"]?.boolValue ?? false,
                                                          saveShape: r["save_shape"]?.boolValue ?? false))
            }
            if let s = v["save_config"], s != .null, let modes = s.objectMembers {
                var config = SaveConfig(modes: [:])
                for mm in modes {
                    guard let mode = TrainingMode(rawValue: mm.key), mm.value != .null else { continue }
                    let d = mm.value
                    config[mode] = SaveConfigMode(
                        saveInterval: d["save_interval"]?.numberValue?.int64.map { Int($0) } ?? SaveConfigMode.defaultInterval,
                        saveSteps: d["save_steps"]?.arrayElements?.compactMap { $0.numberValue?.int64.map { Int($0) } } ?? [],
                        startStep: d["start_step"]?.numberValue?.int64.map { Int($0) } ?? 0,
                        endStep: d["end_step"]?.numberValue?.int64.map { Int($0) })
                }
                c.saveConfig = config
            }
            out.collections.append(c)
        }
        return out
    }
}
