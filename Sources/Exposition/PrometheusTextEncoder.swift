/// Writes the Prometheus text exposition format 0.0.4 in a fixed order (families by name, series by
/// their label pairs), so the same state always gives the same bytes and golden files can hold it.
public enum PrometheusTextEncoder {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func encode(_ families: [MetricFamily], into out: inout [UInt8]) {
        for family in families.sorted(by: { $0.name < $1.name }) {
            append("# HELP ", &out); append(family.name, &out); append(" ", &out)
            appendEscapedHelp(family.help, &out); out.append(0x0A)
            append("# TYPE ", &out); append(family.name, &out); append(" ", &out)
            append(family.kind.rawValue, &out); out.append(0x0A)
            let ordered = family.series.sorted { a, b in
                a.labels.lexicographicallyPrecedes(b.labels) { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            }
            for s in ordered {
                append(family.name, &out)
                if !s.labels.isEmpty {
                    out.append(UInt8(ascii: "{"))
                    for (k, (name, value)) in s.labels.enumerated() {
                        if k > 0 { out.append(UInt8(ascii: ",")) }
                        append(name, &out); append("=\"", &out)
                        appendEscapedLabelValue(value, &out)
                        out.append(UInt8(ascii: "\""))
                    }
                    out.append(UInt8(ascii: "}"))
                }
                out.append(UInt8(ascii: " "))
                appendValue(s.value, &out)
                out.append(0x0A)
            }
        }
    }

    public static func encode(_ families: [MetricFamily]) -> String {
        var out: [UInt8] = []
        encode(families, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendValue(_ value: MetricFamily.Value, _ out: inout [UInt8]) {
        switch value {
        case .integer(let i): append(String(i), &out)
        case .double(let d):
            if d.isNaN { append("NaN", &out) }
            else if d == .infinity { append("+Inf", &out) }
            else if d == -.infinity { append("-Inf", &out) }
            else { append(d.description, &out) }
        }
    }

    @inline(__always) static func append(_ s: String, _ out: inout [UInt8]) { out.append(contentsOf: s.utf8) }

    /// Label values escape backslash, double quote and newline.
    static func appendEscapedLabelValue(_ s: String, _ out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\\"): append("\\\\", &out)
            case UInt8(ascii: "\""): append("\\\"", &out)
            case 0x0A: append("\\n", &out)
            default: out.append(b)
            }
        }
    }

    /// HELP text escapes backslash and newline only.
    static func appendEscapedHelp(_ s: String, _ out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\\"): append("\\\\", &out)
            case 0x0A: append("\\n", &out)
            default: out.append(b)
            }
        }
    }
}
