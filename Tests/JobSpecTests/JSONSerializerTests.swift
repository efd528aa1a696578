import Testing
@testable import JobSpec

@Suite struct JSONSerializerTests {
    /// The expected files were written by Python: `json.dumps(d, indent=2, ensure_ascii=False)` and
    /// `json.dumps(d, separators=(',', ':'), ensure_ascii=False)` of full-request.json.
    @Test func matchesPythonOutputForTheFullRequest() throws {
        let value = try JSONParser.parse(Fixtures.bytes("full-request.json"))
        #expect(JSONSerializer.string(value, style: .pretty) == String(decoding: Fixtures.bytes("full-request.pretty.json"), as: UTF8.self))
        #expect(JSONSerializer.string(value, style: .compact) == String(decoding: Fixtures.bytes("full-request.compact.json"), as: UTF8.self))
    }

    @Test func roundTrips() throws {
        for name in ["full-request.json", "example-a-debugger.json", "example-b-profiler.json", "minimal.json"] {
            let value = try JSONParser.parse(Fixtures.bytes(name))
            for style in [JSONSerializer.Style.pretty, .compact] {
                var bytes: [UInt8] = []
                JSONSerializer.encode(value, style: style, into: &bytes)
                #expect(try JSONParser.parse(bytes) == value, "\(name) \(style)")
            }
        }
        let literals = #"[86400,1.50,-0,1e400,12345678901234567890,0.1]"#
        #expect(JSONSerializer.string(try JSONParser.parse(literals), style: .compact) == literals)
    }

    @Test func escapesLikePython() {
        // Python: json.dumps('a"b\\c\n\r\t\b\f\x00\x1f\x7f é😀/', ensure_ascii=False)
        let s = "a\"b\\c\n\r\t\u{08}\u{0C}\u{00}\u{1F}\u{7F} é😀/"
        #expect(JSONSerializer.string(.string(s)) == "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u001f\u{7F} é😀/\"")
    }

    @Test func emptyContainersAndNesting() {
        let value = JSONValue.object([
            JSONMember("a", .array([])), JSONMember("b", .object([])),
            JSONMember("c", .array([.number(JSONNumber(1)), .object([JSONMember("d", .null)])])),
        ])
        #expect(JSONSerializer.string(value, style: .compact) == #"{"a":[],"b":{},"c":[1,{"d":null}]}"#)
        #expect(JSONSerializer.string(value) == """
            {
              "a": [],
              "b": {},
              "c": [
                1,
                {
                  "d": null
                }
              ]
            }
            """)
    }

    /// Expected strings are Python 3.11's `repr(float)` for the same values.
    @Test(arguments: [
        (0.1, "0.1"), (1e-05, "1e-05"), (1e16, "1e+16"), (1e16 - 1, "1e+16"),
        (9999999999999998.0, "9999999999999998.0"), (123456789.0, "123456789.0"), (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e+308, "1.7976931348623157e+308"), (-0.0, "-0.0"), (0.0001, "0.0001"),
        (1e22, "1e+22"), (0.5, "0.5"), (5.0, "5.0"), (0.25, "0.25"), (1e15, "1000000000000000.0"),
        (123456789012345678.0, "1.2345678901234568e+17"), (2.5e-7, "2.5e-07"), (1.0 / 3.0, "0.3333333333333333"),
        (-1.5e300, "-1.5e+300"), (100.0, "100.0"), (0.00001234, "1.234e-05"), (0.0, "0.0"),
    ])
    func doublesFormatLikePythonRepr(value: Double, expected: String) {
        #expect(JSONSerializer.string(.number(JSONNumber(value))) == expected)
    }

    @Test func nonFiniteDoublesBecomeStrings() {
        #expect(JSONSerializer.string(.number(JSONNumber(Double.nan))) == #""NaN""#)
        #expect(JSONSerializer.string(.number(JSONNumber(Double.infinity))) == #""Infinity""#)
        #expect(JSONSerializer.string(.number(JSONNumber(-Double.infinity))) == #""-Infinity""#)
    }

    @Test func integersKeepTheirText() {
        #expect(JSONSerializer.string(.number(JSONNumber(86400))) == "86400")
        #expect(JSONSerializer.string(.number(JSONNumber(Int64.max))) == "9223372036854775807")
    }
}
