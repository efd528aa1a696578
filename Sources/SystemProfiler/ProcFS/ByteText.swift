/// Small helpers for the text the kernel writes: lines split on `\n`, fields split on runs of spaces
/// and tabs, unsigned decimal numbers. They work on byte ranges of the file's buffer, so parsing a
/// file allocates only what its result holds.
struct ByteText {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Each line's range (without its `\n`), with its 1-based number; a last line without `\n` counts.
    func forEachLine(_ body: (Range<Int>, Int) throws(ProcFSError) -> Void) throws(ProcFSError) {
        var start = 0
        var number = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            number += 1
            try body(start..<end, number)
            start = end + 1
        }
    }

    /// The whitespace-separated fields of `range`.
    func fields(_ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var i = range.lowerBound
        while i < range.upperBound {
            while i < range.upperBound && Self.isSpace(bytes[i]) { i += 1 }
            guard i < range.upperBound else { break }
            let start = i
            while i < range.upperBound && !Self.isSpace(bytes[i]) { i += 1 }
            result.append(start..<i)
        }
        return result
    }

    /// `range` without leading and trailing spaces and tabs.
    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper && Self.isSpace(bytes[lower]) { lower += 1 }
        while upper > lower && Self.isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// The index of the first `byte` in `range`, if any.
    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// A decimal number made of digits only; nil when empty, not all digits, or past UInt64.max.
    func uint64(_ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for i in range {
            let digit = bytes[i] &- 0x30
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1 && !o2 else { return nil }
            value = sum
        }
        return value
    }

    /// A decimal number with an optional leading `-`.
    func int64(_ range: Range<Int>) -> Int64? {
        guard let first = range.first else { return nil }
        if bytes[first] == UInt8(ascii: "-") {
            guard let magnitude = uint64(first + 1..<range.upperBound), magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard let magnitude = uint64(range), magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// Whether the bytes of `range` equal `literal`.
    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let pointer = literal.utf8Start
        for (k, i) in range.enumerated() where bytes[i] != pointer[k] { return false }
        return true
    }

    /// Whether `range` starts with `literal`.
    func hasPrefix(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard range.count >= n else { return false }
        return equals(range.lowerBound..<range.lowerBound + n, literal)
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
}
