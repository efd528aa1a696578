import Testing
import LogSources

@Suite struct DockerJSONRecordParserTests {
    /// Every `Fixtures/docker/<case>.log` through the parser and the joiner, against `<case>.expected`.
    @Test(arguments: RecordGolden.cases("docker"))
    func golden(_ name: String) {
        #expect(RecordGolden.check(format: .docker, case: name) == nil)
    }

    @Test func goldenCasesAreThere() {
        #expect(RecordGolden.cases("docker").count >= 14)
    }

    static func parse(_ line: String) throws -> (LogRecord, String) {
        var scratch: [UInt8] = []
        let r = try DockerJSONRecordParser.parse(Array(line.utf8), message: &scratch)
        #expect(r.message == 0..<scratch.count)
        return (r, String(decoding: scratch, as: UTF8.self))
    }

    @Test func dockerExample() throws {
        let (r, m) = try Self.parse(#"{"log":"text\n","stream":"stdout","time":"2024-01-01T00:00:00.123456789Z"}"#)
        #expect(r.time == 1_704_067_200_123_456_789)
        #expect(r.stream == .stdout && !r.isPartial && m == "text")
    }

    @Test(arguments: [
        (#"{"log":"\t\"\\\/\b\f\r\n"}"#, "\t\"\\/\u{8}\u{C}\r"),
        (#"{"log":"\u00e9\u00E9\u20AC\n"}"#, "éé€"),
        (#"{"log":"\ud83d\ude00\n"}"#, "😀"),
        (#"{"log":"\uD83D\uDE00\n"}"#, "😀"),
        (#"{"log":"a\ud83db\n"}"#, "a\u{FFFD}b"),
        (#"{"log":"\ude00\n"}"#, "\u{FFFD}"),
        (#"{"log":"\ud83d\u0041\n"}"#, "\u{FFFD}A"),
        (#"{"log":"\ud83d\ud83d\ude00\n"}"#, "\u{FFFD}😀"),
        (#"{"log":"\u0000\n"}"#, "\u{0}"),
    ])
    func unescapes(_ line: String, _ expected: String) throws {
        #expect(try Self.parse(line).1 == expected)
    }

    @Test(arguments: [
        ("", LogRecordError.Kind.truncated, 0),
        ("{", .truncated, 1),
        (#"{"log":"abc"#, .truncated, 11),
        (#"{"log":"abc\"#, .truncated, 12),
        (#"{"log":"\u12"#, .truncated, 12),
        (#"{"log":"x\n""#, .truncated, 12),
        (#"{"log":"x\n","#, .truncated, 13),
        (#"{"log":"x\n","a":[1,"#, .truncated, 20),
        (#"{"log":"x","a":tr"#, .truncated, 17),
        (#"{"log":"x\q"}"#, .invalidJSON, 9),
        (#"{"log":"x"]"#, .invalidJSON, 10),
        (#"{"log":"x"} x"#, .invalidJSON, 12),
        (#"{"log" "x"}"#, .invalidJSON, 7),
        (#"[1]"#, .notAnObject, 0),
        (#" "s""#, .notAnObject, 1),
        (#"{}"#, .missingLog, 1),
        (#"{"log":[]}"#, .badLog, 7),
        (#"{"log":"x","stream":"out"}"#, .badStream, 20),
        (#"{"log":"x","time":"2024-02-30T00:00:00Z"}"#, .badTimestamp, 27),
    ])
    func errors(_ line: String, _ kind: LogRecordError.Kind, _ offset: Int) {
        var scratch: [UInt8] = []
        #expect(throws: LogRecordError(kind, at: offset)) { try DockerJSONRecordParser.parse(Array(line.utf8), message: &scratch) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let line = #"{"log":"x\n","a":"# + String(repeating: "[", count: 100_000)
        var scratch: [UInt8] = []
        #expect(throws: LogRecordError.self) { try DockerJSONRecordParser.parse(Array(line.utf8), message: &scratch) }
    }

    @Test func split16KiBLineJoinsBackToTheOriginal() throws {
        let original = (0..<40_000).map { _ in UInt8.random(in: 0x20...0x7E) }.map { $0 == 0x22 || $0 == 0x5C ? 0x41 : $0 }
        var joiner = PartialLineJoiner()
        var scratch: [UInt8] = []
        var joined: [[UInt8]] = []
        for start in stride(from: 0, to: original.count, by: 16_384) {
            let chunk = original[start..<min(start + 16_384, original.count)]
            let last = start + 16_384 >= original.count
            let line = #"{"log":""# + String(decoding: chunk, as: UTF8.self) + (last ? #"\n"# : "") + #"","stream":"stdout"}"#
            let r = try DockerJSONRecordParser.parse(Array(line.utf8), message: &scratch)
            #expect(r.isPartial == !last)
            scratch.withUnsafeBytes { m in joiner.add(r, in: m) { joined.append(Array($0.bytes)) } }
        }
        #expect(joined == [original])
    }

    @Test func warmScratchIsReused() throws {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(1024)
        let before = scratch.withUnsafeBytes { $0.baseAddress }
        for _ in 0..<3 {
            _ = try DockerJSONRecordParser.parse(Array(#"{"log":"a\u00e9\n","stream":"stderr","x":{"y":[1,2]}}"#.utf8), message: &scratch)
        }
        #expect(scratch.withUnsafeBytes { $0.baseAddress } == before)
        #expect(scratch == Array("aé".utf8))
    }
}
