#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a captured group into a metric value the way SageMaker's Python toolkit does with `float()`,
/// minus the two things `float()` accepts that no log prints as a number: `_` digit separators and
/// non-ASCII digits. Everything else (`1,000`, `0.5%`, `0x10`, an empty capture) is not a value.
public enum MetricValueParser {
    /// Parses `text`; nil when it is not a value. NaN and infinities are values: a NaN loss is exactly
    /// what a rule has to see.
    public static func parse(_ text: UnsafeRawBufferPointer) -> Double? {
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var start = 0, end = text.count
        while start < end, isSpace(base[start]) { start += 1 }
        while end > start, isSpace(base[end - 1]) { end -= 1 }
        guard start < end else { return nil }
        var i = start
        var negative = false
        if base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") {
            negative = base[i] == UInt8(ascii: "-")
            i += 1
            guard i < end else { return nil }
        }
        let c = base[i] | 0x20
        if c == UInt8(ascii: "n") || c == UInt8(ascii: "i") {
            return parseSpecial(base + i, end - i, negative: negative)
        }
        // Grammar: digits [ '.' digits ] [ exponent ], with at least one digit before the exponent.
        var mantissa: UInt64 = 0
        var significant = 0       // digits accumulated into mantissa
        var droppedDigits = false // more than 19 significant digits: leave it to strtod
        var fractionDigits = 0
        var digitCount = 0
        while i < end, isDigit(base[i]) {
            accumulate(base[i], &mantissa, &significant, &droppedDigits)
            digitCount += 1; i += 1
        }
        if i < end, base[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, isDigit(base[i]) {
                accumulate(base[i], &mantissa, &significant, &droppedDigits)
                digitCount += 1; fractionDigits += 1; i += 1
            }
        }
        guard digitCount > 0 else { return nil }
        var exponent = 0
        var hasExponent = false
        if i < end, base[i] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            i += 1
            var expNegative = false
            if i < end, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") {
                expNegative = base[i] == UInt8(ascii: "-"); i += 1
            }
            var expDigits = 0
            while i < end, isDigit(base[i]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(base[i] &- 0x30) }
                expDigits += 1; i += 1
            }
            guard expDigits > 0 else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == end else { return nil }
        // Exact fast path (Clinger): an integer mantissa below 2^53 scaled by an exact power of ten
        // rounds once, so it equals the correctly rounded result that strtod would give.
        let scale = (hasExponent ? exponent : 0) - fractionDigits
        if !droppedDigits, mantissa < (1 << 53), scale >= -22, scale <= 22 {
            var value = Double(mantissa)
            value = scale < 0 ? value / powersOfTen[-scale] : value * powersOfTen[scale]
            return negative ? -value : value
        }
        return slowParse(base + start, end - start)
    }

    public static func parse(_ bytes: [UInt8]) -> Double? { bytes.withUnsafeBytes { parse($0) } }
    public static func parse(_ string: String) -> Double? { parse(Array(string.utf8)) }

    @inline(__always) private static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    @inline(__always)
    private static func accumulate(_ digit: UInt8, _ m: inout UInt64, _ n: inout Int, _ dropped: inout Bool) {
        if n < 19 {
            m = m &* 10 &+ UInt64(digit &- 0x30)
            if m != 0 { n += 1 }
        } else {
            dropped = true
        }
    }

    private static let powersOfTen: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// `nan`, `inf` and `infinity`, in any case, after the sign.
    private static func parseSpecial(_ p: UnsafePointer<UInt8>, _ n: Int, negative: Bool) -> Double? {
        func equals(_ word: StaticString) -> Bool {
            guard word.utf8CodeUnitCount == n else { return false }
            let w = word.utf8Start
            for k in 0..<n where p[k] | 0x20 != w[k] { return false }
            return true
        }
        if equals("nan") { return negative ? -Double.nan : Double.nan }
        if equals("inf") || equals("infinity") { return negative ? -Double.infinity : Double.infinity }
        return nil
    }

    /// Correct rounding for what the fast path cannot do exactly; the grammar is already checked.
    private static func slowParse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[k]) }
            buf[n] = 0
            return strtod(buf.baseAddress!, nil)
        }
    }
}
