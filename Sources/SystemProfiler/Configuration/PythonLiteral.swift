/// A Python literal, parsed the way smdebug reads ProfilingParameters' sub-configurations: the
/// SageMaker SDK writes them as Python dict literals (`{"StartStep": 5, "NumSteps": 3, }`), and
/// smdebug lower-cases the text and `eval`s it. This parser takes what `ast.literal_eval` takes for
/// dicts, lists, tuples, strings, numbers, booleans and None, with trailing commas, and also the
/// JSON spellings `true`, `false` and `null` (a lower-cased `True`), never evaluating anything.
public indirect enum PythonLiteral: Sendable, Equatable, CustomStringConvertible {
    case dict([Entry])
    case list([PythonLiteral])
    case string(String)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case none

    public struct Entry: Sendable, Equatable {
        public var key: PythonLiteral
        public var value: PythonLiteral

        public init(key: PythonLiteral, value: PythonLiteral) {
            self.key = key
            self.value = value
        }
    }

    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// 0-based byte offset into the text.
        public var offset: Int
        public var message: String
        public var description: String { "at byte \(offset): \(message)" }
    }

    /// The value of key `name` in a dict, compared without regard to case (smdebug lower-cases all).
    public subscript(name: String) -> PythonLiteral? {
        guard case .dict(let entries) = self else { return nil }
        let wanted = name.lowercased()
        return entries.first { if case .string(let k) = $0.key { k.lowercased() == wanted } else { false } }?.value
    }

    public var intValue: Int64? {
        switch self {
        case .int(let v): v
        case .float(let v) where v.rounded() == v && abs(v) < 9e18: Int64(v)
        case .string(let s): Int64(s.trimmingSpaces)
        default: nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var description: String {
        switch self {
        case .dict(let entries): "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .string(let s): s.debugDescription
        case .int(let v): String(v)
        case .float(let v): String(v)
        case .bool(let v): v ? "True" : "False"
        case .none: "None"
        }
    }

    public static func parse(_ text: String) throws(SyntaxError) -> PythonLiteral {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.i == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        func error(_ message: String) -> SyntaxError { SyntaxError(offset: i, message: message) }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func value(depth: Int) throws(SyntaxError) -> PythonLiteral {
            guard depth < 64 else { throw error("nested too deeply") }
            skipSpace()
            guard i < bytes.count else { throw error("expected a value, found the end") }
            switch bytes[i] {
            case UInt8(ascii: "{"): return try dict(depth: depth)
            case UInt8(ascii: "["): return .list(try sequence(close: UInt8(ascii: "]"), depth: depth))
            case UInt8(ascii: "("): return .list(try sequence(close: UInt8(ascii: ")"), depth: depth))
            case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try string())
            default: return try word()
            }
        }

        mutating func dict(depth: Int) throws(SyntaxError) -> PythonLiteral {
            i += 1
            var entries: [Entry] = []
            while true {
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .dict(entries) }
                let key = try value(depth: depth + 1)
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after a dict key") }
                i += 1
                entries.append(Entry(key: key, value: try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw error("unclosed dict") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "}") else { throw error("expected ',' or '}' in a dict") }
            }
        }

        mutating func sequence(close: UInt8, depth: Int) throws(SyntaxError) -> [PythonLiteral] {
            i += 1
            var items: [PythonLiteral] = []
            while true {
                skipSpace()
                if i < bytes.count, bytes[i] == close { i += 1; return items }
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw error("unclosed list") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == close else { throw error("expected ',' or the closing bracket") }
            }
        }

        mutating func string() throws(SyntaxError) -> String {
            let quote = bytes[i]
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if b == quote { return String(decoding: out, as: UTF8.self) }
                if b == 0x0A { throw error("newline in a string") }
                guard b == UInt8(ascii: "\\") else { out.append(b); continue }
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "0"): out.append(0)
                case UInt8(ascii: "u"), UInt8(ascii: "x"):
                    let digits = e == UInt8(ascii: "u") ? 4 : 2
                    guard i + digits <= bytes.count,
                          let code = UInt32(String(decoding: bytes[i..<i + digits], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else { throw error("bad \\\(Character(Unicode.Scalar(e))) escape") }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i += digits
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(e)
                default: out.append(UInt8(ascii: "\\")); out.append(e)  // Python keeps unknown escapes
                }
            }
            throw error("unclosed string")
        }

        mutating func word() throws(SyntaxError) -> PythonLiteral {
            let start = i
            while i < bytes.count, !",:}])".utf8.contains(bytes[i]), ![0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            switch text {
            case "True", "true": return .bool(true)
            case "False", "false": return .bool(false)
            case "None", "none", "null": return .none
            default: break
            }
            let plain = text.replacingUnderscores
            if let v = Int64(plain) { return .int(v) }
            if plain.contains(where: { $0.isNumber }), let v = Double(plain), !plain.lowercased().contains("n") {
                return .float(v)
            }
            i = start
            throw error("not a Python literal: \(text.debugDescription)")
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }

    /// Python's digit separators (`1_000`) removed, only between digits.
    var replacingUnderscores: String {
        let chars = Array(self)
        var out = ""
        for (k, c) in chars.enumerated() {
            if c == "_", k > 0, k + 1 < chars.count, chars[k - 1].isNumber, chars[k + 1].isNumber { continue }
            out.append(c)
        }
        return out
    }
}
