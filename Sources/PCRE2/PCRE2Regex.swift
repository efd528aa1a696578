import CPCRE2

/// A compiled, JIT-compiled PCRE2 pattern with its own match data.
///
/// Match data is reused across calls to keep the per-line cost at one `pcre2_jit_match`, which makes
/// an instance unsafe to share between threads: give each thread its own (`copy()` recompiles).
public final class PCRE2Regex {
    /// Compile options. Metric regexes run without UTF mode, as SageMaker matches bytes:
    /// `.` and `\S` match single bytes, so invalid UTF-8 can never make a match fail.
    public struct Options: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let utf = Options(rawValue: PCRE2_UTF)
        public static let ucp = Options(rawValue: PCRE2_UCP)
        public static let anchored = Options(rawValue: PCRE2_ANCHORED)
        public static let endAnchored = Options(rawValue: PCRE2_ENDANCHORED)
        public static let caseless = Options(rawValue: PCRE2_CASELESS)
    }

    /// The outcome of a search for the first match, as far as group 1 is concerned.
    public enum GroupMatch: Equatable, Sendable {
        case noMatch
        /// The pattern matched but group 1 did not participate (e.g. `(a)|b` matching "b").
        case groupUnset
        /// Byte range of group 1 within the subject.
        case group(Range<Int>)
        /// PCRE2 gave up (match limit, JIT stack limit, ...); the code is PCRE2's.
        case error(Int32)
    }

    public let pattern: String
    public let options: Options
    /// Number of capturing groups in the pattern.
    public let captureCount: Int
    /// Whether the pattern runs through the JIT (false only where PCRE2 was built without it).
    public let isJIT: Bool
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let ovector: UnsafeMutablePointer<Int>

    public init(_ pattern: String, options: Options = []) throws(PCRE2Error) {
        self.pattern = pattern
        self.options = options
        var errorCode: Int32 = 0
        var errorOffset = 0
        let bytes = Array(pattern.utf8)
        let compiled = bytes.withUnsafeBufferPointer { buf in
            pcre2_compile_8(buf.baseAddress ?? UnsafePointer(bitPattern: 1)!, buf.count, options.rawValue,
                            &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw PCRE2Error(stage: .compile, code: errorCode, offset: errorOffset, pattern: pattern)
        }
        code = compiled
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
        // JIT is an optimisation: a PCRE2 built without it still matches through the interpreter.
        isJIT = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        guard let md = pcre2_match_data_create_from_pattern_8(compiled, nil) else {
            pcre2_code_free_8(compiled)
            throw PCRE2Error(stage: .compile, code: PCRE2_ERROR_NOMEMORY, offset: nil, pattern: pattern)
        }
        matchData = md
        ovector = UnsafeMutablePointer(mutating: pcre2_get_ovector_pointer_8(md))
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_code_free_8(code)
    }

    /// A fresh instance with the same pattern, for another thread.
    public func copy() -> PCRE2Regex {
        // The pattern compiled once already, so it compiles again.
        try! PCRE2Regex(pattern, options: options)
    }

    /// Searches `subject` (unanchored) and reports group 1 of the leftmost match.
    @inline(__always)
    public func firstGroup(in subject: UnsafeRawBufferPointer) -> GroupMatch {
        matcher.firstGroup(in: subject)
    }

    /// The pointers a hot loop needs, without reference counting per call. Valid only while this
    /// regex is alive, and on one thread at a time, like the regex itself.
    public var matcher: Matcher { Matcher(code: code, matchData: matchData, ovector: ovector, isJIT: isJIT) }

    public struct Matcher {
        let code: OpaquePointer
        let matchData: OpaquePointer
        let ovector: UnsafeMutablePointer<Int>
        let isJIT: Bool

        @inline(__always)
        public func firstGroup(in subject: UnsafeRawBufferPointer) -> GroupMatch {
            let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
            let rc = isJIT
                ? pcre2_jit_match_8(code, base, subject.count, 0, 0, matchData, nil)
                : pcre2_match_8(code, base, subject.count, 0, 0, matchData, nil)
            if rc == PCRE2_ERROR_NOMATCH { return .noMatch }
            if rc < 0 { return .error(rc) }
            // rc == 1 means only the whole match was set; rc == 0 means the ovector was too small (not here).
            if rc < 2 { return .groupUnset }
            let start = ovector[2], end = ovector[3]
            if start == cpcre2_unset() { return .groupUnset }
            return .group(start..<end)
        }
    }

    /// Whether the pattern matches anywhere in `subject`.
    public func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        switch firstGroup(in: subject) {
        case .noMatch, .error: false
        case .group, .groupUnset: true
        }
    }

    /// Convenience for tests and validation: match a Swift string's UTF-8 bytes.
    public func firstGroup(in string: String) -> (GroupMatch, [UInt8]) {
        let bytes = Array(string.utf8)
        return (bytes.withUnsafeBytes { firstGroup(in: $0) }, bytes)
    }

    /// Whether PCRE2 was built with JIT support.
    public static var jitAvailable: Bool {
        var value: UInt32 = 0
        pcre2_config_8(UInt32(PCRE2_CONFIG_JIT), &value)
        return value == 1
    }
}
