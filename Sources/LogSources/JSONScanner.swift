/// A forward-only JSON scanner over one line's bytes, for `DockerJSONRecordParser`: validates and skips
/// values (RFC 8259 grammar), and unescapes strings into a caller's buffer. No allocation, no
/// Foundation. Errors carry the offset of the first wrong byte; input that ends early is `.truncated`.
struct JSONScanner {
    let p: UnsafeRawPointer
    let n: Int
    var i = 0

    /// Objects and arrays nested deeper than this are rejected rather than recursed into.
    static let maxDepth = 128

    init(_ p: UnsafeRawPointer, _ n: Int) {
        self.p = p
        self.n = n
    }

    @inline(__always) func byte(_ at: Int) -> UInt8 { p.load(fromByteOffset: at, as: UInt8.self) }

    /// The error for a byte that is not what the grammar wants at `i` (or the end of the line).
    @inline(__always) func unexpected() -> LogRecordError {
        i >= n ? LogRecordError(.truncated, at: n) : LogRecordError(.invalidJSON, at: i)
    }

    @inline(__always) func expect(_ b: UInt8) throws(LogRecordError) {
        guard i < n && byte(i) == b else { throw unexpected() }
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < n {
            let b = byte(i)
            guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
            i += 1
        }
    }

    mutating func skipValue(depth: Int) throws(LogRecordError) {
        guard i < n else { throw LogRecordError(.truncated, at: n) }
        switch byte(i) {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "{"): try skipContainer(close: UInt8(ascii: "}"), members: true, depth: depth)
        case UInt8(ascii: "["): try skipContainer(close: UInt8(ascii: "]"), members: false, depth: depth)
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw LogRecordError(.invalidJSON, at: i)
        }
    }

    private mutating func skipContainer(close: UInt8, members: Bool, depth: Int) throws(LogRecordError) {
        guard depth < Self.maxDepth else { throw LogRecordError(.invalidJSON, at: i) }
        i += 1
        skipWhitespace()
        if i < n && byte(i) == close { i += 1; return }
        while true {
            if members {
                try expect(UInt8(ascii: "\""))
                _ = try scanString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                i += 1
                skipWhitespace()
            }
            try skipValue(depth: depth + 1)
            skipWhitespace()
            guard i < n else { throw LogRecordError(.truncated, at: n) }
            let b = byte(i)
            i += 1
            if b == close { return }
            guard b == UInt8(ascii: ",") else { i -= 1; throw LogRecordError(.invalidJSON, at: i) }
            skipWhitespace()
        }
    }

    mutating func skipLiteral(_ word: StaticString) throws(LogRecordError) {
        let w = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for k in 0..<w.count {
            guard i < n else { throw LogRecordError(.truncated, at: n) }
            guard byte(i) == w[k] else { throw LogRecordError(.invalidJSON, at: i) }
            i += 1
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func skipNumber() throws(LogRecordError) {
        @inline(__always) func isDigit(_ at: Int) -> Bool { at < n && byte(at) &- 0x30 < 10 }
        @inline(__always) func digits() throws(LogRecordError) {
            guard isDigit(i) else { throw unexpected() }
            while isDigit(i) { i += 1 }
        }
        if byte(i) == UInt8(ascii: "-") { i += 1 }
        if i < n && byte(i) == UInt8(ascii: "0") { i += 1 } else { try digits() }
        if i < n && byte(i) == UInt8(ascii: ".") { i += 1; try digits() }
        if i < n && (byte(i) | 0x20) == UInt8(ascii: "e") {
            i += 1
            if i < n && (byte(i) == UInt8(ascii: "+") || byte(i) == UInt8(ascii: "-")) { i += 1 }
            try digits()
        }
    }

    /// Length of the run from `i` free of `"`, `\` and control bytes (the bytes a string copies as is).
    @inline(__always) func plainRun() -> Int {
        var j = i
        while j + 8 <= n {
            let x = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let q = x ^ 0x2222_2222_2222_2222
            let b = x ^ 0x5C5C_5C5C_5C5C_5C5C
            // A flag in bit 7 of each byte that is `"`, `\` or below 0x20; the lowest flag is exact.
            let special = ((q &- 0x0101_0101_0101_0101) & ~q
                | (b &- 0x0101_0101_0101_0101) & ~b
                | (x &- 0x2020_2020_2020_2020) & ~x) & 0x8080_8080_8080_8080
            if special != 0 { return j + special.trailingZeroBitCount / 8 - i }
            j += 8
        }
        while j < n {
            let c = byte(j)
            if c == 0x22 || c == 0x5C || c < 0x20 { break }
            j += 1
        }
        return j - i
    }

    /// Validates the string whose opening quote is at `i` and moves past its closing quote. Returns
    /// whether it holds escapes (so its raw bytes are not its value).
    mutating func scanString() throws(LogRecordError) -> Bool {
        i += 1
        var escaped = false
        while true {
            i += plainRun()
            guard i < n else { throw LogRecordError(.truncated, at: n) }
            let c = byte(i)
            if c == UInt8(ascii: "\"") { i += 1; return escaped }
            guard c == UInt8(ascii: "\\") else { throw LogRecordError(.invalidJSON, at: i) }
            escaped = true
            guard i + 1 < n else { throw LogRecordError(.truncated, at: n) }
            switch byte(i + 1) {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                 UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 2
            case UInt8(ascii: "u"):
                _ = try hex4(at: i + 2)
                i += 6
            default:
                throw LogRecordError(.invalidJSON, at: i)
            }
        }
    }

    /// The four hex digits at `at`.
    @inline(__always) func hex4(at: Int) throws(LogRecordError) -> UInt32 {
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            guard k < n else { throw LogRecordError(.truncated, at: n) }
            guard let d = Self.hexValue(byte(k)) else { throw LogRecordError(.invalidJSON, at: k) }
            v = v << 4 | d
        }
        return v
    }

    @inline(__always) static func hexValue(_ c: UInt8) -> UInt32? {
        if c &- 0x30 < 10 { return UInt32(c &- 0x30) }
        let lower = c | 0x20
        if lower &- 0x61 < 6 { return UInt32(lower &- 0x61 + 10) }
        return nil
    }

    /// Unescapes the string whose opening quote is at `i` onto the end of `out`, and moves past its
    /// closing quote.
    mutating func decodeString(into out: inout [UInt8]) throws(LogRecordError) {
        i += 1
        while true {
            let run = plainRun()
            if run > 0 {
                out.append(contentsOf: UnsafeRawBufferPointer(start: p + i, count: run))
                i += run
            }
            guard i < n else { throw LogRecordError(.truncated, at: n) }
            let c = byte(i)
            if c == UInt8(ascii: "\"") { i += 1; return }
            guard c == UInt8(ascii: "\\") else { throw LogRecordError(.invalidJSON, at: i) }
            guard i + 1 < n else { throw LogRecordError(.truncated, at: n) }
            let e = byte(i + 1)
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"): try decodeUnicodeEscape(into: &out)
            default: i -= 2; throw LogRecordError(.invalidJSON, at: i)
            }
        }
    }

    /// After `\u` (at `i`): one code point, or a surrogate pair's, as UTF-8. A surrogate that is not
    /// part of a pair becomes U+FFFD and the next escape is read on its own, as Go's `unquote` does.
    private mutating func decodeUnicodeEscape(into out: inout [UInt8]) throws(LogRecordError) {
        var scalar = try hex4(at: i)
        i += 4
        if scalar & 0xF800 == 0xD800 {
            if scalar < 0xDC00, i + 6 <= n, byte(i) == UInt8(ascii: "\\"), byte(i + 1) == UInt8(ascii: "u"),
               let low = try? hex4(at: i + 2), low & 0xFC00 == 0xDC00 {
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            } else {
                scalar = 0xFFFD
            }
        }
        Self.appendUTF8(scalar, to: &out)
    }

    @inline(__always) static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
