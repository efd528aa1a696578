import CPCRE2

/// A PCRE2 failure, carrying the library's own code and message plus the input that caused it,
/// so that a user-facing error can point at the pattern and the offset inside it.
public struct PCRE2Error: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Stage: String, Sendable { case compile, jit, match }
    public let stage: Stage
    /// PCRE2's error code (negative for match errors, positive for compile errors).
    public let code: Int32
    /// PCRE2's message for `code`.
    public let message: String
    /// Offset into the pattern where compilation failed (compile stage only).
    public let offset: Int?
    public let pattern: String

    public init(stage: Stage, code: Int32, offset: Int?, pattern: String) {
        self.stage = stage
        self.code = code
        self.message = PCRE2Error.message(for: code)
        self.offset = offset
        self.pattern = pattern
    }

    public static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBufferPointer { pcre2_get_error_message_8(code, $0.baseAddress, 256) }
        guard n > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(n)], as: UTF8.self)
    }

    public var description: String {
        switch stage {
        case .compile: "\(message) at offset \(offset ?? 0) in \(pattern.debugDescription)"
        case .jit: "JIT compilation failed (\(message)) for \(pattern.debugDescription)"
        case .match: "match failed (\(message)) for \(pattern.debugDescription)"
        }
    }
}
