/// RFC 3339 timestamps (`2016-10-06T00:17:09.669794202Z`, `2024-01-01T02:00:00+02:00`) to Unix
/// nanoseconds, without Foundation: this runs once per log record. Accepts what Go's
/// `time.Parse(time.RFC3339Nano, …)` accepts from container runtimes: any number of fractional
/// digits (beyond nine truncated) or none, `Z` or a `±hh:mm` offset; rejects impossible dates and
/// times (February 30, month 13, hour 24, second 60) and anything outside Int64 nanoseconds
/// (years 1678–2261 are safe).
public enum RFC3339Timestamp {
    /// Unix nanoseconds of the timestamp filling `bytes`; on failure a `.badTimestamp` error whose
    /// offset is `base` plus the offset of the first wrong byte (or field) in `bytes`.
    @inlinable
    public static func nanoseconds(_ bytes: UnsafeRawBufferPointer, base: Int = 0) throws(LogRecordError) -> Int64 {
        switch parse(bytes) {
        case .success(let ns): return ns
        case .failure(let at): throw LogRecordError(.badTimestamp, at: base + at)
        }
    }

    @usableFromInline
    enum Outcome {
        case success(Int64)
        /// Offset of the first byte (or field) that is wrong.
        case failure(Int)
    }

    @usableFromInline
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let n = bytes.count
        guard let p = bytes.baseAddress else { return .failure(0) }
        @inline(__always) func byte(_ i: Int) -> UInt8 { i < n ? p.load(fromByteOffset: i, as: UInt8.self) : 0 }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let d = byte(i) &- 0x30
            return d < 10 ? Int(d) : nil
        }
        @inline(__always) func two(_ i: Int) -> Int? {
            guard let a = digit(i), let b = digit(i + 1) else { return nil }
            return a * 10 + b
        }
        @inline(__always) func firstNonDigit(_ i: Int, _ count: Int) -> Int {
            var j = i
            while j < i + count, digit(j) != nil { j += 1 }
            return j
        }
        guard let y1 = two(0), let y2 = two(2) else { return .failure(firstNonDigit(0, 4)) }
        guard byte(4) == UInt8(ascii: "-") else { return .failure(4) }
        guard let month = two(5) else { return .failure(firstNonDigit(5, 2)) }
        guard byte(7) == UInt8(ascii: "-") else { return .failure(7) }
        guard let day = two(8) else { return .failure(firstNonDigit(8, 2)) }
        let t = byte(10)
        guard t == UInt8(ascii: "T") || t == UInt8(ascii: "t") else { return .failure(10) }
        guard let hour = two(11) else { return .failure(firstNonDigit(11, 2)) }
        guard byte(13) == UInt8(ascii: ":") else { return .failure(13) }
        guard let minute = two(14) else { return .failure(firstNonDigit(14, 2)) }
        guard byte(16) == UInt8(ascii: ":") else { return .failure(16) }
        guard let second = two(17) else { return .failure(firstNonDigit(17, 2)) }

        let year = y1 * 100 + y2
        guard month >= 1 && month <= 12 else { return .failure(5) }
        guard day >= 1 && day <= daysIn(month: month, year: year) else { return .failure(8) }
        guard hour <= 23 else { return .failure(11) }
        guard minute <= 59 else { return .failure(14) }
        guard second <= 59 else { return .failure(17) }

        var i = 19
        var fraction: Int64 = 0
        if byte(i) == UInt8(ascii: ".") {
            i += 1
            let first = i
            var digits = 0
            while let d = digit(i) {
                if digits < 9 { fraction = fraction &* 10 &+ Int64(d); digits += 1 }
                i += 1
            }
            guard i > first else { return .failure(i) }
            while digits < 9 { fraction &*= 10; digits += 1 }
        }

        var offsetSeconds = 0
        let zone = byte(i)
        if zone == UInt8(ascii: "Z") || zone == UInt8(ascii: "z") {
            i += 1
        } else if zone == UInt8(ascii: "+") || zone == UInt8(ascii: "-") {
            guard let oh = two(i + 1) else { return .failure(firstNonDigit(i + 1, 2)) }
            guard oh <= 23 else { return .failure(i + 1) }
            guard byte(i + 3) == UInt8(ascii: ":") else { return .failure(i + 3) }
            guard let om = two(i + 4) else { return .failure(firstNonDigit(i + 4, 2)) }
            guard om <= 59 else { return .failure(i + 4) }
            offsetSeconds = (oh * 3600 + om * 60) * (zone == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return .failure(i)
        }
        guard i == n else { return .failure(i) }

        let days = daysFromCivil(year: year, month: month, day: day)
        var seconds = Int64(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds)
        if seconds < 0 && fraction > 0 {  // so that the first representable nanosecond does not overflow
            seconds += 1
            fraction -= 1_000_000_000
        }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .failure(0) }
        let (ns, overflow2) = scaled.addingReportingOverflow(fraction)
        guard !overflow2 else { return .failure(0) }
        return .success(ns)
    }

    @inline(__always) @usableFromInline
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    @inline(__always) @usableFromInline
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
