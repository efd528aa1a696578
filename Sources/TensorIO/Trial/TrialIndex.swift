import JobSpec

/// One index file (`index/<dir>/<step>_<worker>.json`): where each tensor of one step and worker sits
/// in its event file, and the shapes saved without values.
public struct TrialIndex: Sendable, Equatable {
    public struct Location: Sendable, Equatable {
        public var tensorName: String
        /// Byte offset of the whole record (its length field) in the event file.
        public var startIndex: Int
        /// Bytes of the whole record: payload + 16.
        public var length: Int
        public init(tensorName: String, startIndex: Int, length: Int) {
            self.tensorName = tensorName
            self.startIndex = startIndex
            self.length = length
        }
    }

    public struct Shape: Sendable, Equatable {
        public var tensorName: String
        public var originalName: String
        public var shape: [Int]
        public init(tensorName: String, originalName: String? = nil, shape: [Int]) {
            self.tensorName = tensorName
            self.originalName = originalName ?? tensorName
            self.shape = shape
        }
    }

    public var mode: TrainingMode
    public var modeStep: Int64
    /// Relative to the trial directory; nil when the file holds shapes only.
    public var eventFileName: String?
    public var tensors: [Location]
    public var shapes: [Shape]

    public init(mode: TrainingMode, modeStep: Int64, eventFileName: String?, tensors: [Location] = [], shapes: [Shape] = []) {
        self.mode = mode
        self.modeStep = modeStep
        self.eventFileName = eventFileName
        self.tensors = tensors
        self.shapes = shapes
    }

    /// The file's bytes, as smdebug's `IndexWriter` writes them (`json.dumps` defaults).
    public func jsonBytes() -> [UInt8] {
        var j = PythonJSON()
        j.object { j, key in
            key(&j, "meta")
            j.object { j, key in
                key(&j, "mode"); j.string(mode.rawValue)
                key(&j, "mode_step"); j.int(modeStep)
                if let eventFileName { key(&j, "event_file_name"); j.string(eventFileName) }
            }
            key(&j, "tensor_payload")
            j.array(tensors) { j, t in
                j.object { j, key in
                    key(&j, "tensorname"); j.string(t.tensorName)
                    key(&j, "start_idx"); j.int(t.startIndex)
                    key(&j, "length"); j.int(t.length)
                }
            }
            key(&j, "shape_payload")
            j.array(shapes) { j, s in
                j.object { j, key in
                    key(&j, "tensorname"); j.string(s.tensorName)
                    key(&j, "originalname"); j.string(s.originalName)
                    key(&j, "shape"); j.array(s.shape) { j, d in j.int(d) }
                }
            }
        }
        return j.bytes
    }

    /// Parses an index file, checking what smdebug's reader checks (`meta` present, a payload list).
    public static func parse(_ bytes: [UInt8], source: String) throws(TrialFormatError) -> TrialIndex {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes, source: source)
        } catch {
            throw TrialFormatError(path: source, reason: "not JSON: \(error)")
        }
        guard let meta = json["meta"], let members = meta.objectMembers, !members.isEmpty else {
            throw TrialFormatError(path: source, reason: "no \"meta\" object")
        }
        guard let modeName = meta["mode"]?.stringValue,
              let mode = TrainingMode(rawValue: Substring(modeName).trimmingSpaces()) else {
            throw TrialFormatError(path: source, reason: "meta.mode is not one of TRAIN, EVAL, PREDICT, GLOBAL")
        }
        guard let modeStep = meta["mode_step"]?.numberValue?.int64 else {
            throw TrialFormatError(path: source, reason: "meta.mode_step is not an integer")
        }
        if json["tensor_payload"] == nil && json["shape_payload"] == nil {
            throw TrialFormatError(path: source, reason: "neither tensor_payload nor shape_payload")
        }
        var index = TrialIndex(mode: mode, modeStep: modeStep, eventFileName: meta["event_file_name"]?.stringValue)
        for (i, t) in (json["tensor_payload"]?.arrayElements ?? []).enumerated() {
            guard let name = t["tensorname"]?.stringValue, let start = t["start_idx"]?.numberValue?.int64,
                  let length = t["length"]?.numberValue?.int64, start >= 0, length >= Int64(TFRecord.overhead) else {
                throw TrialFormatError(path: source, reason: "tensor_payload[\(i)] needs tensorname, start_idx and length")
            }
            index.tensors.append(Location(tensorName: name, startIndex: Int(start), length: Int(length)))
        }
        if !index.tensors.isEmpty && index.eventFileName == nil {
            throw TrialFormatError(path: source, reason: "tensor_payload without meta.event_file_name")
        }
        for (i, s) in (json["shape_payload"]?.arrayElements ?? []).enumerated() {
            guard let name = s["tensorname"]?.stringValue,
                  let dims = s["shape"]?.arrayElements?.compactMap({ $0.numberValue?.int64.map { Int($0) } }) else {
                throw TrialFormatError(path: source, reason: "shape_payload[\(i)] needs tensorname and shape")
            }
            index.shapes.append(Shape(tensorName: name, originalName: s["originalname"]?.stringValue, shape: dims))
        }
        return index
    }
}

/// A trial file that is not what smdebug writes.
public struct TrialFormatError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

