/// Python's `repr(float)`, so Doubles serialize the way `json.dumps` (and so the AWS CLI) writes them.
///
/// Swift's `description` already finds the shortest digit string that round-trips, as Python does;
/// only the layout differs (Swift writes `1e+15` where Python writes `1000000000000000.0`), so the
/// digits are taken from Swift and laid out by CPython's rule from `format_float_short`:
/// exponent notation when the decimal exponent is below -4 or at least 16.
public enum PythonFloatFormat {
    public static func repr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let negative = value.sign == .minus
        if value == 0 { return negative ? "-0.0" : "0.0" }
        let (digits, decimalPoint) = shortestDigits(abs(value))
        var out = negative ? "-" : ""
        // Value = 0.d1d2d3... × 10^decimalPoint; Python's exponent is decimalPoint - 1.
        let exponent = decimalPoint - 1
        if exponent < -4 || exponent >= 16 {
            out.append(digits.first!)
            if digits.count > 1 {
                out.append(".")
                out.append(contentsOf: digits.dropFirst())
            }
            out.append("e")
            out.append(exponent < 0 ? "-" : "+")
            let e = String(abs(exponent))
            if e.count < 2 { out.append("0") }
            out.append(e)
        } else if decimalPoint <= 0 {
            out.append("0.")
            out.append(String(repeating: "0", count: -decimalPoint))
            out.append(digits)
        } else if decimalPoint >= digits.count {
            out.append(digits)
            out.append(String(repeating: "0", count: decimalPoint - digits.count))
            out.append(".0")
        } else {
            let split = digits.index(digits.startIndex, offsetBy: decimalPoint)
            out.append(contentsOf: digits[..<split])
            out.append(".")
            out.append(contentsOf: digits[split...])
        }
        return out
    }

    /// Significant digits (no leading or trailing zeros) and the decimal point position, read off
    /// Swift's shortest round-trip rendering (`1.5e-07`, `123.25`, `1e+16`, `0.001`).
    private static func shortestDigits(_ value: Double) -> (String, Int) {
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var digits = ""
        var pointIndex: Int?
        for ch in mantissa {
            if ch == "." { pointIndex = digits.count } else { digits.append(ch) }
        }
        var decimalPoint = (pointIndex ?? digits.count) + exponent
        while digits.first == "0" {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, decimalPoint)
    }
}
