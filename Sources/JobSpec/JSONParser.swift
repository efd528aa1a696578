/// A strict RFC 8259 parser over bytes.
///
/// Strict because a request that the AWS CLI (Python's `json`) would reject, or read differently,
/// must not be accepted here: duplicate keys (Python silently keeps the last), invalid UTF-8,
/// trailing garbage. It is iterative, with an explicit stack, so the depth limit and not the
/// thread's stack size decides how deep a document may nest.
public enum JSONParser {
    /// Largest input accepted, in bytes. A CreateTrainingJob request is a few KiB; this bounds
    /// memory for a mistaken path such as a dataset file.
    public static let maxInputBytes = 8 * 1024 * 1024
    /// Deepest nesting of arrays and objects accepted (Python's default recursion limit is near it).
    public static let maxDepth = 512

    public static func parse(_ bytes: [UInt8], source: String = "<input>") throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONByteParser(bytes: bytes)
        do {
            return try parser.parseDocument()
        } catch {
            throw JSONSyntaxError(source: source, bytes: bytes, offset: error.offset, message: error.message)
        }
    }

    public static func parse(_ text: String, source: String = "<input>") throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8), source: source)
    }
}

/// A failure at a byte offset; turned into line and column only when reported.
struct JSONParseFailure: Error {
    var offset: Int
    var message: String
}

/// One open array or object.
private struct Frame {
    var isObject: Bool
    var elements: [JSONValue] = []
    var members: [JSONMember] = []
    /// Keys seen so far, as UTF-8, so that keys compare by scalars rather than by canonical equivalence.
    var keys: Set<[UInt8]> = []
    var pendingKey = ""
}

