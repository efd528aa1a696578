/// String literals: escapes, surrogate pairs and UTF-8 validation. Invalid UTF-8 is an error, not
/// a replacement character, because a silently altered regex or hyperparameter would be worse.
extension JSONByteParser {
    mutating func parseString() throws(JSONParseFailure) -> String {
        let open = pos
        pos += 1
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else {
                throw JSONParseFailure(offset: open, message: "unterminated string")
            }
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0..<0x20:
                throw fail("unescaped control character \(hexScalar(UInt32(b))) in string")
            case 0x20..<0x80:
                out.append(b)
                pos += 1
            default:
                guard let n = UTF8Validation.sequenceLength(bytes, at: pos) else {
                    throw fail("invalid UTF-8 in string")
                }
                out.append(contentsOf: bytes[pos..<pos + n])
                pos += n
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseFailure) {
        guard pos + 1 < bytes.count else { throw fail("unterminated string") }
        let e = bytes[pos + 1]
        let simple: UInt8? = switch e {
        case UInt8(ascii: "\""): 0x22
        case UInt8(ascii: "\\"): 0x5C
        case UInt8(ascii: "/"): 0x2F
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            out.append(simple)
            pos += 2
            return
        }
        guard e == UInt8(ascii: "u") else {
            let shown = e >= 0x20 && e < 0x7F ? "'\\\(Character(Unicode.Scalar(e)))'" : "after '\\'"
            throw fail("invalid escape sequence \(shown)")
        }
        let escapeStart = pos
        var unit = try hex4()
        if (0xDC00...0xDFFF).contains(unit) {
            throw JSONParseFailure(offset: escapeStart, message: "unpaired surrogate \\u\(hex(unit)) in string")
        }
        if (0xD800...0xDBFF).contains(unit) {
            guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                throw JSONParseFailure(offset: escapeStart, message: "unpaired surrogate \\u\(hex(unit)) in string")
            }
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONParseFailure(offset: escapeStart, message: "unpaired surrogate \\u\(hex(unit)) in string")
            }
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        }
        out.append(contentsOf: String(Character(Unicode.Scalar(unit)!)).utf8)
    }

    /// Reads `\uXXXX` at `pos` and returns the code unit.
    private mutating func hex4() throws(JSONParseFailure) -> UInt32 {
        let start = pos
        pos += 2
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count, let d = hexDigit(bytes[pos]) else {
                throw JSONParseFailure(offset: start, message: "invalid \\u escape: expected 4 hex digits")
            }
            value = value << 4 | d
            pos += 1
        }
        return value
    }

    private func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private func hex(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}

/// Well-formed UTF-8 per Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF.
enum UTF8Validation {
    /// The length of the well-formed sequence starting at `i`, or nil.
    static func sequenceLength(_ bytes: [UInt8], at i: Int) -> Int? {
        let b0 = bytes[i]
        let (n, second): (Int, ClosedRange<UInt8>) = switch b0 {
        case 0x00...0x7F: (1, 0x80...0xBF)
        case 0xC2...0xDF: (2, 0x80...0xBF)
        case 0xE0: (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (3, 0x80...0xBF)
        case 0xED: (3, 0x80...0x9F)
        case 0xF0: (4, 0x90...0xBF)
        case 0xF1...0xF3: (4, 0x80...0xBF)
        case 0xF4: (4, 0x80...0x8F)
        default: (0, 0x80...0xBF)
        }
        if n == 0 || i + n > bytes.count { return nil }
        if n == 1 { return 1 }
        guard second.contains(bytes[i + 1]) else { return nil }
        for k in 2..<n where !(0x80...0xBF).contains(bytes[i + k]) { return nil }
        return n
    }
}
