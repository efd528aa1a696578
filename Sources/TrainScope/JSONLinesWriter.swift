import JobSpec
import LogSources

/// Writes `trainscope extract`'s records, `{"line": 12, "name": "train:loss", "value": 0.25}`, into a
/// buffer flushed in large writes. The name part of each record is escaped once per definition.
struct JSONLinesWriter {
    private var buffer: [UInt8] = []
    private let fd: Int32
    private let namePrefixes: [[UInt8]]
    private(set) var failed = false

    init(fd: Int32, names: [String]) {
        self.fd = fd
        namePrefixes = names.map { Array(", \"name\": \($0.jsonQuoted), \"value\": ".utf8) }
        buffer.reserveCapacity(1 << 17)
    }

    mutating func write(line: Int64, definition: Int, value: Double) {
        buffer.append(contentsOf: #"{"line": "#.utf8)
        appendDecimal(line)
        buffer.append(contentsOf: namePrefixes[definition])
        if value.isNaN { buffer.append(contentsOf: #""NaN""#.utf8) }
        else if value == .infinity { buffer.append(contentsOf: #""Infinity""#.utf8) }
        else if value == -.infinity { buffer.append(contentsOf: #""-Infinity""#.utf8) }
        else { buffer.append(contentsOf: Self.pythonRepr(value).utf8) }
        buffer.append(contentsOf: "}\n".utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Python's repr: Swift's shortest round-trip digits, laid out as Python does. The two layouts
    /// differ only from 2^53 up to 1e16, where Swift already uses an exponent.
    @inline(__always)
    static func pythonRepr(_ value: Double) -> String {
        abs(value) < 9.0e15 ? value.description : PythonFloatFormat.repr(value)
    }

    private mutating func appendDecimal(_ n: Int64) {
        if n < 0 { buffer.append(UInt8(ascii: "-")); appendDecimal(-n); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            var v = UInt64(n), i = 20
            repeat { i -= 1; d[i] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30; v /= 10 } while v > 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[i..<20]))
        }
    }

    mutating func flush() {
        if !buffer.isEmpty, !failed {
            failed = !buffer.withUnsafeBytes { writeAll(fd, $0) }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension String {
    /// A JSON string literal, escaped as Python's json.dumps(ensure_ascii=False) does.
    var jsonQuoted: String {
        var out = ""
        JSONSerializer.appendQuoted(self, to: &out)
        return out
    }
}
