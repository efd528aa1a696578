import JobSpec

/// What `trainscope tensors dump` prints of a trial: its summary, then each step with its tensors
/// (dtype, shape, values nested by shape, saved reductions), per worker.
public struct TrialDump {
    public var reader: SmdebugTrialReader
    /// Only these tensors (all when nil).
    public var tensorFilter: Set<String>?
    /// Values of larger tensors are left out (their dtype and shape are still printed).
    public var maxElements: Int

    public init(reader: SmdebugTrialReader, tensorFilter: Set<String>? = nil, maxElements: Int = 1 << 20) {
        self.reader = reader
        self.tensorFilter = tensorFilter
        self.maxElements = maxElements
    }

    public func summary() -> JSONValue {
        var collections: [JSONMember] = []
        for c in reader.collectionsFile?.collections ?? [] {
            collections.append(JSONMember(c.name, .array(c.tensorNames.sorted().map { .string($0) })))
        }
        return .object([
            JSONMember("directory", .string(reader.directory)),
            JSONMember("workers", .array(reader.workers.map { .string($0) })),
            JSONMember("num_workers", .number(JSONNumber(reader.numWorkers))),
            JSONMember("ended", .bool(reader.hasEnded)),
            JSONMember("collections", .object(collections)),
        ])
    }

    /// One step: `{"step", "mode", "mode_step", "tensors": [{"name", "worker", "dtype", "shape", "values", "reductions"}]}`.
    public func step(_ step: Int64) throws -> JSONValue {
        let (mode, modeStep) = reader.mode(ofStep: step) ?? (.global, step)
        var tensors: [JSONValue] = []
        for name in reader.tensorNames where tensorFilter?.contains(name) ?? true {
            for worker in reader.workers(of: name, step: step) {
                var members = [JSONMember("name", .string(name)), JSONMember("worker", .string(worker))]
                if let value = try reader.value(name, step: step, worker: worker) {
                    members.append(JSONMember("dtype", .string(value.dtype.rawValue)))
                    members.append(JSONMember("shape", .array(value.shape.map { .number(JSONNumber($0)) })))
                    if value.elementCount <= maxElements {
                        members.append(JSONMember("values", Self.nested(value)))
                    }
                } else if let shape = try reader.shape(name, step: step, worker: worker) {
                    members.append(JSONMember("shape", .array(shape.map { .number(JSONNumber($0)) })))
                }
                let reductions = try reader.reductions(name, step: step, worker: worker)
                if !reductions.isEmpty {
                    let sorted = reductions.sorted { ($0.key.abs ? 1 : 0, $0.key.name) < ($1.key.abs ? 1 : 0, $1.key.name) }
                    members.append(JSONMember("reductions", .object(sorted.map { r, t in
                        JSONMember((r.abs ? "abs_" : "") + r.name, Self.nested(t))
                    })))
                }
                tensors.append(.object(members))
            }
        }
        return .object([
            JSONMember("step", .number(JSONNumber(step))),
            JSONMember("mode", .string(mode.rawValue)),
            JSONMember("mode_step", .number(JSONNumber(modeStep))),
            JSONMember("tensors", .array(tensors)),
        ])
    }

    /// The values nested by shape (a 0-d tensor is its one value). NaN and infinities are the strings
    /// `"NaN"`, `"Infinity"`, `"-Infinity"`; complex numbers are `[re, im]` pairs.
    public static func nested(_ t: Tensor) -> JSONValue {
        var flat: [JSONValue]
        switch t.values {
        case .floating(let v): flat = v.map(number)
        case .signed(let v): flat = v.map { .number(JSONNumber($0)) }
        case .unsigned(let v): flat = v.map { .number(JSONNumber($0)) }
        case .bools(let v): flat = v.map { .bool($0) }
        case .complex(let v): flat = stride(from: 0, to: v.count, by: 2).map { .array([number(v[$0]), number(v[$0 + 1])]) }
        case .strings(let v): flat = v.map { .string($0) }
        }
        if t.shape.isEmpty { return flat.first ?? .null }
        var level = flat
        for dim in t.shape.dropFirst().reversed() where dim > 0 {
            level = stride(from: 0, to: level.count, by: dim).map { .array(Array(level[$0..<min($0 + dim, level.count)])) }
        }
        return .array(level)
    }

    static func number(_ d: Double) -> JSONValue {
        if d.isNaN { return .string("NaN") }
        if d.isInfinite { return .string(d < 0 ? "-Infinity" : "Infinity") }
        return .number(JSONNumber(d))
    }
}
