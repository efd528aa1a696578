/// A JSON syntax error, located the way compilers locate errors so editors can jump to it:
/// `job.json:3:14: expected ',' or '}' after object member`.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var source: String
    /// 1-based; lines end at LF.
    public var line: Int
    /// 1-based, in Unicode scalars (what an editor's cursor counts), not bytes.
    public var column: Int
    public var message: String

    public init(source: String, line: Int, column: Int, message: String) {
        self.source = source
        self.line = line
        self.column = column
        self.message = message
    }

    /// `source:line:column`, used as the issue path.
    public var location: String { "\(source):\(line):\(column)" }
    public var description: String { "\(location): \(message)" }

    /// Locates a byte offset; only done on failure, so the happy path never counts lines.
    init(source: String, bytes: [UInt8], offset: Int, message: String) {
        var line = 1
        var column = 1
        for b in bytes[..<min(offset, bytes.count)] {
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.init(source: source, line: line, column: column, message: message)
    }
}
