import Testing
@testable import JobSpec

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(text, source: "job.json")
    }

    private func failure(_ bytes: [UInt8]) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(bytes, source: "job.json")
            return nil
        } catch {
            return error
        }
    }

    private func failure(_ text: String) -> JSONSyntaxError? { failure(Array(text.utf8)) }

    @Test func keepsMemberOrderAndNumberLiterals() throws {
        let value = try parse(#"{"z": 1, "a": [86400, 1.50, -0, 1e400, 12345678901234567890], "m": {"k": null, "b": true}}"#)
        #expect(value.objectMembers?.map(\.key) == ["z", "a", "m"])
        let numbers = value["a"]?.arrayElements?.compactMap(\.numberValue)
        #expect(numbers?.map(\.description) == ["86400", "1.50", "-0", "1e400", "12345678901234567890"])
        #expect(numbers?[0].int64 == 86400)
        #expect(numbers?[1].double == 1.5)
        #expect(numbers?[3].double == .infinity)
        #expect(numbers?[4].int64 == nil)
        #expect(value["m"]?["k"] == .null)
        #expect(value["m"]?["b"] == .bool(true))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\uD83D\uDE00", "\u0000"]"#)
        #expect(value.arrayElements?.compactMap(\.stringValue) == ["a\"b\\c/d\u{08}\u{0C}\n\r\t", "é😀", "\u{0}"])
    }

    @Test func reportsLineAndColumnOfMalformedFixture() {
        let error = failure(Fixtures.bytes("malformed.json"))
        #expect(error?.description == "job.json:3:58: expected ',' or '}' after object member")
    }

    @Test func duplicateKeysNameTheirPath() {
        #expect(failure(#"{"a": {"b": 1, "b": 2}}"#)?.description == "job.json:1:16: duplicate key at a.b")
        #expect(failure(#"{"M": [{"N": 1}, {"N": 1,"N": 2}]}"#)?.message == "duplicate key at M[1].N")
        #expect(failure(#"{"x": 1, "x": 1}"#)?.message == "duplicate key at x")
        #expect(failure(#"{"h": {"odd key": 1, "odd key": 2}}"#)?.message == #"duplicate key at h["odd key"]"#)
    }

    @Test func keysCompareByScalarsNotCanonicalEquivalence() throws {
        // NFC "é" and NFD "e\u0301" are different keys to JSON and to Python.
        let value = try parse("{\"\u{E9}\": 1, \"e\u{301}\": 2}")
        #expect(value.objectMembers?.count == 2)
    }

    @Test(arguments: [
        ([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x78, 0xFF, 0x79, 0x22, 0x7D], "job.json:1:8: invalid UTF-8 in string"),
        ([0x5B, 0x22, 0xC0, 0x80, 0x22, 0x5D], "job.json:1:3: invalid UTF-8 in string"),            // overlong NUL
        ([0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D], "job.json:1:3: invalid UTF-8 in string"),      // encoded surrogate
        ([0x5B, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x5D], "job.json:1:3: invalid UTF-8 in string"), // above U+10FFFF
        ([0x5B, 0x0A, 0x22, 0xC3, 0xA9, 0xE2, 0x82, 0x22, 0x5D], "job.json:2:3: invalid UTF-8 in string"), // truncated
        ([0xEF, 0xBB, 0xBF, 0x7B, 0x7D], "job.json:1:1: a UTF-8 byte order mark is not allowed"),
    ] as [([UInt8], String)])
    func rejectsInvalidUTF8(bytes: [UInt8], expected: String) {
        #expect(failure(bytes)?.description == expected)
    }

    @Test(arguments: [
        ("", "1:1: empty input; expected a JSON value"),
        ("  \n ", "2:2: empty input; expected a JSON value"),
        ("{} x", "1:4: unexpected character 'x' after the JSON value"),
        ("{}{}", "1:3: unexpected character '{' after the JSON value"),
        ("[1,]", "1:4: trailing comma before ']'"),
        (#"{"a":1,}"#, "1:8: trailing comma before '}'"),
        (#"{"a" 1}"#, "1:6: expected ':' after object key"),
        ("{'a':1}", "1:2: expected '\"' to begin an object key, found character '''"),
        ("[01]", "1:3: invalid number: leading zeros are not allowed"),
        ("[1.]", "1:4: invalid number: expected a digit after the decimal point"),
        ("[1e]", "1:4: invalid number: expected a digit in the exponent"),
        ("[-]", "1:3: invalid number: expected a digit after '-'"),
        ("[.5]", "1:2: unexpected character '.'; expected a JSON value"),
        ("[+1]", "1:2: unexpected character '+'; expected a JSON value"),
        ("[NaN]", "1:2: unexpected character 'N'; expected a JSON value"),
        ("[nul]", "1:2: invalid literal; expected true, false or null"),
        ("[\"a\nb\"]", "1:4: unescaped control character U+000A in string"),
        (#"["\q"]"#, #"1:3: invalid escape sequence '\q'"#),
        (#"["\u12"]"#, #"1:3: invalid \u escape: expected 4 hex digits"#),
        (#"["\uD800"]"#, #"1:3: unpaired surrogate \uD800 in string"#),
        (#"["\uDC00"]"#, #"1:3: unpaired surrogate \uDC00 in string"#),
        (#"["abc"#, "1:2: unterminated string"),
        ("[1 2]", "1:4: expected ',' or ']' after array element"),
        ("{\"a\":1\n", "2:1: unexpected end of input; expected ',' or '}'"),
        ("[\u{A0}1]", "1:2: unexpected character U+00A0; expected a JSON value"),
        ("// c\n{}", "1:1: unexpected character '/'; expected a JSON value"),
    ])
    func syntaxErrors(text: String, expected: String) {
        #expect(failure(text)?.description == "job.json:" + expected)
    }

    @Test func nestingLimit() throws {
        let depth = JSONParser.maxDepth
        let ok = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        _ = try parse(ok)
        let deep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(failure(deep)?.description == "job.json:1:513: nesting deeper than 512 levels")
        let deepObjects = String(repeating: #"{"a":"#, count: depth + 1) + "1" + String(repeating: "}", count: depth + 1)
        #expect(failure(deepObjects)?.message == "nesting deeper than 512 levels")
    }

    @Test func inputCap() throws {
        #expect(JSONParser.maxInputBytes == 8 * 1024 * 1024)
        var bytes = [UInt8](repeating: 0x20, count: JSONParser.maxInputBytes + 1)
        bytes[0] = UInt8(ascii: "{")
        bytes[1] = UInt8(ascii: "}")
        #expect(failure(bytes)?.message.contains("over the 8388608-byte (8 MiB) limit") == true)
        bytes.removeLast()
        _ = try JSONParser.parse(bytes)
    }
}
