import Foundation
import JobSpec

/// One request's tensors, all for the same worker and global step.
public struct TensorBatch: Sendable {
    public struct Item: Sendable {
        public var tensor: Tensor
        /// Collections the caller puts the tensor in, on top of those its name matches.
        public var collections: [String]
        public init(tensor: Tensor, collections: [String] = []) {
            self.tensor = tensor
            self.collections = collections
        }
    }

    public var step: Int64
    public var mode: TrainingMode
    /// nil: counted by the ingestion (0, 1, 2, … per worker and mode; the global step in GLOBAL mode).
    public var modeStep: Int64?
    public var worker: String
    public var wallTime: Double?
    /// Close the worker's step after these tensors (it becomes visible to readers at once).
    public var closeStep: Bool
    public var items: [Item]

    public init(step: Int64, mode: TrainingMode = .global, modeStep: Int64? = nil, worker: String = TrialLayout.defaultWorker,
                wallTime: Double? = nil, closeStep: Bool = false, items: [Item]) {
        self.step = step
        self.mode = mode
        self.modeStep = modeStep
        self.worker = worker
        self.wallTime = wallTime
        self.closeStep = closeStep
        self.items = items
    }
}

extension TensorBatch {
    /// Decodes the JSON body of `POST /v1/tensors`:
    ///
    /// ```json
    /// {"step": 3, "mode": "TRAIN", "mode_step": 2, "worker": "worker_0", "wall_time": 1700000000.5,
    ///  "close_step": false,
    ///  "tensors": [{"name": "loss", "dtype": "float32", "shape": [], "data": 0.25, "collections": ["losses"]},
    ///              {"name": "fc.weight", "dtype": "float32", "shape": [2, 2], "data": [[1, 2], [3, "NaN"]]},
    ///              {"name": "fc.bias", "dtype": "float64", "shape": [2], "data_base64": "<raw little-endian bytes>"}]}
    /// ```
    /// `step` is required; `mode` defaults to GLOBAL and `worker` to worker_0. `dtype` defaults from the
    /// data (float32, bool or string); `shape` defaults to the nesting of `data`.
    public static func decodeJSON(_ bytes: [UInt8], limits: TensorIngestion.Limits) throws(IngestionError) -> TensorBatch {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes, source: "body")
        } catch {
            throw .badRequest("malformed JSON: \(error)")
        }
        guard json.objectMembers != nil else { throw .badRequest("the body must be a JSON object") }
        let known: Set<String> = ["step", "mode", "mode_step", "worker", "wall_time", "close_step", "tensors"]
        if let extra = json.objectMembers?.first(where: { !known.contains($0.key) }) {
            throw .badRequest("unknown member \"\(extra.key)\"; expected \(known.sorted().joined(separator: ", "))")
        }
        var batch = TensorBatch(step: 0, items: [])
        batch.step = try Self.step(json["step"], "step", required: true)!
        batch.modeStep = try Self.step(json["mode_step"], "mode_step", required: false)
        if let m = json["mode"], m != .null {
            guard let name = m.stringValue, let mode = TrainingMode(name: name) else {
                throw .badRequest("mode must be one of TRAIN, EVAL, PREDICT, GLOBAL")
            }
            batch.mode = mode
        }
        if let w = json["worker"], w != .null {
            guard let s = w.stringValue else { throw .badRequest("worker must be a string") }
            batch.worker = s
        }
        if let t = json["wall_time"], t != .null {
            guard let d = t.numberValue?.double, d.isFinite else { throw .badRequest("wall_time must be seconds since the epoch") }
            batch.wallTime = d
        }
        if let c = json["close_step"], c != .null {
            guard let b = c.boolValue else { throw .badRequest("close_step must be true or false") }
            batch.closeStep = b
        }
        guard let tensors = json["tensors"]?.arrayElements else { throw .badRequest("tensors must be an array") }
        guard tensors.count <= limits.maxTensorsPerRequest else {
            throw IngestionError(status: 413, "\(tensors.count) tensors in one request; at most \(limits.maxTensorsPerRequest)")
        }
        for (i, t) in tensors.enumerated() {
            batch.items.append(try decodeTensor(t, index: i, limits: limits))
        }
        return batch
    }

    static func step(_ v: JSONValue?, _ key: String, required: Bool) throws(IngestionError) -> Int64? {
        guard let v, v != .null else {
            if required { throw .badRequest("\(key) is required (an integer >= 0)") }
            return nil
        }
        guard let n = v.numberValue?.int64, n >= 0 else { throw .badRequest("\(key) must be an integer >= 0") }
        return n
    }

    static func decodeTensor(_ t: JSONValue, index: Int, limits: TensorIngestion.Limits) throws(IngestionError) -> Item {
        guard t.objectMembers != nil else { throw .badRequest("tensors[\(index)] must be an object") }
        guard let name = t["name"]?.stringValue else { throw .badRequest("tensors[\(index)] needs a \"name\" string") }
        let known: Set<String> = ["name", "dtype", "shape", "data", "data_base64", "collections"]
        if let extra = t.objectMembers?.first(where: { !known.contains($0.key) }) {
            throw .badRequest("unknown member \"\(extra.key)\"", tensor: name)
        }
        var collections: [String] = []
        if let c = t["collections"], c != .null {
            guard let list = c.arrayElements?.compactMap(\.stringValue), list.count == c.arrayElements?.count else {
                throw .badRequest("collections must be an array of strings", tensor: name)
            }
            collections = list
        }
        var shape: [Int]?
        if let s = t["shape"], s != .null {
            guard let dims = s.arrayElements?.compactMap({ $0.numberValue?.int64 }), dims.count == s.arrayElements?.count,
                  dims.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
                throw .badRequest("shape must be an array of integers >= 0", tensor: name)
            }
            shape = dims.map { Int($0) }
        }
        let data = t["data"]
        var dtype: TensorDType
        if let d = t["dtype"], d != .null {
            guard let s = d.stringValue, let parsed = TensorDType(name: s) else {
                throw .badRequest("unknown dtype \(t["dtype"].map { JSONSerializer.string($0, style: .compact) } ?? ""); use \(TensorDType.allCases.map(\.rawValue).joined(separator: ", "))", tensor: name)
            }
            dtype = parsed
        } else {
            dtype = Self.inferDType(data)
        }
        if let s = shape, s.count > limits.maxDimensions {
            throw .badRequest("\(s.count) dimensions; at most \(limits.maxDimensions)", tensor: name)
        }
        if let b64 = t["data_base64"], b64 != .null {
            guard data == nil else { throw .badRequest("give data or data_base64, not both", tensor: name) }
            guard let text = b64.stringValue, let raw = Data(base64Encoded: text) else {
                throw .badRequest("data_base64 is not base64", tensor: name)
            }
            guard dtype != .string else { throw .badRequest("data_base64 cannot hold strings", tensor: name) }
            guard let s = shape else { throw .badRequest("data_base64 needs a shape", tensor: name) }
            let expected = s.reduce(1, *) * dtype.itemSize
            guard raw.count == expected else {
                throw .badRequest("shape \(s) of \(dtype.rawValue) needs \(expected) bytes, data_base64 has \(raw.count)", tensor: name)
            }
            return Item(tensor: Tensor(name: name, dtype: dtype, shape: s, content: raw), collections: collections)
        }
        guard let data else { throw .badRequest("needs data or data_base64", tensor: name) }
        var leaves: [JSONValue] = []
        let nested = try Self.flatten(data, into: &leaves, name: name)
        let finalShape = shape ?? nested
        guard finalShape.count <= limits.maxDimensions else {
            throw .badRequest("\(finalShape.count) dimensions; at most \(limits.maxDimensions)", tensor: name)
        }
        let count = finalShape.reduce(1, *)
        guard leaves.count == count else {
            throw .badRequest("shape \(finalShape) holds \(count) elements, data has \(leaves.count)", tensor: name)
        }
        if dtype == .string {
            let strings = leaves.compactMap(\.stringValue)
            guard strings.count == leaves.count else { throw .badRequest("string tensors hold strings only", tensor: name) }
            guard finalShape.count == 1 else { throw .badRequest("string tensors must be 1-D (smdebug reads no other)", tensor: name) }
            return Item(tensor: Tensor(name: name, strings: strings), collections: collections)
        }
        let content = try ElementEncoder.encode(leaves, as: dtype, tensor: name)
        return Item(tensor: Tensor(name: name, dtype: dtype, shape: finalShape, content: content), collections: collections)
    }

    static func inferDType(_ data: JSONValue?) -> TensorDType {
        var v = data
        while case .array(let a)? = v { v = a.first }
        switch v {
        case .bool?: return .bool
        case .string(let s)? where !["NaN", "Infinity", "-Infinity"].contains(s): return .string
        default: return .float32
        }
    }

    /// Leaves in C order; returns the shape the nesting implies (checked to be rectangular).
    static func flatten(_ v: JSONValue, into leaves: inout [JSONValue], name: String) throws(IngestionError) -> [Int] {
        guard case .array(let a) = v else {
            leaves.append(v)
            return []
        }
        var inner: [Int]?
        for e in a {
            let s = try flatten(e, into: &leaves, name: name)
            if let inner, inner != s { throw .badRequest("data is not rectangular (rows of shapes \(inner) and \(s))", tensor: name) }
            inner = s
        }
        return [a.count] + (inner ?? [])
    }
}

