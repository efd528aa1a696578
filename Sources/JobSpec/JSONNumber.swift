/// A JSON number: the Double it denotes plus, when it came from text or an integer, that exact text.
///
/// The literal is what the serializer writes, so integers beyond 2^53 and spellings like `1e400`
/// survive a parse/serialize round trip; numbers built from a Double are written in Python's
/// `repr` form so that `describe` output matches what the AWS CLI (Python) would print.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    public let double: Double
    /// The RFC 8259 text of the number, or nil for a number built from a Double.
    public let literal: String?

    public init(_ value: Double) {
        double = value
        literal = nil
    }

    public init<I: BinaryInteger>(_ value: I) {
        double = Double(value)
        literal = String(value)
    }

    /// `text` must already be a valid RFC 8259 number; the parser guarantees it.
    init(validatedLiteral text: String) {
        literal = text
        // strtod-correct rounding; out-of-range exponents give ±inf or ±0, as in Python.
        double = Double(text) ?? .nan
    }

    /// Whether the literal is written without fraction or exponent, which is what botocore's
    /// "integer"/"long" types accept (Python's json gives `5.0` and `1e3` as float).
    public var isIntegerLiteral: Bool {
        guard let literal else { return false }
        return !literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
    }

    /// The value as Int64 when it is an integer literal within range.
    public var int64: Int64? {
        if let literal { return isIntegerLiteral ? Int64(literal) : nil }
        return Int64(exactly: double)
    }

    /// The text the serializer emits for a finite number.
    public var description: String { literal ?? PythonFloatFormat.repr(double) }
}
