/// smdebug's system-metric JSON lines (smdebug-formats.md C.2), in SageMaker's key order:
/// `{"Type":"cpu","Name":"cpu0","Dimension":"CPUUtilization","Value":4.76,"NodeId":"algo-1","Timestamp":1591160699.457089}`
///
/// `Value` is rounded to two decimals, as SageMaker's files show it, and written as Python's
/// `repr` writes the float (`5.0`, `0.25`). `Timestamp` is epoch seconds with six decimals, written
/// from the integer microseconds so no float rounding changes it.
public enum SmdebugRecordEncoder {
    public static func encode(_ sample: ProfilerSample, into out: inout [UInt8]) {
        var node: [UInt8] = []
        appendJSONString(sample.nodeID, &node)
        var timestamp: [UInt8] = []
        appendTimestamp(sample.timeMicroseconds, &timestamp)
        for r in sample.records where r.smdebug {
            append("{\"Type\":", &out); appendJSONString(r.type, &out)
            append(",\"Name\":", &out); appendJSONString(r.name, &out)
            append(",\"Dimension\":", &out); appendJSONString(r.dimension, &out)
            append(",\"Value\":", &out); appendValue(r.value, &out)
            append(",\"NodeId\":", &out); out.append(contentsOf: node)
            append(",\"Timestamp\":", &out); out.append(contentsOf: timestamp)
            append("}\n", &out)
        }
    }

    /// Two decimals; a value that is not finite (never produced) is written as 0 rather than as
    /// JSON that Python's reader would reject.
    static func appendValue(_ value: Double, _ out: inout [UInt8]) {
        guard value.isFinite else { return append("0.0", &out) }
        let rounded = (value * 100).rounded() / 100
        // Swift's description is the shortest repr that round-trips, as Python's; it differs only in
        // exponent spelling for very large or small numbers ("1e+16" vs "1e+16": same; "1e-05").
        var text = (rounded == 0 ? 0.0 : rounded).description
        if !text.contains(".") && !text.contains("e") { text += ".0" }
        append(text, &out)
    }

    static func appendTimestamp(_ microseconds: Int64, _ out: inout [UInt8]) {
        let seconds = microseconds / 1_000_000
        let fraction = microseconds % 1_000_000
        append(String(seconds), &out)
        out.append(UInt8(ascii: "."))
        let digits = String(fraction)
        append(String(repeating: "0", count: 6 - digits.count) + digits, &out)
    }

    static func appendJSONString(_ s: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): append("\\\"", &out)
            case UInt8(ascii: "\\"): append("\\\\", &out)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                append("\\u00", &out)
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always) static func append(_ s: String, _ out: inout [UInt8]) { out.append(contentsOf: s.utf8) }
}
