import Foundation
import LogSources
import TrainScopeTesting

/// Runs a fixture log through a record parser and the `PartialLineJoiner` and renders what comes out,
/// one line per output, for the golden files under Fixtures/{cri,docker}/ (format in Fixtures/README.md).
enum RecordGolden {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// The case names in `Fixtures/<format>/`, one per `<case>.log`, sorted.
    static func cases(_ format: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(fixtures)/\(format)")) ?? []
        return names.filter { $0.hasSuffix(".log") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// Renders the case and compares it with `<case>.expected`; nil when they agree.
    static func check(format: LogFormat, case name: String) -> String? {
        let base = "\(fixtures)/\(format.rawValue)/\(name)"
        guard let input = FileManager.default.contents(atPath: "\(base).log") else { return "missing \(base).log" }
        let rendered = render(Array(input), format: format, maxLineBytes: maxLineBytes(optionsFile: "\(base).options"))
        return Golden.compare(Array(rendered.utf8), toFile: "\(base).expected")
    }

    /// `maxLineBytes=N` from an optional `<case>.options` file; else the joiner's default.
    static func maxLineBytes(optionsFile: String) -> Int {
        guard let text = try? String(contentsOfFile: optionsFile, encoding: .utf8) else { return 1 << 20 }
        for line in text.split(separator: "\n") where line.hasPrefix("maxLineBytes=") {
            if let n = Int(line.dropFirst("maxLineBytes=".count)) { return n }
        }
        return 1 << 20
    }

    /// Splits on `\n` (a last line without one counts, as at the end of a file being written).
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if bytes.last == 0x0A || bytes.isEmpty { lines.removeLast() }
        return lines
    }

    static func render(_ input: [UInt8], format: LogFormat, maxLineBytes: Int) -> String {
        var out = ""
        var joiner = PartialLineJoiner(maxLineBytes: maxLineBytes)
        var scratch: [UInt8] = []
        for (index, line) in lines(input).enumerated() {
            Array(line).withUnsafeBytes { bytes in
                do {
                    switch format {
                    case .cri:
                        let record = try CRIRecordParser.parse(bytes)
                        joiner.add(record, in: bytes) { out += render("line", $0) }
                    case .docker:
                        let record = try DockerJSONRecordParser.parse(bytes, message: &scratch)
                        scratch.withUnsafeBytes { message in joiner.add(record, in: message) { out += render("line", $0) } }
                    case .plain:
                        fatalError("no records in plain files")
                    }
                } catch let error as LogRecordError {
                    out += "error \(index + 1) \(error.kind.rawValue) at \(error.offset)\n"
                } catch {
                    fatalError("unexpected error \(error)")
                }
            }
        }
        joiner.flush { out += render("flush", $0) }
        return out
    }

    /// `<what> <time ns> <time as UTC> <stream> <complete|segment> <message>`; `-` for what is absent.
    static func render(_ what: String, _ line: LogicalLine) -> String {
        let time = line.time.map { "\($0) \(utc($0))" } ?? "- -"
        let stream = line.stream.map(\.description) ?? "-"
        return "\(what) \(time) \(stream) \(line.isComplete ? "complete" : "segment") \(quote(Array(line.bytes)))\n"
    }

    /// The time with Foundation's calendar, an oracle independent of the parser's date arithmetic.
    static func utc(_ ns: Int64) -> String {
        var seconds = ns / 1_000_000_000
        var fraction = ns % 1_000_000_000
        if fraction < 0 { seconds -= 1; fraction += 1_000_000_000 }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let whole = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 9 - digits.count) + digits + "Z"
    }

    /// A JSON string, except that a byte that is not part of valid UTF-8 shows as `\xNN`, and U+FFFD
    /// as `\ufffd`, so neither hides. Messages over 160 bytes show their first and last 48 bytes,
    /// their length and an FNV-1a hash.
    static func quote(_ bytes: [UInt8]) -> String {
        if bytes.count > 160 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
            return "\(quote(Array(bytes.prefix(48))))…\(quote(Array(bytes.suffix(48)))) (\(bytes.count) bytes, fnv1a \(String(hash, radix: 16)))"
        }
        var s = "\""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x22: s += "\\\""; i += 1; continue
            case 0x5C: s += "\\\\"; i += 1; continue
            case 0x0A: s += "\\n"; i += 1; continue
            case 0x0D: s += "\\r"; i += 1; continue
            case 0x09: s += "\\t"; i += 1; continue
            case 0..<0x20, 0x7F: s += String(format: "\\u%04x", b); i += 1; continue
            case 0x20..<0x7F: s.unicodeScalars.append(Unicode.Scalar(b)); i += 1; continue
            default: break
            }
            // One UTF-8 sequence, or one stray byte.
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            if length > 1, i + length <= bytes.count,
               let decoded = String(validating: bytes[i..<i + length], as: UTF8.self), decoded.unicodeScalars.count == 1 {
                s += decoded == "\u{FFFD}" ? "\\ufffd" : decoded
                i += length
            } else {
                s += String(format: "\\x%02x", b)
                i += 1
            }
        }
        return s + "\""
    }
}