/// JSON scalars to little-endian element bytes, with range and type checks.
enum ElementEncoder {
    static func encode(_ leaves: [JSONValue], as dtype: TensorDType, tensor: String) throws(IngestionError) -> Data {
        var out = Data()
        out.reserveCapacity(leaves.count * dtype.itemSize)
        func append<T>(_ x: T) { withUnsafeBytes(of: x) { out.append(contentsOf: $0) } }
        for (i, leaf) in leaves.enumerated() {
            func bad(_ why: String) -> IngestionError {
                .badRequest("element \(i) (\(JSONSerializer.string(leaf, style: .compact))): \(why)", tensor: tensor)
            }
            switch dtype {
            case .float16, .float32, .float64, .complex64, .complex128:
                let d: Double
                switch leaf {
                case .number(let n): d = n.double
                case .string("NaN"): d = .nan
                case .string("Infinity"): d = .infinity
                case .string("-Infinity"): d = -.infinity
                case .bool(let b): d = b ? 1 : 0
                default: throw bad("not a number (NaN and infinities are the strings \"NaN\", \"Infinity\", \"-Infinity\")")
                }
                switch dtype {
                case .float16: append(Float16(d).bitPattern.littleEndian)
                case .float32: append(Float(d))
                case .float64: append(d)
                case .complex64: append(Float(d)); append(Float(0))
                default: append(d); append(Double(0))
                }
            case .bool:
                switch leaf {
                case .bool(let b): out.append(b ? 1 : 0)
                case .number(let n) where n.double == 0 || n.double == 1: out.append(n.double == 1 ? 1 : 0)
                default: throw bad("not a boolean")
                }
            case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
                let value: Int64?
                var unsigned: UInt64?
                switch leaf {
                case .number(let n):
                    value = n.int64
                    if value == nil, let literal = n.literal { unsigned = UInt64(literal) }
                case .bool(let b): value = b ? 1 : 0
                default: throw bad("not an integer")
                }
                if dtype == .uint64, let u = unsigned ?? value.flatMap({ $0 >= 0 ? UInt64($0) : nil }) {
                    append(u.littleEndian)
                    continue
                }
                guard let v = value else { throw bad("not an integer in the range of \(dtype.rawValue)") }
                switch dtype {
                case .int8: guard let x = Int8(exactly: v) else { throw bad("out of range for int8") }; append(x)
                case .int16: guard let x = Int16(exactly: v) else { throw bad("out of range for int16") }; append(x.littleEndian)
                case .int32: guard let x = Int32(exactly: v) else { throw bad("out of range for int32") }; append(x.littleEndian)
                case .int64: append(v.littleEndian)
                case .uint8: guard let x = UInt8(exactly: v) else { throw bad("out of range for uint8") }; append(x)
                case .uint16: guard let x = UInt16(exactly: v) else { throw bad("out of range for uint16") }; append(x.littleEndian)
                case .uint32: guard let x = UInt32(exactly: v) else { throw bad("out of range for uint32") }; append(x.littleEndian)
                default: throw bad("out of range for uint64")
                }
            case .string:
                throw bad("not a string tensor")
            }
        }
        return out
    }
}
