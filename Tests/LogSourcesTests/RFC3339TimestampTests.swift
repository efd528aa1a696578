import Foundation
import Testing
import LogSources

@Suite struct RFC3339TimestampTests {
    static func ns(_ s: String) throws -> Int64 {
        try Array(s.utf8).withUnsafeBytes { b throws(LogRecordError) in try RFC3339Timestamp.nanoseconds(b) }
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("1970-01-01T00:00:00.000000001Z", 1),
        ("1969-12-31T23:59:59.999999999Z", -1),
        ("2016-10-06T00:17:09.669794202Z", 1_475_713_029_669_794_202),
        ("2016-10-06T02:17:09.669794202+02:00", 1_475_713_029_669_794_202),
        ("2016-10-05T23:17:09.669794202-01:00", 1_475_713_029_669_794_202),
        ("2024-02-29T12:00:00Z", 1_709_208_000_000_000_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000_000),
        ("2262-04-11T23:47:16.854775807Z", Int64.max),
        ("1677-09-21T00:12:43.145224192Z", Int64.min),
    ])
    func known(_ s: String, _ expected: Int64) throws {
        #expect(try Self.ns(s) == expected)
    }

    @Test(arguments: [
        ("2023-02-29T00:00:00Z", 8), ("2100-02-29T00:00:00Z", 8), ("2024-00-01T00:00:00Z", 5),
        ("2024-01-00T00:00:00Z", 8), ("2024-06-31T00:00:00Z", 8), ("2024-01-01T24:00:00Z", 11),
        ("2024-01-01T00:00:00", 19), ("2024-01-01T00:00:00.Z", 20), ("2024-01-01T00:00:00+01", 22),
        ("2024-01-01T00:00:00+01:60", 23), ("2024-01-01T00:00:00Z ", 20), ("2262-04-11T23:47:16.854775808Z", 0),
        ("20x4-01-01T00:00:00Z", 2), ("", 0),
    ])
    func rejects(_ s: String, _ offset: Int) {
        #expect(throws: LogRecordError(.badTimestamp, at: offset)) { try Self.ns(s) }
    }

    /// Against Foundation's calendar for random instants from 1678 to 2261, in UTC and with offsets.
    @Test func agreesWithFoundation() throws {
        var rng = SystemRandomNumberGenerator()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for _ in 0..<2000 {
            let seconds = Int64.random(in: -9_000_000_000...9_000_000_000, using: &rng)
            let offsetMinutes = [0, 120, -330, 345, -720, 840].randomElement(using: &rng)!
            formatter.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)
            let text = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let fraction = Int64.random(in: 0..<1_000_000_000, using: &rng)
            let withFraction = text.replacingOccurrences(of: "Z", with: "")
                .replacingOccurrences(of: #"([+-]\d\d:\d\d)$"#, with: "", options: .regularExpression)
            let zone = String(text.dropFirst(withFraction.count))
            let digits = String(fraction)
            let stamp = withFraction + "." + String(repeating: "0", count: 9 - digits.count) + digits + zone
            #expect(try Self.ns(stamp) == seconds * 1_000_000_000 + fraction, "\(stamp)")
        }
    }
}
