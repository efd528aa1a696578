/// A JSON writer that formats as Python's `json.dumps` does with its defaults (`", "` and `": "`
/// separators, `ensure_ascii=True`), so that trainscope's index and collections files are byte for
/// byte what smdebug's writer produces for the same content.
struct PythonJSON {
    private(set) var bytes: [UInt8] = []

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for unit in s.utf16 {
            switch unit {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0x20...0x7E: bytes.append(UInt8(unit))
            default:
                let hex = String(unit, radix: 16)
                raw("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func int<I: BinaryInteger>(_ i: I) { raw(String(i)) }
    mutating func bool(_ b: Bool) { raw(b ? "true" : "false") }
    mutating func null() { raw("null") }

    /// `{"k": v, "k2": v2}`: `body` is called with a closure that writes each key.
    mutating func object(_ body: (inout PythonJSON, (inout PythonJSON, String) -> Void) -> Void) {
        raw("{")
        var first = true
        body(&self) { json, key in
            if !first { json.raw(", ") }
            first = false
            json.string(key)
            json.raw(": ")
        }
        raw("}")
    }

    mutating func array<S: Sequence>(_ elements: S, _ write: (inout PythonJSON, S.Element) -> Void) {
        raw("[")
        var first = true
        for e in elements {
            if !first { raw(", ") }
            first = false
            write(&self, e)
        }
        raw("]")
    }
}