struct JSONByteParser {
    let bytes: [UInt8]
    var pos = 0
    private var stack: [Frame] = []

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONParseFailure) -> JSONValue {
        if bytes.count > JSONParser.maxInputBytes {
            throw JSONParseFailure(offset: 0, message:
                "input is \(bytes.count) bytes, over the \(JSONParser.maxInputBytes)-byte (8 MiB) limit")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw JSONParseFailure(offset: 0, message: "a UTF-8 byte order mark is not allowed")
        }
        skipWhitespace()
        if pos == bytes.count {
            throw JSONParseFailure(offset: pos, message: "empty input; expected a JSON value")
        }
        let value = try parseValue()
        skipWhitespace()
        if pos < bytes.count {
            throw JSONParseFailure(offset: pos, message: "unexpected \(describeByte(at: pos)) after the JSON value")
        }
        return value
    }

    private mutating func parseValue() throws(JSONParseFailure) -> JSONValue {
        nextValue: while true {
            skipWhitespace()
            guard pos < bytes.count else { throw fail("unexpected end of input; expected a JSON value") }
            var value: JSONValue
            switch bytes[pos] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[pos] == UInt8(ascii: "{")
                if stack.count >= JSONParser.maxDepth {
                    throw fail("nesting deeper than \(JSONParser.maxDepth) levels")
                }
                pos += 1
                skipWhitespace()
                if pos < bytes.count, bytes[pos] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    pos += 1
                    value = isObject ? .object([]) : .array([])
                } else {
                    stack.append(Frame(isObject: isObject))
                    if isObject { try readKey(afterComma: false) }
                    continue nextValue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            case UInt8(ascii: "t"): value = try parseLiteral("true", .bool(true))
            case UInt8(ascii: "f"): value = try parseLiteral("false", .bool(false))
            case UInt8(ascii: "n"): value = try parseLiteral("null", .null)
            case let b where (b == UInt8(ascii: "]") || b == UInt8(ascii: "}")) && afterComma():
                throw fail("trailing comma before '\(Character(Unicode.Scalar(bytes[pos])))'")
            default:
                throw fail("unexpected \(describeByte(at: pos)); expected a JSON value")
            }
            // A value is complete: hand it to the enclosing containers, closing those that end here.
            while let top = stack.indices.last {
                skipWhitespace()
                let isObject = stack[top].isObject
                if isObject {
                    stack[top].members.append(JSONMember(stack[top].pendingKey, value))
                } else {
                    stack[top].elements.append(value)
                }
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard pos < bytes.count else {
                    throw fail("unexpected end of input; expected ',' or '\(isObject ? "}" : "]")'")
                }
                if bytes[pos] == UInt8(ascii: ",") {
                    pos += 1
                    if isObject {
                        skipWhitespace()
                        try readKey(afterComma: true)
                    }
                    continue nextValue
                }
                guard bytes[pos] == close else {
                    throw fail(isObject ? "expected ',' or '}' after object member"
                                        : "expected ',' or ']' after array element")
                }
                pos += 1
                let frame = stack.removeLast()
                value = isObject ? .object(frame.members) : .array(frame.elements)
            }
            return value
        }
    }

    /// Reads `"key" :` into the innermost (object) frame, rejecting a key already present.
    private mutating func readKey(afterComma: Bool) throws(JSONParseFailure) {
        guard pos < bytes.count else {
            throw fail("unexpected end of input; expected '\"' to begin an object key")
        }
        if afterComma, bytes[pos] == UInt8(ascii: "}") { throw fail("trailing comma before '}'") }
        guard bytes[pos] == UInt8(ascii: "\"") else {
            throw fail("expected '\"' to begin an object key, found \(describeByte(at: pos))")
        }
        let keyStart = pos
        let key = try parseString()
        let top = stack.count - 1
        if !stack[top].keys.insert(Array(key.utf8)).inserted {
            throw JSONParseFailure(offset: keyStart, message: "duplicate key at \(currentPath().appending(key))")
        }
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else {
            throw fail("expected ':' after object key")
        }
        pos += 1
        stack[top].pendingKey = key
    }

    /// The path of the innermost open container, for duplicate-key messages.
    private func currentPath() -> JSONPath {
        var path = JSONPath.root
        for frame in stack.dropLast() {
            path = frame.isObject ? path.appending(frame.pendingKey) : path.appending(index: frame.elements.count)
        }
        return path
    }

    /// Whether the byte before `pos` (ignoring whitespace) is a comma inside an array.
    private func afterComma() -> Bool {
        var i = pos - 1
        while i >= 0, isWhitespace(bytes[i]) { i -= 1 }
        return i >= 0 && bytes[i] == UInt8(ascii: ",")
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseFailure) -> JSONValue {
        let n = word.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: n)
        guard pos + n <= bytes.count, bytes[pos..<pos + n].elementsEqual(expected) else {
            throw fail("invalid literal; expected true, false or null")
        }
        pos += n
        return value
    }

    private mutating func parseNumber() throws(JSONParseFailure) -> JSONNumber {
        let start = pos
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard isDigit(at: pos) else { throw fail("invalid number: expected a digit after '-'") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if isDigit(at: pos) { throw fail("invalid number: leading zeros are not allowed") }
        } else {
            while isDigit(at: pos) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard isDigit(at: pos) else { throw fail("invalid number: expected a digit after the decimal point") }
            while isDigit(at: pos) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard isDigit(at: pos) else { throw fail("invalid number: expected a digit in the exponent") }
            while isDigit(at: pos) { pos += 1 }
        }
        return JSONNumber(validatedLiteral: String(decoding: bytes[start..<pos], as: UTF8.self))
    }

    func fail(_ message: String) -> JSONParseFailure { JSONParseFailure(offset: pos, message: message) }

    private func isDigit(at i: Int) -> Bool {
        i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
    }

    private func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    private mutating func skipWhitespace() {
        while pos < bytes.count, isWhitespace(bytes[pos]) { pos += 1 }
    }

    /// `'x'` for printable ASCII, `U+201C` for other well-formed characters, `byte 0xFF` otherwise.
    func describeByte(at i: Int) -> String {
        let b = bytes[i]
        if b >= 0x20 && b < 0x7F { return "character '\(Character(Unicode.Scalar(b)))'" }
        if b < 0x80 { return "control character \(hexScalar(UInt32(b)))" }
        if let n = UTF8Validation.sequenceLength(bytes, at: i) {
            let scalar = String(decoding: bytes[i..<i + n], as: UTF8.self).unicodeScalars.first!
            return "character \(hexScalar(scalar.value))"
        }
        return "byte 0x" + String(b, radix: 16, uppercase: true)
    }
}

func hexScalar(_ v: UInt32) -> String {
    let hex = String(v, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}
