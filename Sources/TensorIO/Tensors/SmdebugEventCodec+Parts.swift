import Foundation

/// The same bytes as `SmdebugEventCodec.encode`, as the parts before and after the tensor's
/// `tensor_content`, so that a large tensor goes from the request buffer to the file without being
/// copied into a serialized message first. proto3 wire format, fields in number order, zero scalars
/// left out, the (possibly empty) shape message always present.
extension SmdebugEventCodec {
    public struct Parts: Sendable {
        public var prefix: [UInt8]
        public var suffix: [UInt8]
        /// `prefix.count + content.count + suffix.count`.
        public var payloadLength: Int
    }

    public static func encodeParts(_ event: TensorEvent) -> Parts {
        let t = event.tensor
        // TensorShapeProto
        var shape: [UInt8] = []
        for size in t.shape {
            var dim: [UInt8] = []
            if size != 0 { Wire.varintField(1, UInt64(size), &dim) }
            Wire.bytesField(2, Array("\(t.name)_\(size)".utf8), &dim)
            Wire.bytesField(2, dim, &shape)
        }
        // TensorProto, up to the content's bytes
        var tensorHead: [UInt8] = []
        if t.dtype != .string { Wire.varintField(1, UInt64(t.dtype.protoDataType), &tensorHead) }
        Wire.bytesField(2, shape, &tensorHead)
        let contentLength = t.dtype == .string ? 0 : t.content.count
        if contentLength > 0 {
            Wire.tag(4, 2, &tensorHead)
            Wire.varint(UInt64(contentLength), &tensorHead)
        }
        var tensorTail: [UInt8] = []
        if t.dtype == .string {
            for s in t.strings { Wire.bytesField(8, Array(s.utf8), &tensorTail) }
        }
        let tensorLength = tensorHead.count + contentLength + tensorTail.count
        // SummaryMetadata
        var metadata: [UInt8] = []
        for (name, content) in [(modeStepPlugin, String(event.modeStep)), (modePlugin, String(event.mode.number))] {
            var plugin: [UInt8] = []
            Wire.bytesField(1, Array(name.utf8), &plugin)
            if !content.isEmpty { Wire.bytesField(2, Array(content.utf8), &plugin) }
            Wire.bytesField(1, plugin, &metadata)
        }
        // Summary.Value: tag, tensor, metadata
        var valueHead: [UInt8] = []
        if !t.name.isEmpty { Wire.bytesField(1, Array(t.name.utf8), &valueHead) }
        Wire.tag(8, 2, &valueHead)
        Wire.varint(UInt64(tensorLength), &valueHead)
        var valueTail: [UInt8] = []
        Wire.bytesField(9, metadata, &valueTail)
        let valueLength = valueHead.count + tensorLength + valueTail.count
        // Summary: one value
        var summaryHead: [UInt8] = []
        Wire.tag(1, 2, &summaryHead)
        Wire.varint(UInt64(valueLength), &summaryHead)
        let summaryLength = summaryHead.count + valueLength
        // Event: wall_time, step, summary
        var prefix: [UInt8] = []
        prefix.reserveCapacity(64 + t.name.utf8.count * 2)
        if event.wallTime != 0 {
            Wire.tag(1, 1, &prefix)
            withUnsafeBytes(of: event.wallTime.bitPattern.littleEndian) { prefix.append(contentsOf: $0) }
        }
        if event.step != 0 { Wire.varintField(2, UInt64(bitPattern: event.step), &prefix) }
        Wire.tag(5, 2, &prefix)
        Wire.varint(UInt64(summaryLength), &prefix)
        prefix += summaryHead
        prefix += valueHead
        prefix += tensorHead
        let suffix = tensorTail + valueTail
        return Parts(prefix: prefix, suffix: suffix, payloadLength: prefix.count + contentLength + suffix.count)
    }
}

/// Protocol-buffer wire primitives.
enum Wire {
    static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func tag(_ field: Int, _ wireType: Int, _ out: inout [UInt8]) {
        varint(UInt64(field << 3 | wireType), &out)
    }

    static func varintField(_ field: Int, _ value: UInt64, _ out: inout [UInt8]) {
        tag(field, 0, &out)
        varint(value, &out)
    }

    static func bytesField(_ field: Int, _ bytes: [UInt8], _ out: inout [UInt8]) {
        tag(field, 2, &out)
        varint(UInt64(bytes.count), &out)
        out += bytes
    }
}
