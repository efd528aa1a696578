/// SageMaker's log pipeline shows control bytes in syslog octal style (`#011` for TAB, `#015` for CR)
/// before any MetricDefinition regex sees the line, and AWS's own built-in regexes depend on it
/// (XGBoost's `#011validation-auc:`). Reproducing it byte for byte is what makes those regexes work here.
public enum ControlByteEscaper {
    /// Whether `line` holds a byte below 0x20. Lines never contain `\n` (it is the separator).
    @inline(__always)
    public static func needsEscaping(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let base = line.baseAddress else { return false }
        let count = line.count
        var i = 0
        // Eight bytes at a time: a byte b < 0x20 sets its high bit in (b - 0x20) while ~b still has it.
        while i + 8 <= count {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 != 0 { return true }
            i += 8
        }
        while i < count {
            if base.load(fromByteOffset: i, as: UInt8.self) < 0x20 { return true }
            i += 1
        }
        return false
    }

    /// Appends `line` to `output` with every byte below 0x20 written as `#` and three octal digits.
    public static func escape(_ line: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + line.count + 16)
        for byte in line {
            if byte < 0x20 {
                output.append(UInt8(ascii: "#"))
                output.append(0x30 + (byte >> 6))
                output.append(0x30 + ((byte >> 3) & 7))
                output.append(0x30 + (byte & 7))
            } else {
                output.append(byte)
            }
        }
    }

    /// Convenience for tests and lints.
    public static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { escape($0, into: &out) }
        return out
    }
}
