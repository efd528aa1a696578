import Foundation
import SwiftProtobuf

/// One tensor record of an smdebug `events/` file: the `smdebug.Event` protobuf (proto3) that
/// smdebug's `FileWriter.write_tensor` writes, one tensor per event.
public struct TensorEvent: Sendable, Equatable {
    public var tensor: Tensor
    /// The global step.
    public var step: Int64
    public var mode: TrainingMode
    public var modeStep: Int64
    /// Seconds since the epoch.
    public var wallTime: Double

    public init(tensor: Tensor, step: Int64, mode: TrainingMode, modeStep: Int64, wallTime: Double) {
        self.tensor = tensor
        self.step = step
        self.mode = mode
        self.modeStep = modeStep
        self.wallTime = wallTime
    }
}

/// Encodes and decodes `TensorEvent`s byte for byte as smdebug 1.0.34 does: dtype, shape (each `Dim`
/// named `<tag>_<size>`, as `make_tensor_proto` names it), `tensor_content`, and the plugin data
/// `mode_step` then `mode`. Strings go in `string_val` with no dtype.
public enum SmdebugEventCodec {
    public static let modeStepPlugin = "mode_step"
    public static let modePlugin = "mode"

    public static func encode(_ event: TensorEvent) -> [UInt8] {
        let tensor = event.tensor
        var proto = Smdebug_TensorProto()
        var shape = Smdebug_TensorShapeProto()
        shape.dim = tensor.shape.map { size in
            var dim = Smdebug_TensorShapeProto.Dim()
            dim.size = Int64(size)
            dim.name = "\(tensor.name)_\(size)"
            return dim
        }
        proto.tensorShape = shape
        if tensor.dtype == .string {
            proto.stringVal = tensor.strings.map { Data($0.utf8) }
        } else {
            proto.dtype = Smdebug_DataType(rawValue: tensor.dtype.protoDataType) ?? .dtInvalid
            proto.tensorContent = tensor.content
        }
        var value = Smdebug_Summary.Value()
        value.tag = tensor.name
        value.tensor = proto
        var metadata = Smdebug_SummaryMetadata()
        var modeStep = Smdebug_SummaryMetadata.PluginData()
        modeStep.pluginName = modeStepPlugin
        modeStep.content = String(event.modeStep)
        var mode = Smdebug_SummaryMetadata.PluginData()
        mode.pluginName = modePlugin
        mode.content = String(event.mode.number)
        metadata.pluginData = [modeStep, mode]
        value.metadata = metadata
        var summary = Smdebug_Summary()
        summary.value = [value]
        var e = Smdebug_Event()
        e.wallTime = event.wallTime
        e.step = event.step
        e.summary = summary
        // Serializing a message whose required fields are all set cannot fail (proto3 has none).
        return try! e.serializedBytes()
    }

    /// Decodes a record payload. `source` names the file and offset in errors.
    public static func decode(_ payload: [UInt8], source: String) throws(TensorEventError) -> TensorEvent {
        let event: Smdebug_Event
        do {
            event = try Smdebug_Event(serializedBytes: payload)
        } catch {
            throw TensorEventError(source: source, reason: "not an smdebug.Event protobuf (\(error))")
        }
        guard case .summary(let summary)? = event.what, let value = summary.value.first else {
            throw TensorEventError(source: source, reason: "the event holds no summary value")
        }
        guard case .tensor(let proto)? = value.value else {
            throw TensorEventError(source: source, reason: "value \(value.tag) is not 'tensor'")
        }
        var mode = TrainingMode.global
        var modeStep = event.step
        for plugin in value.metadata.pluginData {
            if plugin.pluginName == modePlugin, let n = Int(plugin.content), let m = TrainingMode(number: n) { mode = m }
            if plugin.pluginName == modeStepPlugin, let n = Int64(plugin.content) { modeStep = n }
        }
        let tensor = try tensor(from: proto, name: value.tag, source: source)
        return TensorEvent(tensor: tensor, step: event.step, mode: mode, modeStep: modeStep, wallTime: event.wallTime)
    }

    static func tensor(from proto: Smdebug_TensorProto, name: String, source: String) throws(TensorEventError) -> Tensor {
        let shape = proto.tensorShape.dim.map { Int($0.size) }
        if proto.dtype == .dtInvalid || proto.dtype == .dtString {
            return Tensor(name: name, strings: proto.stringVal.map { String(decoding: $0, as: UTF8.self) })
        }
        guard let dtype = TensorDType(protoDataType: proto.dtype.rawValue) else {
            throw TensorEventError(source: source, reason: "tensor \(name) has unsupported dtype \(proto.dtype.rawValue)")
        }
        var content = proto.tensorContent
        if content.isEmpty {
            // smdebug's reader falls back to the typed repeated fields.
            switch dtype {
            case .float32: content = proto.floatVal.withUnsafeBytes { Data($0) }
            case .float64: content = proto.doubleVal.withUnsafeBytes { Data($0) }
            case .int32: content = proto.intVal.withUnsafeBytes { Data($0) }
            case .int64: content = proto.int64Val.withUnsafeBytes { Data($0) }
            case .bool: content = Data(proto.boolVal.map { $0 ? 1 : 0 })
            case .float16: content = proto.halfVal.map { UInt16(truncatingIfNeeded: $0) }.withUnsafeBytes { Data($0) }
            default: break
            }
        }
        let expected = shape.reduce(1, *) * dtype.itemSize
        if content.count != expected {
            throw TensorEventError(source: source,
                                   reason: "tensor \(name): \(content.count) content bytes for shape \(shape) of \(dtype.rawValue) (\(expected) expected)")
        }
        return Tensor(name: name, dtype: dtype, shape: shape, content: content)
    }
}

/// An event record that is framed correctly but does not hold a tensor smdebug-style.
public struct TensorEventError: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var reason: String
    public var description: String { "\(source): \(reason)" }
}
