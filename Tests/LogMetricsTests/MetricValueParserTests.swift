import Testing
import LogMetrics

@Suite struct MetricValueParserTests {
    @Test(arguments: [
        ("5", 5.0), ("5.", 5.0), (".5", 0.5), ("5.5", 5.5), ("-2.5", -2.5), ("+.5", 0.5), (" 0.25\t", 0.25),
        ("1e-5", 1e-5), ("1E+03", 1000.0), ("1.e3", 1000.0), ("0.1", 0.1), ("123456789012345678901234", 1.2345678901234568e+23),
        ("2.2250738585072014e-308", 2.2250738585072014e-308), ("1e400", Double.infinity), ("-0", -0.0),
        ("0.000000000000000000000000001", 1e-27), ("9007199254740993", 9007199254740992.0),
        ("inf", Double.infinity), ("-Infinity", -Double.infinity), ("+INF", Double.infinity), ("infinity", Double.infinity),
    ])
    func parsesPythonFloatGrammar(text: String, expected: Double) {
        let v = MetricValueParser.parse(text)
        #expect(v?.bitPattern == expected.bitPattern, "\(text) gave \(String(describing: v))")
    }

    @Test(arguments: ["nan", "NaN", "-nan", "NAN", "  nan "])
    func nanIsAValue(text: String) {
        #expect(MetricValueParser.parse(text)?.isNaN == true)
    }

    @Test(arguments: ["", " ", "1,000", "0.5%", "1_000", "0x10", "1e", "e5", ".", "--1", "+", "nan(1)", "infin",
                      "1.2.3", "٣", "1e+", "tensor(0.93", "0.91#011validation-error:0.1", "5 5"])
    func rejectsNonValues(text: String) {
        #expect(MetricValueParser.parse(text) == nil, "\(text.debugDescription) should not parse")
    }

    /// The fast path must agree with strtod on every input it takes.
    @Test func fastPathAgreesWithStrtod() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...17, using: &rng)
            var s = String(UInt64.random(in: 0...UInt64(9_999_999_999_999_999), using: &rng)).prefix(digits)
            let dot = Int.random(in: 0...s.count, using: &rng)
            s.insert(".", at: s.index(s.startIndex, offsetBy: dot))
            if Bool.random(using: &rng) { s += "e\(Int.random(in: -30...30, using: &rng))" }
            let text = String(s)
            let expected = Double(text)   // Swift's parser is correctly rounded
            #expect(MetricValueParser.parse(text)?.bitPattern == expected?.bitPattern, "\(text)")
        }
    }
}
