import Testing
import LogSources

@Suite struct CRIRecordParserTests {
    /// Every `Fixtures/cri/<case>.log` through the parser and the joiner, against `<case>.expected`.
    @Test(arguments: RecordGolden.cases("cri"))
    func golden(_ name: String) {
        #expect(RecordGolden.check(format: .cri, case: name) == nil)
    }

    @Test func goldenCasesAreThere() {
        #expect(RecordGolden.cases("cri").count >= 12)
    }

    @Test func kubeletExample() throws {
        let line = Array("2016-10-06T00:17:09.669794202Z stdout F log content 1".utf8)
        let r = try CRIRecordParser.parse(line)
        #expect(r.time == 1_475_713_029_669_794_202)
        #expect(r.stream == .stdout)
        #expect(!r.isPartial)
        #expect(Array(line[r.message]) == Array("log content 1".utf8))
    }

    @Test(arguments: [
        ("2024-01-01T00:00:00Z stderr P x", LogRecordStream.stderr, true, "x"),
        ("2024-01-01T00:00:00Z stdout F:tag1:tag2 msg", .stdout, false, "msg"),
        ("2024-01-01T00:00:00Z stdout P:x ", .stdout, true, ""),
        ("2024-01-01T00:00:00Z stdout F", .stdout, false, ""),
        ("2024-01-01T00:00:00Z stdout F  two spaces", .stdout, false, " two spaces"),
        ("2024-01-01T00:00:00Z stdout F a\tb", .stdout, false, "a\tb"),
    ])
    func fields(_ line: String, _ stream: LogRecordStream, _ partial: Bool, _ message: String) throws {
        let bytes = Array(line.utf8)
        let r = try CRIRecordParser.parse(bytes)
        #expect(r.stream == stream && r.isPartial == partial)
        #expect(String(decoding: bytes[r.message], as: UTF8.self) == message)
        #expect(r.message.upperBound == bytes.count)
    }

    @Test(arguments: [
        ("", LogRecordError.Kind.truncated, 0),
        ("2024-01-01T00:00:00Z", .truncated, 20),
        ("2024-01-01T00:00:00Z ", .truncated, 21),
        ("2024-01-01T00:00:00Z std", .truncated, 24),
        ("2024-01-01T00:00:00Z stdout", .truncated, 27),
        ("2024-01-01T00:00:00Z stdout ", .truncated, 28),
        ("2024-01-01T00:0", .truncated, 15),
        ("2024-01-01T00:00:00Z sdt", .badStream, 21),
        ("2024-01-01T00:00:00Z stdout- F x", .badStream, 21),
        ("2024-01-01T00:00:00Z stdout Fx", .badTag, 28),
        ("2024-01-01T00:00:00Z stdout  x", .badTag, 28),
        ("2024-13-01T00:00:00Z stdout F x", .badTimestamp, 5),
        ("x", .badTimestamp, 0),
    ])
    func errors(_ line: String, _ kind: LogRecordError.Kind, _ offset: Int) {
        #expect(throws: LogRecordError(kind, at: offset)) { try CRIRecordParser.parse(Array(line.utf8)) }
    }

    @Test func messageIsARangeOfTheInputNotACopy() throws {
        let line = Array("2024-01-01T00:00:00Z stdout F hello".utf8)
        try line.withUnsafeBytes { buffer in
            let r = try CRIRecordParser.parse(buffer)
            #expect(r.message(in: buffer).baseAddress == buffer.baseAddress! + 30)
        }
    }
}
