/// Deterministic JSON output for `describe`: keys in stored order and strings escaped exactly as
/// Python's `json.dumps(..., ensure_ascii=False)` does, so output can be diffed against the AWS CLI's.
public enum JSONSerializer {
    public enum Style: Sendable {
        /// No whitespace at all: `{"a":[1,2]}`.
        case compact
        /// Two-space indent, `": "` after keys, like `json.dumps(indent=2)`; no trailing newline.
        case pretty
    }

    public static func string(_ value: JSONValue, style: Style = .pretty) -> String {
        var out = ""
        write(value, style: style, indent: 0, into: &out)
        return out
    }

    public static func encode(_ value: JSONValue, style: Style = .pretty, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: string(value, style: style).utf8)
    }

    private static func write(_ value: JSONValue, style: Style, indent: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): appendNumber(n, to: &out)
        case .string(let s): appendQuoted(s, to: &out)
        case .array(let elements):
            if elements.isEmpty { out += "[]"; return }
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += "," }
                newline(style, indent + 1, &out)
                write(element, style: style, indent: indent + 1, into: &out)
            }
            newline(style, indent, &out)
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, member) in members.enumerated() {
                if i > 0 { out += "," }
                newline(style, indent + 1, &out)
                appendQuoted(member.key, to: &out)
                out += style == .pretty ? ": " : ":"
                write(member.value, style: style, indent: indent + 1, into: &out)
            }
            newline(style, indent, &out)
            out += "}"
        }
    }

    private static func newline(_ style: Style, _ indent: Int, _ out: inout String) {
        guard style == .pretty else { return }
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    /// Non-finite Doubles have no JSON spelling; they are written as the strings Python's
    /// `float` accepts back (`"NaN"`, `"Infinity"`, `"-Infinity"`) so that the output stays valid JSON.
    static func appendNumber(_ n: JSONNumber, to out: inout String) {
        if let literal = n.literal { out += literal; return }
        if n.double.isNaN { out += "\"NaN\""; return }
        if n.double.isInfinite { out += n.double < 0 ? "\"-Infinity\"" : "\"Infinity\""; return }
        out += PythonFloatFormat.repr(n.double)
    }

    /// Python's escaping: the two-character escapes it uses, `\u00XX` for other controls, and
    /// everything else (DEL and non-ASCII included) written as is.
    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u00" + (hex.count < 2 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
